"""users.username (sign-in for people without a work email, stored lower-case) and users.employee_id
(HR's id, what a bulk import matches on first); both unique where set.

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("username", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("employee_id", sa.String(length=64), nullable=True))
        batch.create_unique_constraint("uq_users_username", ["username"])
        batch.create_unique_constraint("uq_users_employee_id", ["employee_id"])


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_constraint("uq_users_employee_id", type_="unique")
        batch.drop_constraint("uq_users_username", type_="unique")
        batch.drop_column("employee_id")
        batch.drop_column("username")
