from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from portal.admin import AuditedAdmin, WorkflowRecordAdmin

from .models import ApiToken, Profile
from .services import api_token_revoke


@admin.register(Profile)
class ProfileAdmin(AuditedAdmin):
    list_display = ["user", "public_name", "language", "show_affiliation"]
    list_filter = ["language", "show_affiliation"]
    search_fields = ["user__username", "public_name"]
    raw_id_fields = ["user"]


@admin.register(ApiToken)
class ApiTokenAdmin(WorkflowRecordAdmin):
    """Tokens are seen and revoked here, never created or edited (no key is kept)."""

    list_display = ["name", "user", "key_prefix", "created_at", "last_used_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["user__username", "name", "key_prefix"]
    readonly_fields = ["user", "name", "key_prefix", "created_at", "last_used_at"]
    actions = ["revoke"]

    def has_view_permission(self, request, obj=None):
        return request.user.is_staff and super().has_view_permission(request, obj)

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request, queryset):
        count = 0
        for token in queryset.filter(revoked_at__isnull=True):
            api_token_revoke(
                actor=request.user,
                token=token,
                reason=_("Revoked by staff in the admin"),
            )
            count += 1
        self.message_user(
            request,
            ngettext("%d token revoked.", "%d tokens revoked.", count) % count,
            messages.SUCCESS,
        )
