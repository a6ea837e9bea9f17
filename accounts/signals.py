"""Every user gets a profile. (Failed sign-ins are counted and logged in
portal/signin.py.)"""

from django.conf import settings
from django.db.models.signals import post_save
from django.dispatch import receiver


@receiver(post_save, sender=settings.AUTH_USER_MODEL)
def create_profile(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        from .services import profile_for

        profile_for(instance)
