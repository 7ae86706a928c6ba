"""Deliveries are claimed by the shared lease claim (integrations.outbox.lease): a claim token and a lease."""

import datetime as dt
from typing import Any

from django.db import migrations, models
from django.db.models import F


def sending_rows_get_a_lease(apps: Any, schema_editor: Any) -> None:
    """Rows a worker of the old code held: their lease runs out as the old one did (claimed_at + 120 s)."""
    Delivery = apps.get_model("messaging", "Delivery")  # noqa: N806 - a model class
    Delivery.objects.filter(status="sending", lease_expires_at__isnull=True).update(
        lease_expires_at=F("claimed_at") + dt.timedelta(seconds=120)
    )


class Migration(migrations.Migration):

    dependencies = [
        ('messaging', '0004_delivery_at_least_once'),
    ]

    operations = [
        migrations.AddField(
            model_name='delivery',
            name='claim_token',
            field=models.UUIDField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='delivery',
            name='lease_expires_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddIndex(
            model_name='delivery',
            index=models.Index(condition=models.Q(('status', 'sending')), fields=['lease_expires_at'], name='delivery_sending_lease'),
        ),
        migrations.RunPython(sending_rows_get_a_lease, migrations.RunPython.noop),
    ]
