from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Portal")

    def ready(self):
        from . import signin, wagtail_csp  # noqa: F401 - signin connects its receiver

        wagtail_csp.install()
        # Sent once per app with models (this app has none); the command does
        # nothing once the table exists.
        post_migrate.connect(create_cache_table, dispatch_uid="portal.cache_table")


def create_cache_table(using="default", **kwargs):
    """The database cache's table (CACHES), made at every migrate if missing."""
    from django.core.management import call_command

    call_command("createcachetable", database=using, verbosity=0)
