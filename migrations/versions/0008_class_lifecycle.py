"""class lifecycle by the calendar: the effective status last recorded; nominees linked to accounts

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 10:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

STATUSES = ('draft', 'published', 'registration_open', 'registration_closed', 'running', 'finished', 'cancelled')


def upgrade():
    with op.batch_alter_table('classes', schema=None) as batch_op:
        batch_op.add_column(sa.Column(
            'recorded_status',
            sa.Enum(*STATUSES, name='classstatus', native_enum=False, length=20),
            nullable=True,
        ))
    # What the audit trail says so far is the stored status; the next `flask classes tick`
    # records whatever the calendar has changed since.
    op.execute("UPDATE classes SET recorded_status = status")
    # Registrations made for a person (nominations) before accounts were linked: a verified
    # account with the same email is that person.
    op.execute(
        "UPDATE registrations SET user_id = ("
        " SELECT users.id FROM users WHERE users.email = lower(registrations.email)"
        " AND users.email_verified_at IS NOT NULL)"
        " WHERE user_id IS NULL AND EXISTS ("
        " SELECT 1 FROM users WHERE users.email = lower(registrations.email)"
        " AND users.email_verified_at IS NOT NULL)"
    )


def downgrade():
    with op.batch_alter_table('classes', schema=None) as batch_op:
        batch_op.drop_column('recorded_status')
