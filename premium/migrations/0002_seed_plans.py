from decimal import Decimal

from django.db import migrations

# The plans of the source article. Staff edit them in the admin afterwards. The cap is in
# months of credits: LinkedIn caps the Recruiter family at 4, Premium and Sales Navigator at 3
# (0005 moved databases seeded with Recruiter Lite at 3).
PLANS = [
    ("Premium Essentials", "premium-essentials", "Stand out to hiring managers", "29.99", 5, 3),
    ("Premium Pro", "premium-pro", "Grow your career with more InMail", "39.99", 15, 3),
    ("Premium Business", "premium-business", "Grow and nurture your network", "59.99", 15, 3),
    ("Recruiter Lite", "recruiter-lite", "Find and hire talent", "169.99", 30, 4),
    ("Sales Navigator Core", "sales-navigator-core", "Unlock sales opportunities", "99.99", 50, 3),
]


def create_plans(apps, schema_editor):
    Plan = apps.get_model("premium", "Plan")
    for order, (name, slug, tagline, price, credits, cap_months) in enumerate(PLANS, start=1):
        Plan.objects.update_or_create(
            slug=slug,
            defaults={
                "name": name,
                "tagline": tagline,
                "monthly_price": Decimal(price),
                "monthly_credits": credits,
                "balance_cap": cap_months * credits,
                "order": order * 10,
            },
        )


def remove_plans(apps, schema_editor):
    apps.get_model("premium", "Plan").objects.filter(slug__in=[p[1] for p in PLANS]).delete()


class Migration(migrations.Migration):
    dependencies = [("premium", "0001_initial")]

    operations = [migrations.RunPython(create_plans, remove_plans)]
