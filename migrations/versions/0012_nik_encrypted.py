"""registrations: NIK, NIP and WhatsApp (and users' phone) encrypted at rest, a keyed NIK hash, purged_at

Revision ID: 0012
Revises: 0009
Create Date: 2026-12-04 10:00:00

Existing plaintext NIKs/NIPs are encrypted (and their hashes filled) in batches with the app's
keys (PII_KEYS / PII_HASH_KEY, or those derived from SECRET_KEY): run it with the settings the app
will run with. The unique "one active registration per NIK per programme" index moves to the hash.
A purge (`flask privacy purge`) leaves NIK, hash and birth date NULL; downgrading cannot bring
those back, so a purged row gets a stand-in NIK of its id in 16 digits and 1900-01-01.
"""
from datetime import date

from alembic import op
import sqlalchemy as sa

import app.extensions
from app import crypto


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

ACTIVE = "status IN ('submitted', 'approved', 'waitlisted')"
BATCH = 500
# The table as this migration sees it (raw values: no model, no type decorator).
registrations = sa.table(
    'registrations', sa.column('id', sa.Integer), sa.column('nik', sa.String), sa.column('nip', sa.String),
    sa.column('nik_hash', sa.String), sa.column('birth_date', sa.Date), sa.column('whatsapp', sa.String),
)
users = sa.table('users', sa.column('id', sa.Integer), sa.column('phone', sa.String))


def _rewrite(convert, columns, table=registrations, read=('nik', 'nip', 'whatsapp')):
    """Rewrite `columns` of every row of `table`, BATCH rows at a time: convert(row) -> new values."""
    bind = op.get_bind()
    t = table.c
    statement = table.update().where(t.id == sa.bindparam('row_id')).values(
        {name: sa.bindparam('new_' + name) for name in columns}
    )
    last = 0
    while True:
        rows = bind.execute(
            sa.select(t.id, *(t[name] for name in read)).where(t.id > last).order_by(t.id).limit(BATCH)
        ).all()
        if not rows:
            return
        params = []
        for row in rows:
            values = convert(row)
            params.append({'row_id': row.id, **{'new_' + name: values[name] for name in columns}})
        bind.execute(statement, params)
        last = rows[-1].id


def _encrypt(row):
    return {
        'nik': crypto.encrypt(row.nik) if row.nik else None,
        'nip': crypto.encrypt(row.nip) if row.nip else None,
        'nik_hash': crypto.keyed_hash(row.nik) if row.nik else None,
        'whatsapp': crypto.encrypt(row.whatsapp) if row.whatsapp is not None else None,
    }


def _encrypt_phone(row):
    return {'phone': crypto.encrypt(row.phone) if row.phone else row.phone}


def _decrypt_phone(row):
    return {'phone': crypto.decrypt(row.phone) if row.phone else row.phone}


def _decrypt(row):
    return {
        'nik': crypto.decrypt(row.nik) if row.nik else f'{row.id:016d}',  # purged: a stand-in
        'nip': crypto.decrypt(row.nip) if row.nip else None,
        'whatsapp': crypto.decrypt(row.whatsapp) if row.whatsapp else row.whatsapp,
    }


def upgrade():
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.drop_index('uq_registrations_active_nik')
        batch_op.drop_index('ix_registrations_nik')
        batch_op.add_column(sa.Column('nik_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('purged_at', app.extensions.UTCDateTime(), nullable=True))
        batch_op.alter_column('nik', existing_type=sa.String(length=16), type_=sa.String(length=255),
                              nullable=True)
        batch_op.alter_column('nip', existing_type=sa.String(length=18), type_=sa.String(length=255),
                              existing_nullable=True)
        batch_op.alter_column('birth_date', existing_type=sa.Date(), nullable=True)
        batch_op.alter_column('whatsapp', existing_type=sa.String(length=20), type_=sa.String(length=255),
                              existing_nullable=False)
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.alter_column('phone', existing_type=sa.String(length=20), type_=sa.String(length=255),
                              existing_nullable=True)

    _rewrite(_encrypt, ('nik', 'nip', 'nik_hash', 'whatsapp'))
    _rewrite(_encrypt_phone, ('phone',), table=users, read=('phone',))

    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_registrations_nik_hash'), ['nik_hash'], unique=False)
        batch_op.create_index('uq_registrations_active_nik', ['programme_id', 'nik_hash'], unique=True,
                              sqlite_where=sa.text(ACTIVE), postgresql_where=sa.text(ACTIVE))


def downgrade():
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.drop_index('uq_registrations_active_nik')
        batch_op.drop_index(batch_op.f('ix_registrations_nik_hash'))

    _rewrite(_decrypt, ('nik', 'nip', 'whatsapp'))
    _rewrite(_decrypt_phone, ('phone',), table=users, read=('phone',))
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.alter_column('phone', existing_type=sa.String(length=255), type_=sa.String(length=20),
                              existing_nullable=True)
    op.execute(registrations.update().where(registrations.c.birth_date.is_(None)).values(birth_date=date(1900, 1, 1)))

    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.alter_column('birth_date', existing_type=sa.Date(), nullable=False)
        batch_op.alter_column('nip', existing_type=sa.String(length=255), type_=sa.String(length=18),
                              existing_nullable=True)
        batch_op.alter_column('nik', existing_type=sa.String(length=255), type_=sa.String(length=16),
                              nullable=False)
        batch_op.alter_column('whatsapp', existing_type=sa.String(length=255), type_=sa.String(length=20),
                              existing_nullable=False)
        batch_op.drop_column('purged_at')
        batch_op.drop_column('nik_hash')
        batch_op.create_index(batch_op.f('ix_registrations_nik'), ['nik'], unique=False)
        batch_op.create_index('uq_registrations_active_nik', ['programme_id', 'nik'], unique=True,
                              sqlite_where=sa.text(ACTIVE), postgresql_where=sa.text(ACTIVE))
