from django.contrib import admin

from .models import Export, ExportDownload


class DownloadInline(admin.TabularInline):
    model = ExportDownload
    extra = 0
    can_delete = False
    readonly_fields = ["user", "at"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Export)
class ExportAdmin(admin.ModelAdmin):
    """The record of exports: read only (who exported what, when)."""

    list_display = ["requested_at", "kind", "label", "requested_by", "status", "pages"]
    list_filter = ["kind", "status"]
    search_fields = ["label", "requested_by__username"]
    inlines = [DownloadInline]
    exclude = ["file"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
