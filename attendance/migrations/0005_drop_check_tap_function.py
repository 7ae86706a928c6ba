"""The check-in tap is ordinary Django again (``attendance.services.attendance_check``): its database function goes.

Reversing recreates the function of 0004 (which no code calls any more).
"""

from importlib import import_module

from django.db import migrations

DROP = "DROP FUNCTION IF EXISTS attendance_check_tap"
CREATE = import_module("attendance.migrations.0004_check_tap_function").FUNCTION


class Migration(migrations.Migration):
    dependencies = [("attendance", "0004_check_tap_function")]

    operations = [migrations.RunSQL(DROP, CREATE)]
