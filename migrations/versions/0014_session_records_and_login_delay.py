"""auth: login sessions that end on the server; failed-login counters per address

Sessions get last_seen_at, ended_at/ended_reason, a device summary and a masked address instead of
the full IP address and user agent (both dropped). login_throttles counts wrong passwords per address.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 10:00:00

Existing sessions keep working: last seen = started, the address is masked, the user agent dropped.
"""
import ipaddress

from alembic import op
import sqlalchemy as sa

import app.extensions


# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

SESSION_END = sa.Enum('password_changed', 'password_reset', 'ended_by_user', 'deactivated', 'unproven', 'idle',
                      'expired', name='sessionend', native_enum=False, length=20)


def _mask(ip):
    """103.10.x.x / 2001:db8:x:x:… as app.auth.sessions.mask_address does (copied: migrations stay fixed)."""
    try:
        parsed = ipaddress.ip_address((ip or '').strip())
    except ValueError:
        return None
    if parsed.version == 4:
        a, b = str(parsed).split('.')[:2]
        return f'{a}.{b}.x.x'
    groups = parsed.exploded.split(':')[:2]
    return ':'.join(g.lstrip('0') or '0' for g in groups) + ':x:x:…'


def upgrade():
    with op.batch_alter_table('login_sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_seen_at', app.extensions.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('device', sa.String(length=80), nullable=True))
        batch_op.add_column(sa.Column('address', sa.String(length=45), nullable=True))
        batch_op.add_column(sa.Column('ended_at', app.extensions.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('ended_reason', SESSION_END, nullable=True))

    conn = op.get_bind()
    for row_id, ip in conn.execute(sa.text('SELECT id, ip_address FROM login_sessions')).all():
        conn.execute(sa.text('UPDATE login_sessions SET address = :address WHERE id = :id'),
                     {'address': _mask(ip), 'id': row_id})
    op.execute('UPDATE login_sessions SET last_seen_at = created_at')

    with op.batch_alter_table('login_sessions', schema=None) as batch_op:
        batch_op.alter_column('last_seen_at', existing_type=app.extensions.UTCDateTime(), nullable=False)
        batch_op.drop_column('user_agent')
        batch_op.drop_column('ip_address')

    op.create_table('login_throttles',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('last_failed_at', app.extensions.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_login_throttles'))
    )
    with op.batch_alter_table('login_throttles', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_login_throttles_last_failed_at'), ['last_failed_at'], unique=False)


def downgrade():
    with op.batch_alter_table('login_throttles', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_throttles_last_failed_at'))
    op.drop_table('login_throttles')

    op.execute('DELETE FROM login_sessions WHERE ended_at IS NOT NULL')
    with op.batch_alter_table('login_sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ip_address', sa.String(length=45), nullable=True))
        batch_op.add_column(sa.Column('user_agent', sa.String(length=255), nullable=True))
        batch_op.drop_column('ended_reason')
        batch_op.drop_column('ended_at')
        batch_op.drop_column('address')
        batch_op.drop_column('device')
        batch_op.drop_column('last_seen_at')
