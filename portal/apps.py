from functools import wraps

from django.apps import AppConfig
from django.contrib.admin import AdminSite
from django.contrib.admin.apps import AdminConfig
from django.http import Http404


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "帮扶门户"
    default_auto_field = "django.db.models.BigAutoField"


class PortalAdminConfig(AdminConfig):
    """Django's admin, as the site below: answering 404 to accounts that are not admins."""

    default_site = "portal.apps.PortalAdminSite"


class PortalAdminSite(AdminSite):
    site_header = site_title = "帮扶门户管理"
    index_title = "账号与记录"

    def admin_view(self, view, cacheable=False):
        inner = super().admin_view(view, cacheable)

        @wraps(inner)
        def only_admins(request, *args, **kwargs):
            # Not a login page for a signed-in account that is no admin: nothing is there.
            if request.user.is_authenticated and not request.user.is_staff:
                raise Http404
            return inner(request, *args, **kwargs)

        return only_admins
