"""DeviceToken moves from supervision to accounts (device-token auth is access, beside the session): state
only, the table keeps its name (supervision_devicetoken) and its rows. The content type is renamed so its
permissions follow the model. supervision's 0014 removes the model from supervision's state."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def rename_content_type(apps, schema_editor, old="supervision", new="accounts"):
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    if not ContentType.objects.using(db).filter(app_label=new, model="devicetoken").exists():
        ContentType.objects.using(db).filter(app_label=old, model="devicetoken").update(app_label=new)


def rename_back(apps, schema_editor):
    rename_content_type(apps, schema_editor, old="accounts", new="supervision")


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_account_claim"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("supervision", "0013_shift_signup_offer_code"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="DeviceToken",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("name", models.CharField(blank=True, max_length=80, verbose_name="device")),
                        ("prefix", models.CharField(max_length=8)),
                        ("key_hash", models.CharField(max_length=64, unique=True)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("last_used_at", models.DateTimeField(blank=True, null=True)),
                        ("revoked", models.BooleanField(default=False, verbose_name="revoked")),
                        (
                            "user",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="device_tokens",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "device token",
                        "verbose_name_plural": "device tokens",
                        "db_table": "supervision_devicetoken",
                    },
                ),
            ],
            database_operations=[migrations.RunPython(rename_content_type, rename_back)],
        ),
    ]
