import datetime

from django.db import migrations


def add_default_rule(apps, schema_editor):
    PointRule = apps.get_model("points", "PointRule")
    PointRule.objects.get_or_create(
        subdistrict=None,
        effective_from=datetime.date(2019, 7, 1),
        defaults={
            "per_correct_drop": 10,
            "daily_cap": 20,
            "per_activity": 0,
            "source": "上海绿色账户：正确投放一次 10 分，每日上限 20 分 (domain-shanghai.md §2)",
        },
    )


class Migration(migrations.Migration):
    dependencies = [("points", "0001_initial")]
    operations = [migrations.RunPython(add_default_rule, migrations.RunPython.noop)]
