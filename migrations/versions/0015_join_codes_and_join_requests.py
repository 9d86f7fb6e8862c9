"""join_codes (a team's code for people without a work email to ask to join it) and join_requests
(each person who used one: pending until a lead of the team approves or declines).

Revision ID: 0015
Revises: 0014
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "join_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("max_uses", sa.Integer(), nullable=True),
        sa.Column("uses", sa.Integer(), server_default="0", nullable=False),
        sa.Column("auto_approve", sa.Boolean(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("max_uses IS NULL OR max_uses >= 1", name=op.f("ck_join_codes_max_uses")),
        sa.CheckConstraint("uses >= 0", name=op.f("ck_join_codes_uses")),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], name=op.f("fk_join_codes_created_by_id_users"),
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["team_id"], ["teams.id"], name=op.f("fk_join_codes_team_id_teams"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_join_codes")),
        sa.UniqueConstraint("code", name=op.f("uq_join_codes_code")),
    )
    op.create_index(op.f("ix_join_codes_team_id"), "join_codes", ["team_id"], unique=False)
    op.create_table(
        "join_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("join_code_id", sa.Integer(), nullable=True),
        sa.Column("display_name", sa.String(length=80), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("status IN ('pending', 'approved', 'declined')", name=op.f("ck_join_requests_status")),
        sa.ForeignKeyConstraint(["decided_by_id"], ["users.id"], name=op.f("fk_join_requests_decided_by_id_users"),
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["join_code_id"], ["join_codes.id"],
                                name=op.f("fk_join_requests_join_code_id_join_codes"), ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["team_id"], ["teams.id"], name=op.f("fk_join_requests_team_id_teams"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_join_requests_user_id_users"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_join_requests")),
    )
    op.create_index(op.f("ix_join_requests_user_id"), "join_requests", ["user_id"], unique=False)
    op.create_index("ix_join_requests_team_id_status_id", "join_requests", ["team_id", "status", "id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_join_requests_team_id_status_id", table_name="join_requests")
    op.drop_index(op.f("ix_join_requests_user_id"), table_name="join_requests")
    op.drop_table("join_requests")
    op.drop_index(op.f("ix_join_codes_team_id"), table_name="join_codes")
    op.drop_table("join_codes")
