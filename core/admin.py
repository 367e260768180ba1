"""Admin mixins shared by the apps."""

from django.contrib.admin.utils import flatten, flatten_fieldsets


class ReadOnlyAdminMixin:
    """Shown in the admin, changed only by the portal's services (which keep the audit
    trail and enqueue jobs): no add, change or delete.

    Every listed field is read-only, so that an inline or a change page that lists a
    non-editable field (an auto_now_add date) renders instead of failing.
    """

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        if self.fieldsets:
            return flatten_fieldsets(self.fieldsets)
        if self.fields:
            return flatten(self.fields)
        opts = self.opts
        return [
            field.name
            for field in [*opts.local_fields, *opts.local_many_to_many]
            if field is not opts.pk
        ]
