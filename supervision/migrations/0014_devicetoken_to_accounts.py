"""DeviceToken moved to accounts (accounts' 0004): removed from supervision's state only; the table
(supervision_devicetoken) and its rows stay, now accounts.DeviceToken's."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("supervision", "0013_shift_signup_offer_code"),
        ("accounts", "0004_devicetoken_from_supervision"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="DeviceToken")],
            database_operations=[],
        ),
    ]
