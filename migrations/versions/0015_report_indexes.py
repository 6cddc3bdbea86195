"""report indexes: registrations by province and by programme, access entries by reader, libraries by name

registrations.province_code is every coordinator's scope (their lists, reports and home figures);
(programme_id, status) serves a programme's registrations and figures (the unique indexes on
programme_id are partial); audit_entries.user_id the access log's reader filter and the SET NULL when
an account is deleted; libraries (name, id) the library list's order, one page without sorting all.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06 16:00:00
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_registrations_province_code'), ['province_code'], unique=False)
        batch_op.create_index('ix_registrations_programme_status', ['programme_id', 'status'], unique=False)

    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_entries_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('libraries', schema=None) as batch_op:
        batch_op.create_index('ix_libraries_name_id', ['name', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('libraries', schema=None) as batch_op:
        batch_op.drop_index('ix_libraries_name_id')

    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_entries_user_id'))

    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.drop_index('ix_registrations_programme_status')
        batch_op.drop_index(batch_op.f('ix_registrations_province_code'))
