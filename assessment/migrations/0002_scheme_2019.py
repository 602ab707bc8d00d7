"""The default scheme: the 2019 达标居住区 standard's "五有" (items 1–2 basic, 45 points; items 3–5 quality,
55 points, 有分类实效 alone 25), graded 优 ≥80%, 良 ≥60%, 中 ≥30%, 差 below, by share of areas meeting it.
Where the city scores an item on site we take inspection scores; where our own records measure it we use them."""

import datetime
from decimal import Decimal

from django.db import migrations

INDICATORS = [
    # code, name, group, source, weight, target, min_sample
    ("facilities", "设施设备完好 Facilities and equipment", "有设施设备", "inspection", 25, "1", 1),
    ("publicity", "宣传告知到位 Publicity and notices", "有宣传告知", "inspection", 20, "1", 1),
    ("traceable", "每日收运称重 Daily weighed collection", "有物流去向", "tonnage_days", 10, "0.9", 7),
    ("on_duty", "定时定点有人值守 Windows staffed", "有长效管理", "staffing", 20, "0.95", 10),
    ("purity", "桶内纯净度 Bin purity (>85% by eye)", "有分类实效", "purity", 15, "0.9", 20),
    ("correct", "准确投放率 Correct drop-offs", "有分类实效", "correct_rate", 10, "0.95", 100),
]


def seed(apps, schema_editor):
    Scheme = apps.get_model("assessment", "Scheme")
    Indicator = apps.get_model("assessment", "Indicator")
    scheme, created = Scheme.objects.get_or_create(
        subdistrict=None,
        effective_from=datetime.date(2019, 1, 1),
        defaults={
            "name": "生活垃圾分类达标居住区 (五有) Compliant residential area (five haves)",
            "source": "《上海市生活垃圾分类示范区、达标(示范)街镇考评办法》2019-04",
            "pass_mark": Decimal("80"),
            "veto_serious_share": Decimal("0.100"),
        },
    )
    if created:
        Indicator.objects.bulk_create(
            Indicator(
                scheme=scheme,
                code=code,
                name=name,
                group=group,
                source=source,
                weight=Decimal(weight),
                target=Decimal(target),
                min_sample=min_sample,
                sort_order=i,
            )
            for i, (code, name, group, source, weight, target, min_sample) in enumerate(INDICATORS)
        )


class Migration(migrations.Migration):
    dependencies = [("assessment", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
