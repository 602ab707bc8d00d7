"""The 2019 regulation's penalty articles and the city's discretion standard, as data.

Sources: ../shared/docs/domain-shanghai.md §1.9 (law text via law-cli; 《〈上海市生活垃圾管理条例〉行政处罚裁量基准》).
"""

import datetime

from django.db import migrations

IN_FORCE = datetime.date(2019, 7, 1)
REG = "《上海市生活垃圾管理条例》(2019)"
STANDARD = "《〈上海市生活垃圾管理条例〉行政处罚裁量基准》(2019)"

ARTICLES = [
    ("57(1)", "unit", "单位未将生活垃圾分别投放至相应收集容器", "违反第二十四条第一款，单位混合投放", 5000, 50000, "immediate",
     [("recyclable-dry-1", "可回收物与干垃圾混投，首次拒不改正", False, 5000, 10000),
      ("recyclable-dry-2", "可回收物与干垃圾混投，再次拒不改正", True, 10000, 20000),
      ("wet-1", "湿垃圾与可回收物/干垃圾混投，首次拒不改正", False, 5000, 20000),
      ("wet-2", "湿垃圾与可回收物/干垃圾混投，再次拒不改正", True, 20000, 30000),
      ("hazardous-1", "有害垃圾与其他垃圾混投，首次拒不改正", False, 5000, 30000),
      ("hazardous-2", "有害垃圾与其他垃圾混投，再次拒不改正", True, 30000, 50000)]),
    ("57(2)", "individual", "个人混合投放", "违反第二十四条第一款，个人将有害垃圾与可回收物、湿垃圾、干垃圾混合投放，或者将湿垃圾与可回收物、干垃圾混合投放", 50, 200, "immediate",
     [("wet-1", "湿垃圾与可回收物/干垃圾混投，首次拒不改正", False, 50, 100),
      ("wet-2", "湿垃圾与可回收物/干垃圾混投，再次拒不改正", True, 100, 200),
      ("hazardous-1", "有害垃圾与其他垃圾混投，首次拒不改正", False, 50, 150),
      ("hazardous-2", "有害垃圾与其他垃圾混投，再次拒不改正", True, 150, 200)]),
    ("58(1)", "responsible", "管理责任人未按规定设置收集容器", "违反第二十六条第一款", 500, 5000, "deadline", []),
    ("58(2)", "responsible", "管理责任人未分类驳运", "违反第二十七条第二款", 500, 5000, "immediate", []),
    ("60(1)", "collector", "收运单位车辆、标识、密闭或在线监测不合规", "违反第三十条", 5000, 50000, "deadline", []),
    ("60(2)", "collector", "收运单位混装混运", "将已分类的生活垃圾混合收集、运输，或者将有害、工业、建筑垃圾混入", 5000, 50000, "deadline", []),
]


def add(apps, schema_editor):
    Article = apps.get_model("enforcement", "Article")
    Tier = apps.get_model("enforcement", "Tier")
    for code, subject, title, condition, lo, hi, correction, tiers in ARTICLES:
        article, _ = Article.objects.get_or_create(
            code=code, effective_from=IN_FORCE,
            defaults={"subject": subject, "title": title, "condition": condition, "fine_min": lo, "fine_max": hi,
                      "correction": correction, "source": REG + ("；" + STANDARD if tiers else "")},
        )
        for t_code, label, repeat, t_lo, t_hi in tiers:
            Tier.objects.get_or_create(article=article, code=t_code,
                                       defaults={"label": label, "repeat": repeat, "fine_min": t_lo, "fine_max": t_hi})


class Migration(migrations.Migration):
    dependencies = [("enforcement", "0001_initial")]
    operations = [migrations.RunPython(add, migrations.RunPython.noop)]
