"""The idempotency key of bin-side records, (sub-district, client id), whatever the day; filled from the
records already stored (a client id already stored on two days keeps its first day)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("supervision", "0007_shift_offer"),
    ]

    operations = [
        migrations.CreateModel(
            name="ObservationKey",
            fields=[
                (
                    "pk",
                    models.CompositePrimaryKey(
                        "subdistrict_id",
                        "client_id",
                        blank=True,
                        editable=False,
                        primary_key=True,
                        serialize=False,
                    ),
                ),
                ("subdistrict_id", models.BigIntegerField()),
                ("client_id", models.UUIDField()),
                ("day", models.DateField()),
            ],
            options={
                "verbose_name": "bin-side record key",
                "verbose_name_plural": "bin-side record keys",
            },
        ),
        migrations.RunSQL(
            "INSERT INTO supervision_observationkey (subdistrict_id, client_id, day) "
            "SELECT subdistrict_id, client_id, MIN(day) FROM supervision_observation "
            "GROUP BY subdistrict_id, client_id",
            reverse_sql=migrations.RunSQL.noop,
        ),
    ]
