from django.apps import AppConfig


class PremiumConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "premium"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from accounts.selectors import register_member_annotation
        from premium.models import Plan
        from premium.selectors import forget_plans, is_premium

        # Every member listed with their relationship to the viewer shows the Premium badge.
        register_member_annotation("is_premium", is_premium)
        # My Premium's plans are cached (selectors.plans_on_offer) until one is saved or
        # deleted; a data migration's change shows within the hour the cache keeps them.
        post_save.connect(forget_plans, sender=Plan, dispatch_uid="premium.forget_plans.save")
        post_delete.connect(forget_plans, sender=Plan, dispatch_uid="premium.forget_plans.del")
