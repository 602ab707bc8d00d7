"""Named in URLs by an opaque code instead of the database id ("codes, never ids"): the column is added
nullable, existing rows get their codes in batches, then it becomes unique with a default for new rows."""

from django.db import migrations, models

import lib.codes


class Migration(migrations.Migration):
    dependencies = [("grid", "0005_household_import_job")]

    operations = [
        migrations.AddField(
            model_name="person",
            name="code",
            field=models.CharField(editable=False, max_length=16, null=True, verbose_name="code"),
        ),
        migrations.RunPython(lib.codes.backfill_opaque_codes("grid", "person"), migrations.RunPython.noop),
        migrations.AlterField(
            model_name="person",
            name="code",
            field=models.CharField(
                default=lib.codes.opaque_code, editable=False, max_length=16, unique=True, verbose_name="code"
            ),
        ),
    ]
