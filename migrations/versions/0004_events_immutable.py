"""Activity events stop carrying `tallied_at`: the tally's work list is the "tally" outbox rows
(processed = tallied), so a tally batch no longer rewrites every event it reads.

Before the column goes, every event still marked untallied gets an unprocessed outbox row
(normally it already has one, committed with it), so nothing waiting is forgotten.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("""
        UPDATE outbox_messages SET processed_at = NULL
        WHERE topic = 'tally' AND ref_id IN (SELECT id FROM activity_events WHERE tallied_at IS NULL)""")
    op.execute("""
        INSERT INTO outbox_messages (topic, ref_id, created_at, dispatched_at, attempts)
        SELECT 'tally', e.id, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 0 FROM activity_events e
        WHERE e.tallied_at IS NULL
          AND NOT EXISTS (SELECT 1 FROM outbox_messages o WHERE o.topic = 'tally' AND o.ref_id = e.id)""")
    op.drop_index("ix_activity_events_untallied", table_name="activity_events")
    with op.batch_alter_table("activity_events") as batch:
        batch.drop_column("tallied_at")


def downgrade() -> None:
    with op.batch_alter_table("activity_events") as batch:
        batch.add_column(sa.Column("tallied_at", sa.DateTime(timezone=True), nullable=True))
    op.execute("""
        UPDATE activity_events SET tallied_at = (
            SELECT max(o.processed_at) FROM outbox_messages o WHERE o.topic = 'tally' AND o.ref_id = activity_events.id)
        WHERE NOT EXISTS (SELECT 1 FROM outbox_messages o
                          WHERE o.topic = 'tally' AND o.ref_id = activity_events.id AND o.processed_at IS NULL)""")
    op.execute("UPDATE activity_events SET tallied_at = occurred_at WHERE tallied_at IS NULL AND NOT EXISTS "
               "(SELECT 1 FROM outbox_messages o WHERE o.topic = 'tally' AND o.ref_id = activity_events.id)")
    op.create_index("ix_activity_events_untallied", "activity_events", ["id"], unique=False,
                    postgresql_where=sa.text("tallied_at IS NULL"), sqlite_where=sa.text("tallied_at IS NULL"))
