from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "帮扶门户"
    default_auto_field = "django.db.models.BigAutoField"

