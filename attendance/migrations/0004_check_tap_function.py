"""The check-in tap as one database function: the child's lock and the write in one statement, one round trip.

``attendance.services`` used to send the lock statement and the write with BEGIN and COMMIT in psycopg's pipeline
mode. Called as one statement (``SELECT * FROM attendance_check_tap(...)``, prepared, in its own implicit
transaction) the tap costs less CPU on both sides. The two steps must stay two statements: the write has to
start after the lock is granted, with a snapshot that sees a concurrent tap for the same child. In a VOLATILE
PL/pgSQL function each statement takes a new snapshot (READ COMMITTED), as the two pipelined statements did.

Steps:
1. The child's check-in placement in the tapped unit (the unit itself or a department/group of it) on the day,
   in a unit the caller may check children in: the access layer's unit path prefixes (or everywhere) for a
   session, or, for a tap token's grant, the grant's account still active with the access epoch of the grant
   (``attendance.tokens``); then a transaction-level advisory lock on the child (``p_lock_class``).
2. With the lock held: the placement again, the key's earlier tap (a replay), the child's last check kind in
   the unit that day (a repeated state is a double tap), the insert unless any says no (ON CONFLICT: a replay
   racing this one), an arrival resolving the missing-arrival alert, and the audit row of the new tap.

Returns one row: the locked placement (child, unit; NULL when not placed), the placement as the write saw it,
the new tap's id, the state before, and the key's earlier tap (child, unit, kind, at).
"""

from django.db import migrations

PLACEMENT = """
    SELECT p.child_id, p.unit_id
    FROM people_placement p
    JOIN organisation_orgunit u ON u.id = p_unit
    WHERE p.child_id = p_child AND (p.unit_id = p_unit OR p.group_id = p_unit)
      AND p.service = ANY(p_services)
      AND p.start_date <= p_day AND (p.end_date IS NULL OR p.end_date >= p_day)
      AND (p_everywhere OR u.path ^@ ANY(p_prefixes))
      AND (p_grant_user IS NULL OR EXISTS (
          SELECT 1 FROM auth_user a WHERE a.id = p_grant_user AND a.is_active
            AND (SELECT value FROM access_epoch WHERE id = 1) IS NOT DISTINCT FROM p_grant_epoch))
    ORDER BY p.id
    LIMIT 1
"""

FUNCTION = f"""
CREATE OR REPLACE FUNCTION attendance_check_tap(
    p_lock_class integer, p_unit bigint, p_child bigint, p_services text[], p_day date,
    p_everywhere boolean, p_prefixes text[], p_grant_user integer, p_grant_epoch bigint,
    p_kind text, p_at timestamptz, p_key text, p_user integer, p_arrival boolean,
    a_at timestamptz, a_user_id bigint, a_actor_display text, a_acting_role text, a_action text, a_event text,
    a_person_ids bigint[], a_object_type text, a_ip text, a_session_ref text, a_path text, a_method text,
    a_details jsonb
) RETURNS TABLE (
    o_locked_child bigint, o_locked_unit bigint, o_placed_child bigint, o_new_id bigint, o_state text,
    o_taken_child bigint, o_taken_unit bigint, o_taken_kind text, o_taken_at timestamptz
) LANGUAGE plpgsql VOLATILE AS $fn$
#variable_conflict use_column
DECLARE
    v_child bigint;
    v_unit bigint;
BEGIN
    SELECT d.child_id, d.unit_id INTO v_child, v_unit FROM ({PLACEMENT}) AS d;
    IF v_child IS NOT NULL THEN
        PERFORM pg_advisory_xact_lock(p_lock_class, (v_child % 2147483647)::integer);
    END IF;
    RETURN QUERY
    WITH placed AS ({PLACEMENT}
    ), taken AS (
        SELECT e.child_id, e.unit_id, e.kind, e.at FROM attendance_attendanceevent e WHERE e.key = p_key
    ), state AS (
        SELECT e.kind FROM attendance_attendanceevent e JOIN placed ON e.child_id = placed.child_id
        WHERE e.unit_id = placed.unit_id AND e.day = p_day
        ORDER BY e.at DESC, e.id DESC
        LIMIT 1
    ), ins AS (
        INSERT INTO attendance_attendanceevent (child_id, unit_id, day, kind, at, key, user_id)
        SELECT placed.child_id, placed.unit_id, p_day, p_kind, p_at, p_key, p_user
        FROM placed
        WHERE NOT EXISTS (SELECT 1 FROM taken) AND COALESCE((SELECT kind FROM state), 'out') <> p_kind
        ON CONFLICT (key) DO NOTHING
        RETURNING id
    ), resolved AS (
        UPDATE attendance_missingarrival m SET resolved_at = p_at
        FROM placed
        WHERE p_arrival AND EXISTS (SELECT 1 FROM ins)
          AND m.child_id = placed.child_id AND m.unit_id = placed.unit_id AND m.day = p_day
          AND m.resolved_at IS NULL
    ), audit AS (
        INSERT INTO audit_auditevent (at, user_id, actor_display, acting_role, action, event, person_ids,
                                      object_type, object_id, ip, session_ref, path, method, details)
        SELECT a_at, a_user_id, a_actor_display, a_acting_role, a_action, a_event, a_person_ids, a_object_type,
               ins.id::text, a_ip, a_session_ref, a_path, a_method, a_details
        FROM ins
    )
    SELECT v_child, v_unit, (SELECT child_id FROM placed), (SELECT id FROM ins), (SELECT kind FROM state)::text,
           taken.child_id, taken.unit_id, taken.kind::text, taken.at
    FROM (SELECT 1) AS one LEFT JOIN taken ON true;
END
$fn$
"""

DROP = "DROP FUNCTION IF EXISTS attendance_check_tap"


class Migration(migrations.Migration):
    dependencies = [
        ("attendance", "0003_checkin_indexes"),
        ("access", "0002_access_epoch"),
        ("audit", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunSQL(FUNCTION, DROP)]
