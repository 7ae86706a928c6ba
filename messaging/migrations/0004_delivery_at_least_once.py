"""E-mail is delivered at least once: the UNCERTAIN state goes; rows left in it are sent again (same Message-ID)."""

from typing import Any

from django.db import migrations, models


def uncertain_to_pending(apps: Any, schema_editor: Any) -> None:
    Delivery = apps.get_model("messaging", "Delivery")  # noqa: N806 - a model class
    Delivery.objects.filter(status="uncertain").update(
        status="pending", claimed_at=None, attempted_at=None, last_error="sendes på nytt (samme Message-ID)"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("messaging", "0003_mailbox_handlers_participants_quiet_hours"),
    ]

    operations = [
        migrations.RunPython(uncertain_to_pending, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="delivery",
            name="status",
            field=models.CharField(
                choices=[
                    ("pending", "Venter"),
                    ("sending", "Sendes"),
                    ("sent", "Sendt"),
                    ("failed", "Feilet"),
                    ("no_contact", "Mangler kontaktinformasjon"),
                ],
                default="pending",
                max_length=12,
            ),
        ),
    ]
