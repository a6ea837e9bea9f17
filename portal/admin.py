"""Admin base classes: staff browse every history; workflow records stay read-only.

Configuration (affiliates, programs, rubrics, rounds, rules, deferments) is edited and
may be reverted here, and each save names the admin as its reason. Workflow records
(proposals, their lines and metrics, reports, memberships, declarations) change only
through their services: the admin shows them and their history but cannot edit or
revert them, since that would step around the lifecycle and its checks.
"""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from simple_history.admin import SimpleHistoryAdmin


class HistoryAdmin(SimpleHistoryAdmin):
    """simple-history saves a posted version form for anyone who may *view* history;
    only those who may change the record may post it."""

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST" and (
            self.revert_disabled(request) or not self.has_change_permission(request)
        ):
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)


class AuditedAdmin(HistoryAdmin):
    def save_model(self, request, obj, form, change):
        if "/history/" in request.path:
            obj._change_reason = _("Reverted to an earlier version in the admin")
        else:
            obj._change_reason = _("Edited in the admin")
        super().save_model(request, obj, form, change)

    def delete_model(self, request, obj):
        obj._change_reason = _("Deleted in the admin")
        super().delete_model(request, obj)


class WorkflowRecordAdmin(HistoryAdmin):
    """View and history only."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def revert_disabled(self, request, obj=None):
        return True


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False
