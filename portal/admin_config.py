"""Django's admin app, with the portal's admin site (portal/admin_site.py) as its site."""

from django.contrib.admin.apps import AdminConfig


class PortalAdminConfig(AdminConfig):
    default_site = "portal.admin_site.PortalAdminSite"
