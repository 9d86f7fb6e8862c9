"""users.session_version: console sign-ins carry it; sign-out and a new password bump it, which ends
every console session of that person on the server (the cookie itself is client-side).

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The server default fills the existing rows (a NOT NULL column needs a value for them).
    op.add_column("users", sa.Column("session_version", sa.Integer(), server_default="0", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:  # SQLite drops a column by copying the table
        batch.drop_column("session_version")
