"""A complaint belongs to its episode and may have no decision (seed 002 §12: a complaint about
a start later than the 14-day guarantee). Step 1: the column, filled from the decision."""

import django.db.models.deletion
from django.db import migrations, models


def episode_from_decision(apps, schema_editor):  # type: ignore[no-untyped-def]
    Complaint = apps.get_model("pathway", "Complaint")
    for complaint in Complaint.objects.filter(episode__isnull=True).select_related("decision"):
        Complaint.objects.filter(pk=complaint.pk).update(episode_id=complaint.decision.episode_id)


class Migration(migrations.Migration):
    dependencies = [
        ("pathway", "0004_outcome_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="complaint",
            name="episode",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="complaints",
                to="pathway.episode",
            ),
        ),
        migrations.AlterField(
            model_name="complaint",
            name="decision",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="complaints",
                to="pathway.decision",
            ),
        ),
        migrations.AlterField(
            model_name="complaint",
            name="kind",
            field=models.CharField(
                choices=[
                    ("decision", "About the decision (rights)"),
                    ("health", "About health treatment"),
                    ("service", "About the service"),
                    ("late_start", "About treatment not started within the start guarantee"),
                ],
                max_length=10,
                verbose_name="about",
            ),
        ),
        migrations.RunPython(episode_from_decision, migrations.RunPython.noop),
    ]
