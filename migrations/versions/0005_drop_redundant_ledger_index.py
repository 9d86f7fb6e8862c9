"""Drop ix_ledger_entries_user_id: ix_ledger_entries_user_created starts with user_id and serves
every lookup it did, while each ledger insert paid for both.

Revision ID: 0005
Revises: 0004
"""

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_ledger_entries_user_id", table_name="ledger_entries")


def downgrade() -> None:
    op.create_index("ix_ledger_entries_user_id", "ledger_entries", ["user_id"], unique=False)
