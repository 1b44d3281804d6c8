from django.apps import AppConfig


class PremiumConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "premium"

    def ready(self):
        from accounts.selectors import register_member_annotation
        from premium.selectors import is_premium

        # Every member listed with their relationship to the viewer shows the Premium badge.
        register_member_annotation("is_premium", is_premium)
