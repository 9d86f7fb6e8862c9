"""teams.name_key: "the same name" as Python decides it (NFKC, case-folded, whitespace collapsed),
unique, so SQLite and PostgreSQL refuse the same clashes. It replaces uq_teams_name, which
compared names byte for byte (the service's pre-check used SQL lower(), which on SQLite folds
only ASCII: "Østerbro" and "østerbro" could both exist).

Teams whose names already clash keep their names in id order: the first keeps it, each later
one gets " (2)", " (3)"… appended, so the upgrade never fails on existing data.

Revision ID: 0009
Revises: 0008
"""

import unicodedata

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

NAME_LENGTH = 80


def _comparable(name: str) -> str:
    # A copy of api.names.comparable as of this revision: a migration must not change with the app.
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", name).casefold())
    return " ".join(folded.split())


def _unique_names(rows: list[tuple[int, str]]) -> dict[int, tuple[str, str]]:
    """{team id: (name, name_key)} for every team, clashing names made distinct in id order."""
    seen: set[str] = set()
    out: dict[int, tuple[str, str]] = {}
    for team_id, name in sorted(rows):
        candidate, n = name, 1
        while _comparable(candidate) in seen:
            n += 1
            suffix = f" ({n})"
            candidate = name[:NAME_LENGTH - len(suffix)] + suffix
        seen.add(_comparable(candidate))
        out[team_id] = (candidate, _comparable(candidate))
    return out


def upgrade() -> None:
    op.add_column("teams", sa.Column("name_key", sa.String(length=240), nullable=True))
    conn = op.get_bind()
    teams = sa.table("teams", sa.column("id", sa.Integer), sa.column("name", sa.String),
                     sa.column("name_key", sa.String))
    rows = [(r.id, r.name) for r in conn.execute(sa.select(teams.c.id, teams.c.name))]
    for team_id, (name, key) in _unique_names(rows).items():
        conn.execute(teams.update().where(teams.c.id == team_id).values(name=name, name_key=key))
    with op.batch_alter_table("teams") as batch:  # SQLite changes constraints by copying the table
        batch.alter_column("name_key", existing_type=sa.String(length=240), nullable=False)
        batch.drop_constraint("uq_teams_name", type_="unique")
        batch.create_unique_constraint("uq_teams_name_key", ["name_key"])


def downgrade() -> None:
    # Distinct keys mean distinct names, so the old constraint holds for every remaining row.
    with op.batch_alter_table("teams") as batch:
        batch.drop_constraint("uq_teams_name_key", type_="unique")
        batch.create_unique_constraint("uq_teams_name", ["name"])
        batch.drop_column("name_key")
