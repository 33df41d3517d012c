"""The operator's admin: accounts with where they belong, uploads and review actions (the
last two to read, not to edit: they are the record)."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User

from portal.models import Account, ReviewAction, Upload


class AccountInline(admin.StackedInline):
    model = Account
    can_delete = False


admin.site.unregister(User)


@admin.register(User)
class AccountAdmin(UserAdmin):
    inlines = [AccountInline]


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Upload)
class UploadAdmin(ReadOnly):
    list_display = ["uploaded_at", "uploaded_by", "original_name", "outcome", "stored_path"]
    list_filter = ["outcome", "recipient_hospital"]


@admin.register(ReviewAction)
class ReviewActionAdmin(ReadOnly):
    list_display = ["acted_at", "acted_by", "action", "file_path", "sheet", "reason"]
    list_filter = ["action", "supporting_hospital"]
