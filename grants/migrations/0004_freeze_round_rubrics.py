"""Rounds set up before rubrics were frozen get their program's current rubric, with
a history row saying so (migrations cannot use the services)."""

from django.db import migrations
from django.utils import timezone


def freeze(apps, schema_editor):
    Round = apps.get_model("grants", "Round")
    HistoricalRound = apps.get_model("grants", "HistoricalRound")
    Rubric = apps.get_model("grants", "Rubric")
    for round_ in Round.objects.filter(rubric__isnull=True):
        rubric = (
            Rubric.objects.filter(program_id=round_.program_id)
            .order_by("-version")
            .first()
        )
        if rubric is None:
            continue
        round_.rubric = rubric
        round_.save(update_fields=["rubric"])
        values = {
            field.attname: getattr(round_, field.attname)
            for field in Round._meta.concrete_fields
        }
        HistoricalRound.objects.create(
            **values,
            history_date=timezone.now(),
            history_type="~",
            history_change_reason="Rubric frozen for the round",
        )


class Migration(migrations.Migration):
    dependencies = [("grants", "0003_reviews_and_decisions")]

    operations = [migrations.RunPython(freeze, migrations.RunPython.noop)]
