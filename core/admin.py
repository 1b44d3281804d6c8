"""Admin pieces any app's admin may use."""

from django.contrib import admin


class ViewOnlyAdmin(admin.ModelAdmin):
    """A model staff may look at but never add, change or delete, superusers included."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
