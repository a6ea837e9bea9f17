from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def ensure_locales(sender, **kwargs):
    """One Wagtail locale per content language in settings: adding a language is a
    settings change, and the next `migrate` creates its locale."""
    from django.conf import settings
    from wagtail.models import Locale

    for code, _name in settings.WAGTAIL_CONTENT_LANGUAGES:
        Locale.objects.get_or_create(language_code=code)


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = _("Content")

    def ready(self):
        post_migrate.connect(ensure_locales, sender=self)
