"""Expiry reminders move from plans to evaluations, beside the certificates they are
about. The table stays where it is (plans_expiryreminder): only the model's home
changes, so this migration and plans 0002 change Django's state, not the database."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("evaluations", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="ExpiryReminder",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "threshold_days",
                            models.PositiveSmallIntegerField(
                                verbose_name="days before expiry"
                            ),
                        ),
                        ("sent_at", models.DateTimeField(verbose_name="sent at")),
                        ("recipients", models.TextField(verbose_name="recipients")),
                        (
                            "certificate",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="expiry_reminders",
                                to="evaluations.certificate",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "expiry reminder",
                        "verbose_name_plural": "expiry reminders",
                        "db_table": "plans_expiryreminder",
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("certificate", "threshold_days"),
                                name="plans_reminder_once",
                            )
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
