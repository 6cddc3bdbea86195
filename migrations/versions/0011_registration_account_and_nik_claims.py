"""registration: one active registration per account per programme; NIK claims

Revision ID: 0011
Revises: 0009
Create Date: 2026-12-10 10:00:00

A participant account registers its own holder only. Accounts that registered several people in
one programme before this revision keep one active registration there (the one made with the
account's own address, else the earliest); the others stay as they are but are detached from the
account (user_id NULL), as a nominee's registration without an account is, so organisers still see
and decide them. The downgrade drops the index and the claims; detached rows stay detached.
"""
from collections import defaultdict

from alembic import op
import sqlalchemy as sa

import app.extensions


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0009'
branch_labels = None
depends_on = None

ACTIVE = "status IN ('submitted', 'approved', 'waitlisted')"


def _detach_extra_registrations() -> None:
    conn = op.get_bind()
    rows = conn.execute(sa.text(
        "SELECT r.id, r.programme_id, r.user_id, r.email, u.email AS account_email "
        "FROM registrations r JOIN users u ON u.id = r.user_id "
        "WHERE r.status IN ('submitted', 'approved', 'waitlisted') ORDER BY r.created_at, r.id"
    )).all()
    held = defaultdict(list)
    for row in rows:
        held[(row.programme_id, row.user_id)].append(row)
    detach = []
    for group in held.values():
        if len(group) > 1:
            keep = next((r for r in group if r.email == r.account_email), group[0])
            detach += [r.id for r in group if r.id != keep.id]
    if detach:
        conn.execute(sa.text("UPDATE registrations SET user_id = NULL WHERE id IN :ids")
                     .bindparams(sa.bindparam("ids", expanding=True)), {"ids": detach})


def upgrade():
    _detach_extra_registrations()
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.create_index('uq_registrations_active_user', ['programme_id', 'user_id'], unique=True,
                              sqlite_where=sa.text(ACTIVE), postgresql_where=sa.text(ACTIVE))

    op.create_table('nik_claims',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('nik', sa.String(length=255), nullable=False),
    sa.Column('explanation', sa.String(length=500), nullable=False),
    sa.Column('letter_path', sa.String(length=100), nullable=True),
    sa.Column('letter_mimetype', sa.String(length=40), nullable=True),
    sa.Column('status', sa.Enum('open', 'accepted', 'refused', name='nikclaimstatus', native_enum=False,
                                length=20), nullable=False),
    sa.Column('decision_note', sa.String(length=300), nullable=True),
    sa.Column('cancelled_registration_id', sa.Integer(), nullable=True),
    sa.Column('created_at', app.extensions.UTCDateTime(), nullable=False),
    sa.Column('decided_at', app.extensions.UTCDateTime(), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['cancelled_registration_id'], ['registrations.id'],
                            name=op.f('fk_nik_claims_cancelled_registration_id_registrations'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_nik_claims_decided_by_id_users'),
                            ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['programme_id'], ['programmes.id'], name=op.f('fk_nik_claims_programme_id_programmes'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_nik_claims_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_nik_claims'))
    )
    with op.batch_alter_table('nik_claims', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_nik_claims_programme_id'), ['programme_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_nik_claims_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_nik_claims_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('nik_claims', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_nik_claims_user_id'))
        batch_op.drop_index(batch_op.f('ix_nik_claims_status'))
        batch_op.drop_index(batch_op.f('ix_nik_claims_programme_id'))
    op.drop_table('nik_claims')
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.drop_index('uq_registrations_active_user', sqlite_where=sa.text(ACTIVE),
                            postgresql_where=sa.text(ACTIVE))
