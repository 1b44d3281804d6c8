from django.db import migrations
from django.db.models import F

# LinkedIn caps the Recruiter family at 4 months of credits (Recruiter Lite: 30 → 120), not the
# 3 that 0002 first seeded. A cap staff have edited is theirs: only the old default moves.
RECRUITER_SLUGS = ["recruiter-lite"]
OLD_CAP_MONTHS = 3
CAP_MONTHS = 4


def _move_default_caps(apps, *, old_months, new_months):
    Plan = apps.get_model("premium", "Plan")
    return Plan.objects.filter(
        slug__in=RECRUITER_SLUGS, balance_cap=old_months * F("monthly_credits")
    ).update(balance_cap=new_months * F("monthly_credits"))


def recruiter_caps_at_four_months(apps, schema_editor):
    return _move_default_caps(apps, old_months=OLD_CAP_MONTHS, new_months=CAP_MONTHS)


def recruiter_caps_at_three_months(apps, schema_editor):
    return _move_default_caps(apps, old_months=CAP_MONTHS, new_months=OLD_CAP_MONTHS)


class Migration(migrations.Migration):
    dependencies = [("premium", "0004_subscription_changed_at")]

    operations = [
        migrations.RunPython(recruiter_caps_at_four_months, recruiter_caps_at_three_months)
    ]
