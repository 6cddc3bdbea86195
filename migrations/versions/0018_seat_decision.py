"""registrations: the seat decision inside PostgreSQL (issue #15, the registration rush)

sibimtek_decide_seat(class, registration, seats counted, decision, decided at) locks the class row,
checks that the approved seats are still those the caller counted and writes the decision; called in
autocommit, the lock lasts milliseconds instead of a request's round trips. A snapshot of
app/registration/seats.py DECIDE_SEAT_SQL (tests/registration/test_seat_decision.py compares the
function in a migrated database with it). PostgreSQL only: SQLite has one writer at a time.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07 02:00:00
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None

DECIDE_SEAT_SQL = """
CREATE OR REPLACE FUNCTION sibimtek_decide_seat(
    p_class integer, p_registration integer, p_seats text, p_status varchar, p_decided_at timestamp
) RETURNS TABLE (outcome text, held_ms double precision, waited_ms double precision)
LANGUAGE plpgsql AS $$
DECLARE
    called_at timestamptz := clock_timestamp();
    locked_at timestamptz;
    seats text;
BEGIN
    PERFORM 1 FROM classes WHERE id = p_class FOR UPDATE;
    locked_at := clock_timestamp();
    SELECT coalesce(string_agg(s.province_code || '/' || s.quota_group || '=' || s.n, ','
                               ORDER BY s.province_code COLLATE "C", s.quota_group COLLATE "C"), '')
      INTO seats
      FROM (SELECT r.province_code, r.quota_group, count(*) AS n
              FROM registrations AS r
             WHERE r.class_id = p_class AND r.status = 'approved'
             GROUP BY r.province_code, r.quota_group) AS s;
    IF seats IS DISTINCT FROM p_seats THEN
        outcome := 'recount';
    ELSE
        UPDATE registrations
           SET status = p_status, decided_at = CASE WHEN p_status = 'approved' THEN p_decided_at END
         WHERE id = p_registration AND class_id = p_class AND status = 'submitted';
        outcome := CASE WHEN FOUND THEN 'decided' ELSE 'gone' END;
    END IF;
    held_ms := extract(epoch FROM clock_timestamp() - locked_at) * 1000;
    waited_ms := extract(epoch FROM locked_at - called_at) * 1000;
    RETURN NEXT;
END
$$
"""


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(DECIDE_SEAT_SQL)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS sibimtek_decide_seat(integer, integer, text, varchar, timestamp)")
