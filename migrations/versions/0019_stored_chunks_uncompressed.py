"""stored file chunks: PostgreSQL keeps their bytes as they are, without trying to compress them

The files kept there (certificate PDFs, the bulk jobs' ZIP and print file, JPEG/PNG images,
letters) are compressed already: with the default storage (EXTENDED) PostgreSQL ran pglz over
every value, found it would not shrink and stored it as it was, about 0.85 s of server CPU for
the ~48 MB a 1,238-certificate job writes (issue #15, docs/certificates-performance.md). EXTERNAL
stores them out of line uncompressed. Existing values stay as they are. Nothing to do on SQLite.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07 02:05:00
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('ALTER TABLE stored_file_chunks ALTER COLUMN data SET STORAGE EXTERNAL')


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('ALTER TABLE stored_file_chunks ALTER COLUMN data SET STORAGE EXTENDED')
