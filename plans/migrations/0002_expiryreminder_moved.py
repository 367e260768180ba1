"""Expiry reminders now belong to evaluations (its migration 0002 takes the model over,
table and rows included): this only drops the model from the plans app's state."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("plans", "0001_initial"),
        ("evaluations", "0002_expiryreminder"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="ExpiryReminder")],
            database_operations=[],
        ),
    ]
