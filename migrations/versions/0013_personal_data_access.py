"""personal data (UU PDP): access entries in the audit trail; data-subject requests

Revision ID: 0013
Revises: 0009
Create Date: 2026-12-10 10:00:00

The audit trail also records who viewed, exported or downloaded whose personal data: what was
disclosed, about which subject (an access may have none: the log's own export), to how many people,
whether NIK was in full, and the reader's network. Data-subject requests (access, correction,
deletion) are kept with their 3 × 24-hour deadline.
"""

from alembic import op
import sqlalchemy as sa

import app.extensions


# revision identifiers, used by Alembic.
revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("audit_entries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("what", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("subject_label", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("people_count", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("full_nik", sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column("ip_address", sa.String(length=45), nullable=True))
        batch_op.alter_column("object_id", existing_type=sa.Integer(), nullable=True)
        batch_op.create_index("ix_audit_entries_action_at", ["action", "at"], unique=False)

    op.create_table(
        "data_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column(
            "kind",
            sa.Enum("access", "correction", "deletion", name="datarequestkind", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("details", sa.Text(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "received", "in_progress", "done", "refused", name="datarequeststatus", native_enum=False, length=20
            ),
            nullable=False,
        ),
        sa.Column("received_at", app.extensions.UTCDateTime(), nullable=False),
        sa.Column("due_at", app.extensions.UTCDateTime(), nullable=False),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("answered_at", app.extensions.UTCDateTime(), nullable=True),
        sa.Column("answered_by_id", sa.Integer(), nullable=True),
        sa.Column("closed_at", app.extensions.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["answered_by_id"], ["users.id"], name=op.f("fk_data_requests_answered_by_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_data_requests_user_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_requests")),
    )
    with op.batch_alter_table("data_requests", schema=None) as batch_op:
        batch_op.create_index("ix_data_requests_status_due_at", ["status", "due_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_data_requests_user_id"), ["user_id"], unique=False)


def downgrade():
    with op.batch_alter_table("data_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_data_requests_user_id"))
        batch_op.drop_index("ix_data_requests_status_due_at")
    op.drop_table("data_requests")

    op.execute("DELETE FROM audit_entries WHERE object_id IS NULL")
    with op.batch_alter_table("audit_entries", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_entries_action_at")
        batch_op.alter_column("object_id", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column("ip_address")
        batch_op.drop_column("full_nik")
        batch_op.drop_column("people_count")
        batch_op.drop_column("subject_label")
        batch_op.drop_column("what")
