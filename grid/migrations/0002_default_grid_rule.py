import datetime

from django.db import migrations


def add_default_rule(apps, schema_editor):
    GridRule = apps.get_model("grid", "GridRule")
    GridRule.objects.get_or_create(
        subdistrict=None,
        effective_from=datetime.date(2019, 7, 1),
        defaults={
            "workers_min": 10,
            "workers_max": 20,
            "households_min": 15,
            "households_max": 20,
            "source": "芷江西路街道 2019: 每个微网格配备约10-20位网格员，每位网格员包责15-20户",
        },
    )


class Migration(migrations.Migration):
    dependencies = [("grid", "0001_initial")]
    operations = [migrations.RunPython(add_default_rule, migrations.RunPython.noop)]
