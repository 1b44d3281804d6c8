from django.apps import AppConfig


class InmailConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "inmail"
