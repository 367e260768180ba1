"""Dated mandates replace a user's single role and jurisdiction (the two-tier reform of
1/7/2025 ended the districts their officers acted for). Every user with a role gets a
mandate at their unit for as long as the unit exists; then the old fields go."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def mandates_from_jurisdictions(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    Mandate = apps.get_model("accounts", "Mandate")
    users = User.objects.exclude(role="").filter(jurisdiction__isnull=False)
    Mandate.objects.bulk_create(
        Mandate(
            user=user,
            role=user.role,
            unit=user.jurisdiction,
            valid_from=user.jurisdiction.valid_from,
            valid_to=user.jurisdiction.valid_to,
        )
        for user in users.select_related("jurisdiction")
    )


def jurisdictions_from_mandates(apps, schema_editor):
    """Back: each user's latest mandate becomes their role and jurisdiction."""
    User = apps.get_model("accounts", "User")
    Mandate = apps.get_model("accounts", "Mandate")
    for mandate in Mandate.objects.order_by("user", "valid_from", "pk"):
        User.objects.filter(pk=mandate.user_id).update(
            role=mandate.role, jurisdiction=mandate.unit_id
        )


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0001_initial'),
        ('regions', '0002_unit_succession'),
    ]

    operations = [
        migrations.CreateModel(
            name='Mandate',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('role', models.CharField(choices=[('commune_officer', 'Commune OCOP officer'), ('district_officer', 'District OCOP officer'), ('provincial_officer', 'Provincial officer'), ('administrator', 'Administrator')], max_length=20, verbose_name='role')),
                ('valid_from', models.DateField(verbose_name='valid from')),
                ('valid_to', models.DateField(blank=True, null=True, verbose_name='valid to')),
            ],
            options={
                'verbose_name': 'mandate',
                'verbose_name_plural': 'mandates',
                'ordering': ['user', 'valid_from', 'pk'],
            },
        ),
        migrations.AddField(
            model_name='mandate',
            name='unit',
            field=models.ForeignKey(help_text='The commune, district or province the user acts for.', on_delete=django.db.models.deletion.PROTECT, related_name='+', to='regions.administrativeunit', verbose_name='unit'),
        ),
        migrations.AddField(
            model_name='mandate',
            name='user',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='mandates', to=settings.AUTH_USER_MODEL, verbose_name='user'),
        ),
        migrations.AddConstraint(
            model_name='mandate',
            constraint=models.CheckConstraint(condition=models.Q(('role__in', ['commune_officer', 'district_officer', 'provincial_officer', 'administrator'])), name='accounts_mandate_role_valid'),
        ),
        migrations.AddConstraint(
            model_name='mandate',
            constraint=models.CheckConstraint(condition=models.Q(('valid_to__isnull', True), ('valid_to__gte', models.F('valid_from')), _connector='OR'), name='accounts_mandate_validity_ordered'),
        ),
        migrations.AddConstraint(
            model_name='mandate',
            constraint=models.UniqueConstraint(fields=('user', 'unit', 'valid_from'), name='accounts_mandate_unique'),
        ),
        migrations.RunPython(mandates_from_jurisdictions, jurisdictions_from_mandates),
        migrations.RemoveConstraint(
            model_name='user',
            name='accounts_user_role_valid',
        ),
        migrations.RemoveConstraint(
            model_name='user',
            name='accounts_user_role_has_jurisdiction',
        ),
        migrations.RemoveField(
            model_name='user',
            name='jurisdiction',
        ),
        migrations.RemoveField(
            model_name='user',
            name='role',
        ),
    ]
