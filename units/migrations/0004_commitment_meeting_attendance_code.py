"""Named in URLs by an opaque code instead of the database id ("codes, never ids"): the column is added
nullable, existing rows get their codes in batches, then it becomes unique with a default for new rows."""

from django.db import migrations, models

import lib.codes


class Migration(migrations.Migration):
    dependencies = [("units", "0003_attendance_reply")]

    operations = [
        migrations.AddField(
            model_name="commitment",
            name="code",
            field=models.CharField(editable=False, max_length=16, null=True, verbose_name="code"),
        ),
        migrations.RunPython(
            lib.codes.backfill_opaque_codes("units", "commitment"), migrations.RunPython.noop
        ),
        migrations.AlterField(
            model_name="commitment",
            name="code",
            field=models.CharField(
                default=lib.codes.opaque_code, editable=False, max_length=16, unique=True, verbose_name="code"
            ),
        ),
        migrations.AddField(
            model_name="meeting",
            name="code",
            field=models.CharField(editable=False, max_length=16, null=True, verbose_name="code"),
        ),
        migrations.RunPython(lib.codes.backfill_opaque_codes("units", "meeting"), migrations.RunPython.noop),
        migrations.AlterField(
            model_name="meeting",
            name="code",
            field=models.CharField(
                default=lib.codes.opaque_code, editable=False, max_length=16, unique=True, verbose_name="code"
            ),
        ),
        migrations.AddField(
            model_name="attendance",
            name="code",
            field=models.CharField(editable=False, max_length=16, null=True, verbose_name="code"),
        ),
        migrations.RunPython(
            lib.codes.backfill_opaque_codes("units", "attendance"), migrations.RunPython.noop
        ),
        migrations.AlterField(
            model_name="attendance",
            name="code",
            field=models.CharField(
                default=lib.codes.opaque_code, editable=False, max_length=16, unique=True, verbose_name="code"
            ),
        ),
    ]
