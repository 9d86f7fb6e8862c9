"""Challenge guards (security review, issue #14): a prize above the ceiling waits for an admin.

Existing challenges: a prize counts as approved when it was already paid (closed), is within the
new default ceiling (500) or was set by an admin; a lead's larger prize on a challenge still open
waits for an admin's approval like a new one would.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

DEFAULT_CEILING = 500  # max_challenge_prize before any admin changed it


def upgrade() -> None:
    with op.batch_alter_table("challenges") as batch:
        batch.add_column(sa.Column("prize_approved_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("prize_approved_by_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(op.f("fk_challenges_prize_approved_by_id_users"), "users",
                                 ["prize_approved_by_id"], ["id"], ondelete="SET NULL")
    op.execute(sa.text(
        "UPDATE challenges SET prize_approved_at = created_at WHERE closed_at IS NOT NULL OR prize_points <= :ceiling"
        " OR created_by_id IN (SELECT id FROM users WHERE role = 'admin')").bindparams(ceiling=DEFAULT_CEILING))


def downgrade() -> None:
    with op.batch_alter_table("challenges") as batch:
        batch.drop_constraint(op.f("fk_challenges_prize_approved_by_id_users"), type_="foreignkey")
        batch.drop_column("prize_approved_by_id")
        batch.drop_column("prize_approved_at")
