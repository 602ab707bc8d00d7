"""On PostgreSQL, make the bin-side records table partitioned by month of `day` (a no-op on SQLite)."""

import datetime

from django.db import migrations

TABLE = "supervision_observation"


def partition(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as c:
        c.execute(f"ALTER TABLE {TABLE} RENAME TO {TABLE}_plain")
        c.execute(f"CREATE TABLE {TABLE} (LIKE {TABLE}_plain INCLUDING DEFAULTS) PARTITION BY RANGE (day)")
        c.execute(f"CREATE TABLE {TABLE}_default PARTITION OF {TABLE} DEFAULT")
        month = datetime.date(2019, 7, 1)  # the regulation's first month
        last = datetime.date.today().replace(day=1) + datetime.timedelta(days=400)
        while month <= last:
            following = (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
            c.execute(
                f"CREATE TABLE {TABLE}_{month:%Y_%m} PARTITION OF {TABLE} FOR VALUES FROM (%s) TO (%s)",
                [month, following],
            )
            month = following
        c.execute(f"INSERT INTO {TABLE} SELECT * FROM {TABLE}_plain")
        c.execute(f"DROP TABLE {TABLE}_plain")
        c.execute(f"ALTER TABLE {TABLE} ADD CONSTRAINT {TABLE}_pkey PRIMARY KEY (day, client_id)")
        c.execute(f"CREATE INDEX obs_sd_day_idx ON {TABLE} (subdistrict_id, day)")
        c.execute(f"CREATE INDEX obs_household_day_idx ON {TABLE} (household_id, day)")


class Migration(migrations.Migration):
    dependencies = [("supervision", "0001_initial")]
    operations = [migrations.RunPython(partition, migrations.RunPython.noop)]
