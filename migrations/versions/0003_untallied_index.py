"""Index the untallied activity events by id, so a tally job finds new events without walking
past every event ever tallied.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_activity_events_untallied", "activity_events", ["id"], unique=False,
                    postgresql_where=sa.text("tallied_at IS NULL"), sqlite_where=sa.text("tallied_at IS NULL"))


def downgrade() -> None:
    op.drop_index("ix_activity_events_untallied", table_name="activity_events")
