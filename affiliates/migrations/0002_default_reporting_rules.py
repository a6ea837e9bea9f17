"""Default annual reporting rules (staff can change them in the admin)."""

from django.db import migrations

DEFAULTS = [
    # affiliate type, months after the fiscal year end, financial report required
    ("chapter", 4, True),
    ("thematic_organization", 4, True),
    ("user_group", 3, False),
]


def create_rules(apps, schema_editor):
    ReportingRule = apps.get_model("affiliates", "ReportingRule")
    for affiliate_type, months, financial in DEFAULTS:
        ReportingRule.objects.get_or_create(
            affiliate_type=affiliate_type,
            defaults={"grace_months": months, "requires_financial_report": financial},
        )


class Migration(migrations.Migration):
    dependencies = [("affiliates", "0001_initial")]
    operations = [migrations.RunPython(create_rules, migrations.RunPython.noop)]
