"""Django's admin for the operator, answering 404 to every account that is not an admin."""

from functools import wraps

from django.contrib.admin import AdminSite
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.urls import reverse


class PortalAdminSite(AdminSite):
    site_header = site_title = "帮扶门户管理"
    index_title = "账号与记录"

    def login(self, request, extra_context=None):
        """The portal's own login page (rate-limited), not a second one."""
        return redirect_to_login(request.GET.get("next") or reverse("admin:index"))

    def admin_view(self, view, cacheable=False):
        inner = super().admin_view(view, cacheable)

        @wraps(inner)
        def only_admins(request, *args, **kwargs):
            # One login page for the whole portal (rate-limited); for a signed-in account
            # that is no admin, nothing is there.
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not request.user.is_staff:
                raise Http404
            return inner(request, *args, **kwargs)

        return only_admins
