"""The social media policy (policy_versions, policy_acceptances) and my sessions (auth_sessions: one row
per refresh-token family, which access tokens name in their `sid` claim).

Live families from before this migration get their row here, so they show in "my sessions" at once
(device "Unknown device": the User-Agent of their sign-in was never stored).

Revision ID: 0014
Revises: 0012
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "policy_versions",
        sa.Column("version", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["published_by"], ["users.id"], name=op.f("fk_policy_versions_published_by_users"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("version", name=op.f("pk_policy_versions")),
    )
    op.create_table(
        "policy_acceptances",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_policy_acceptances_user_id_users"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["version"], ["policy_versions.version"],
                                name=op.f("fk_policy_acceptances_version_policy_versions"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id", "version", name=op.f("pk_policy_acceptances")),
    )
    op.create_table(
        "auth_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("family_id", sa.String(length=32), nullable=False),
        sa.Column("device", sa.String(length=80), nullable=False),
        sa.Column("app", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_auth_sessions_user_id_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_auth_sessions")),
        sa.UniqueConstraint("family_id", name=op.f("uq_auth_sessions_family_id")),
    )
    op.create_index(op.f("ix_auth_sessions_user_id"), "auth_sessions", ["user_id"])
    op.execute(
        "INSERT INTO auth_sessions (user_id, family_id, device, app, created_at, last_used_at, expires_at) "
        "SELECT MIN(user_id), family_id, 'Unknown device', 'other', MIN(issued_at), MAX(issued_at), MAX(expires_at) "
        "FROM refresh_tokens WHERE revoked_at IS NULL GROUP BY family_id"
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_auth_sessions_user_id"), table_name="auth_sessions")
    op.drop_table("auth_sessions")
    op.drop_table("policy_acceptances")
    op.drop_table("policy_versions")
