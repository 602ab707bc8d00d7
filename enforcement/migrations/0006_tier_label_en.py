from django.db import migrations, models

# English labels of the 2019 discretion tiers (0002), keyed by the Chinese label (several articles share
# one), for English pages; the Chinese label stays the standard's wording.
LABELS_EN = {
    "可回收物与干垃圾混投，首次拒不改正": "Recyclables mixed with dry waste, first refusal to correct",
    "可回收物与干垃圾混投，再次拒不改正": "Recyclables mixed with dry waste, repeated refusal to correct",
    "湿垃圾与可回收物/干垃圾混投，首次拒不改正": "Wet waste mixed with recyclables/dry waste, first refusal to correct",
    "湿垃圾与可回收物/干垃圾混投，再次拒不改正": "Wet waste mixed with recyclables/dry waste, repeated refusal to correct",
    "有害垃圾与其他垃圾混投，首次拒不改正": "Hazardous waste mixed with other waste, first refusal to correct",
    "有害垃圾与其他垃圾混投，再次拒不改正": "Hazardous waste mixed with other waste, repeated refusal to correct",
}


def add_labels(apps, schema_editor):
    Tier = apps.get_model("enforcement", "Tier")
    for label, label_en in LABELS_EN.items():
        Tier.objects.filter(label=label, label_en="").update(label_en=label_en)


class Migration(migrations.Migration):
    dependencies = [
        ("enforcement", "0005_article_title_en"),
    ]

    operations = [
        migrations.AddField(
            model_name="tier",
            name="label_en",
            field=models.CharField(blank=True, max_length=160, verbose_name="label in English"),
        ),
        migrations.RunPython(add_labels, migrations.RunPython.noop),
    ]
