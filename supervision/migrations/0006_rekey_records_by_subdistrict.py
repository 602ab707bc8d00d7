"""Key the bin-side records by (sub-district, day, client_id) and the rollups by (sub-district, household,
day) and (sub-district, point, day, category): the distribution key leads every key, the (sub-district, day)
index of the records and the rollups' surrogate ids go, and the records' household index keeps only mistakes. Each index dropped is one
less write per ingested record.

Django cannot change a primary key into a composite one by itself, so the state changes are declared here and
the tables are changed by hand: PostgreSQL alters the partitioned table in place; SQLite, which cannot change a
primary key, rebuilds the two tables.
"""

from django.db import migrations, models

STATE = [
    migrations.RemoveConstraint(model_name="householdday", name="householdday_unique"),
    migrations.RemoveConstraint(model_name="pointday", name="pointday_unique"),
    migrations.RemoveField(model_name="pointday", name="id"),
    migrations.AddField(
        model_name="pointday",
        name="pk",
        field=models.CompositePrimaryKey(
            "subdistrict_id", "point", "day", "category", blank=True, editable=False, primary_key=True, serialize=False
        ),
    ),
    migrations.RemoveIndex(model_name="observation", name="obs_sd_day_idx"),
    migrations.RemoveIndex(model_name="observation", name="obs_household_day_idx"),
    migrations.RemoveField(model_name="householdday", name="id"),
    migrations.AddField(
        model_name="householdday",
        name="pk",
        field=models.CompositePrimaryKey(
            "subdistrict_id", "household", "day", blank=True, editable=False, primary_key=True, serialize=False
        ),
    ),
    migrations.AlterField(
        model_name="observation",
        name="pk",
        field=models.CompositePrimaryKey(
            "subdistrict_id", "day", "client_id", blank=True, editable=False, primary_key=True, serialize=False
        ),
    ),
    migrations.AddIndex(
        model_name="observation",
        index=models.Index(
            condition=models.Q(("outcome__in", ["correct", "corrected"]), _negated=True),
            fields=["household", "day"],
            name="obs_household_mistakes_idx",
        ),
    ),
]


def _rebuild(schema_editor, model, old_indexes):
    """SQLite: the table again under its new definition, rows copied across."""
    table = model._meta.db_table
    columns = ", ".join(f'"{f.column}"' for f in model._meta.local_concrete_fields)
    with schema_editor.connection.cursor() as c:
        for name in old_indexes:
            c.execute(f'DROP INDEX IF EXISTS "{name}"')
        c.execute(f'ALTER TABLE "{table}" RENAME TO "{table}__old"')
    schema_editor.create_model(model)
    schema_editor.execute(f'INSERT INTO "{table}" ({columns}) SELECT {columns} FROM "{table}__old"')
    schema_editor.execute(f'DROP TABLE "{table}__old"')


def rekey(apps, schema_editor):
    observation = apps.get_model("supervision", "Observation")
    household_day = apps.get_model("supervision", "HouseholdDay")
    if schema_editor.connection.vendor == "postgresql":
        for sql in [
            "ALTER TABLE supervision_observation DROP CONSTRAINT supervision_observation_pkey",
            "ALTER TABLE supervision_observation ADD CONSTRAINT supervision_observation_pkey "
            "PRIMARY KEY (subdistrict_id, day, client_id)",
            "DROP INDEX obs_sd_day_idx",
            "DROP INDEX obs_household_day_idx",
            "ALTER TABLE supervision_householdday DROP CONSTRAINT householdday_unique",
            "ALTER TABLE supervision_householdday DROP CONSTRAINT supervision_householdday_pkey",
            "ALTER TABLE supervision_householdday DROP COLUMN id",
            "ALTER TABLE supervision_householdday ADD CONSTRAINT supervision_householdday_pkey "
            "PRIMARY KEY (subdistrict_id, household_id, day)",
            "ALTER TABLE supervision_pointday DROP CONSTRAINT pointday_unique",
            "ALTER TABLE supervision_pointday DROP CONSTRAINT supervision_pointday_pkey",
            "ALTER TABLE supervision_pointday DROP COLUMN id",
            "ALTER TABLE supervision_pointday ADD CONSTRAINT supervision_pointday_pkey "
            "PRIMARY KEY (subdistrict_id, point_id, day, category)",
        ]:
            schema_editor.execute(sql)
        index = next(i for i in observation._meta.indexes if i.name == "obs_household_mistakes_idx")
        schema_editor.add_index(observation, index)
        return
    _rebuild(schema_editor, observation, ["obs_sd_day_idx", "obs_household_day_idx"])
    _rebuild(schema_editor, household_day, ["householdday_sd_day_idx", "householdday_mistakes_idx"])
    _rebuild(schema_editor, apps.get_model("supervision", "PointDay"), ["pointday_sd_day_idx"])


class Migration(migrations.Migration):
    dependencies = [
        ("grid", "0003_household_drop_off_point"),
        ("supervision", "0005_householdday_mistakes_index"),
    ]
    operations = [
        migrations.SeparateDatabaseAndState(state_operations=STATE),
        migrations.RunPython(rekey, elidable=False),
    ]
