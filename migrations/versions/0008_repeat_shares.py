"""shares.is_repeat: a share of a post on a network the sharer already shared it on earns nothing.
Existing repeats are marked (every share after a person's first of that post and network), and
uq_shares_first_of_kind lets only one share per person, post and network be the first.

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("shares", sa.Column("is_repeat", sa.Boolean(), server_default=sa.false(), nullable=False))
    op.execute("""
        UPDATE shares SET is_repeat = true
        WHERE EXISTS (SELECT 1 FROM shares earlier
                      WHERE earlier.user_id = shares.user_id AND earlier.post_id = shares.post_id
                        AND earlier.network = shares.network AND earlier.id < shares.id)""")
    op.create_index("uq_shares_first_of_kind", "shares", ["user_id", "post_id", "network"], unique=True,
                    postgresql_where=sa.text("NOT is_repeat"), sqlite_where=sa.text("NOT is_repeat"))


def downgrade() -> None:
    op.drop_index("uq_shares_first_of_kind", table_name="shares")
    op.drop_column("shares", "is_repeat")
