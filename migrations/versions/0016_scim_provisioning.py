"""SCIM provisioning: scim_tokens (an identity provider's bearer tokens, stored hashed),
users.external_id (the provider's id for the person) and teams.archived_at (a group deleted by
the provider: the team is archived, its history kept); audit_events (sign-ins, provisioning and
admin changes to people).

Revision ID: 0016
Revises: 0015
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("subject_user_id", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("detail", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=False),
        sa.ForeignKeyConstraint(["actor_id"], ["users.id"], name=op.f("fk_audit_events_actor_id_users"),
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["subject_user_id"], ["users.id"],
                                name=op.f("fk_audit_events_subject_user_id_users"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_events")),
    )
    op.create_index(op.f("ix_audit_events_at"), "audit_events", ["at"], unique=False)
    op.create_index(op.f("ix_audit_events_subject_user_id"), "audit_events", ["subject_user_id"], unique=False)
    op.create_index("ix_audit_events_kind_id", "audit_events", ["kind", "id"], unique=False)
    op.create_table(
        "scim_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], name=op.f("fk_scim_tokens_created_by_id_users"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scim_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_scim_tokens_token_hash")),
    )
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("external_id", sa.String(length=255), nullable=True))
        batch.add_column(sa.Column("scim_user_name", sa.String(length=255), nullable=True))
        batch.create_unique_constraint(op.f("uq_users_external_id"), ["external_id"])
        batch.create_unique_constraint(op.f("uq_users_scim_user_name"), ["scim_user_name"])
    with op.batch_alter_table("teams") as batch:
        batch.add_column(sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("external_id", sa.String(length=255), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("teams") as batch:
        batch.drop_column("archived_at")
        batch.drop_column("external_id")
    with op.batch_alter_table("users") as batch:
        batch.drop_constraint(op.f("uq_users_scim_user_name"), type_="unique")
        batch.drop_constraint(op.f("uq_users_external_id"), type_="unique")
        batch.drop_column("scim_user_name")
        batch.drop_column("external_id")
    op.drop_table("scim_tokens")
    op.drop_table("audit_events")
