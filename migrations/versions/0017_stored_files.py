"""stored files: the database backend of the file store (issue #15, app/core/files)

One row per file in stored_files (area + name unique: "certificates", "jobs/job-3.zip"; its size
and SHA-256), its bytes in stored_file_chunks of FILE_STORE_CHUNK (1 MiB) each, deleted with the
file (ON DELETE CASCADE). Used when FILE_STORE=database; empty with the local backend. On SQLite
the ids are AUTOINCREMENT: a replaced file's id is never given to its successor.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06 22:40:00
"""
from alembic import op
import sqlalchemy as sa

import app.extensions


# revision identifiers, used by Alembic.
revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('stored_files',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('area', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=True),
    sa.Column('created_at', app.extensions.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stored_files')),
    sa.UniqueConstraint('area', 'name', name=op.f('uq_stored_files_area_name')),
    sqlite_autoincrement=True,
    )
    op.create_table('stored_file_chunks',
    sa.Column('file_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['file_id'], ['stored_files.id'], name=op.f('fk_stored_file_chunks_file_id_stored_files'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('file_id', 'seq', name=op.f('pk_stored_file_chunks'))
    )


def downgrade():
    op.drop_table('stored_file_chunks')
    op.drop_table('stored_files')
