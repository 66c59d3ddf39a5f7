"""Step 2: every complaint has its episode. A separate migration: PostgreSQL refuses to alter a
column in the transaction that updated its rows (pending deferred foreign-key triggers)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("pathway", "0005_complaint_episode_and_late_start"),
    ]

    operations = [
        migrations.AlterField(
            model_name="complaint",
            name="episode",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="complaints",
                to="pathway.episode",
            ),
        ),
    ]
