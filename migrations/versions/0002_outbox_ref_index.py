"""Index the outbox's unprocessed rows by (topic, ref_id) for mark_processed.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_outbox_messages_unprocessed_ref", "outbox_messages", ["topic", "ref_id"], unique=False,
                    postgresql_where=sa.text("processed_at IS NULL"), sqlite_where=sa.text("processed_at IS NULL"))


def downgrade() -> None:
    op.drop_index("ix_outbox_messages_unprocessed_ref", table_name="outbox_messages")
