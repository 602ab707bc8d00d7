"""Sign-ups carry the sub-district (their shift's): the distribution key of every large table."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("supervision", "0003_purity_point_day_index")]

    operations = [
        migrations.AddField(
            model_name="shiftsignup", name="subdistrict_id", field=models.BigIntegerField(default=0), preserve_default=False
        ),
        migrations.RunSQL(
            "UPDATE supervision_shiftsignup SET subdistrict_id = "
            "(SELECT s.subdistrict_id FROM supervision_shift s WHERE s.id = supervision_shiftsignup.shift_id)",
            migrations.RunSQL.noop,
        ),
    ]
