"""attendance: a mark may carry only a note (status NULL); a NULL note leaves the note alone

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 10:00:00

Marks before this revision always set the note (NULL meant "no note"); they now store "" for
that, so the meaning of old marks does not change under the per-field merge.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

STATUS = sa.Enum('hadir', 'terlambat', 'izin', 'sakit', 'alpa', name='attendancestatus', native_enum=False,
                 length=20)


def upgrade():
    with op.batch_alter_table('attendance_marks', schema=None) as batch_op:
        batch_op.alter_column('status', existing_type=STATUS, nullable=True)
    op.execute("UPDATE attendance_marks SET note = '' WHERE note IS NULL")


def downgrade():
    op.execute("DELETE FROM attendance_marks WHERE status IS NULL")
    op.execute("UPDATE attendance_marks SET note = NULL WHERE note = ''")
    with op.batch_alter_table('attendance_marks', schema=None) as batch_op:
        batch_op.alter_column('status', existing_type=STATUS, nullable=False)
