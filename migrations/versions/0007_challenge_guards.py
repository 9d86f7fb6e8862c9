"""Challenge guards (security review, issue #14): prize approval, and frozen standings that hold ids
only (names are read when shown, so erasure and hiding from leaderboards apply to ended challenges).

Existing challenges: a prize counts as approved when it was already paid (closed), is within the
new default ceiling (500) or was set by an admin; a lead's larger prize on a challenge still open
waits for an admin's approval like a new one would. Frozen standings lose their names:
{"user": {"id", "display_name"}} becomes {"user_id"}, {"team": {"id", "name"}} becomes {"team_id"}.
The downgrade writes the names back as they are now (an erased person's is "Former colleague").

Revision ID: 0007
Revises: 0006
"""

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0007"
down_revision = "0006"
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
    _rewrite_standings(_ids_only)


def downgrade() -> None:
    conn = op.get_bind()
    names = dict(conn.execute(sa.text("SELECT id, display_name FROM users")).all())
    teams = dict(conn.execute(sa.text("SELECT id, name FROM teams")).all())
    _rewrite_standings(lambda row: _with_names(row, names, teams))
    with op.batch_alter_table("challenges") as batch:
        batch.drop_constraint(op.f("fk_challenges_prize_approved_by_id_users"), type_="foreignkey")
        batch.drop_column("prize_approved_by_id")
        batch.drop_column("prize_approved_at")


def _rewrite_standings(change: Callable[[dict[str, Any]], dict[str, Any]]) -> None:
    conn = op.get_bind()
    table = sa.table("challenges", sa.column("id", sa.Integer()),
                     sa.column("final_standings", sa.JSON().with_variant(JSONB(), "postgresql")))
    rows = conn.execute(sa.select(table.c.id, table.c.final_standings)
                        .where(table.c.final_standings.is_not(None))).all()
    for challenge_id, standings in rows:
        if not standings:  # JSON null or an empty table: nothing to rewrite
            continue
        conn.execute(table.update().where(table.c.id == challenge_id)
                     .values(final_standings=[change(row) for row in standings]))


def _ids_only(row: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in row.items() if k not in ("user", "team")}
    if "user" in row:
        out["user_id"] = row["user"]["id"]
    if "team" in row:
        out["team_id"] = row["team"]["id"]
    return out


def _with_names(row: dict[str, Any], names: dict[int, str], teams: dict[int, str]) -> dict[str, Any]:
    out = {k: v for k, v in row.items() if k not in ("user_id", "team_id")}
    if "user_id" in row:
        out["user"] = {"id": row["user_id"], "display_name": names.get(row["user_id"], "Former colleague")}
    if "team_id" in row:
        out["team"] = {"id": row["team_id"], "name": teams.get(row["team_id"], "")}
    return out
