"""Migrations on a real PostgreSQL: the head creates exactly what the models describe."""

from __future__ import annotations

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError

import api.models  # noqa: F401
from api.cli import ROOT
from api.db import Base
from migrations.rendering import render_item

pytestmark = pytest.mark.postgres


@pytest.fixture
def empty_pg(pg_url):
    """A second, empty database beside the run's (the run's one is built by create_all)."""
    url = make_url(pg_url)
    name = url.database + "_mig"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine = create_engine(url.set(database=name))
    yield engine
    engine.dispose()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _config(engine) -> Config:
    cfg = Config(str(ROOT / "migrations" / "alembic.ini"))
    cfg.set_main_option("script_location", str(ROOT / "migrations"))
    cfg.attributes["engine"] = engine
    return cfg


def test_upgrade_head_matches_the_models(empty_pg):
    """`alembic upgrade head` then autogenerate: no difference at all."""
    command.upgrade(_config(empty_pg), "head")
    with empty_pg.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True, "render_item": render_item})
        diff = compare_metadata(ctx, Base.metadata)
    assert diff == [], diff


def test_downgrade_to_base_and_up_again(empty_pg):
    cfg = _config(empty_pg)
    command.upgrade(cfg, "head")
    command.downgrade(cfg, "base")
    assert set(inspect(empty_pg).get_table_names()) <= {"alembic_version"}
    command.upgrade(cfg, "head")
    assert "ledger_entries" in inspect(empty_pg).get_table_names()


def test_upgrade_works_on_sqlite(tmp_path):
    from api.db import make_engine

    engine = make_engine(f"sqlite:///{tmp_path / 'm.db'}")
    command.upgrade(_config(engine), "head")
    assert "users" in inspect(engine).get_table_names()


def test_0004_keeps_every_untallied_event_waiting_and_the_downgrade_restores_tallied_at(empty_pg):
    """Events marked untallied before 0004 are untallied after it (whatever their outbox rows said),
    tallied ones stay tallied; going back down gives tallied_at from the processed outbox rows."""
    cfg = _config(empty_pg)
    command.upgrade(cfg, "0003")
    with empty_pg.begin() as c:
        for key, tallied in (("share:1", None), ("share:2", None), ("share:3", "2026-01-02")):
            c.execute(text("INSERT INTO activity_events (kind, dedupe_key, payload, occurred_at, tallied_at)"
                           " VALUES ('share_created', :key, '{}', '2026-01-01', :tallied)"),
                      {"key": key, "tallied": tallied})
        # share:1 lost its pending state (processed row), share:2 has no outbox row at all
        c.execute(text("INSERT INTO outbox_messages (topic, ref_id, created_at, processed_at, attempts) SELECT 'tally',"
                       " id, '2026-01-01', '2026-01-02', 0 FROM activity_events WHERE dedupe_key IN ('share:1', 'share:3')"))
    command.upgrade(cfg, "head")
    pending = ("SELECT e.dedupe_key FROM activity_events e JOIN outbox_messages o ON o.ref_id = e.id"
               " WHERE o.topic = 'tally' AND o.processed_at IS NULL ORDER BY 1")
    with empty_pg.connect() as c:
        assert [r[0] for r in c.execute(text(pending))] == ["share:1", "share:2"]
        assert "tallied_at" not in {col["name"] for col in inspect(c).get_columns("activity_events")}
    command.downgrade(cfg, "0003")
    with empty_pg.connect() as c:
        rows = dict(c.execute(text("SELECT dedupe_key, tallied_at IS NOT NULL FROM activity_events")).all())
    assert rows == {"share:1": False, "share:2": False, "share:3": True}


def test_0007_frozen_standings_keep_ids_only_and_open_large_lead_prizes_wait_for_approval(empty_pg):
    """After 0007 frozen standings hold ids, not names; a prize counts as approved when already paid
    (closed), within the default ceiling (500) or set by an admin; a lead's larger prize on an open
    challenge waits. The downgrade writes today's names back (an erased person's "Former colleague")."""
    cfg = _config(empty_pg)
    command.upgrade(cfg, "0006")
    stamp = "'2026-11-01', '2026-11-01'"
    with empty_pg.begin() as c:
        c.execute(text("INSERT INTO teams (id, name, created_at) VALUES (1, 'Harbour', '2026-11-01')"))
        for uid, name, role in ((1, "Ada Admin", "admin"), (2, "Lee Lead", "lead"), (3, "Bob Byquist", "staff")):
            c.execute(text("INSERT INTO users (id, display_name, role, is_active, gamification_enabled,"
                           f" leaderboard_visible, created_at, updated_at) VALUES ({uid}, '{name}', '{role}',"
                           f" true, true, true, {stamp})"))
        frozen = '[{"rank": 1, "user": {"id": 3, "display_name": "Bob Byquist"}, "value": 5}]'
        teams = '[{"rank": 1, "team": {"id": 1, "name": "Harbour"}, "value": 2.5, "total": 5, "members": 2}]'
        for cid, creator, prize, closed, final in ((1, 2, 9000, "'2026-11-10'", frozen), (2, 2, 9000, "NULL", None),
                                                   (3, 2, 500, "NULL", None), (4, 1, 9000, "NULL", None),
                                                   (5, 1, 50, "'2026-11-10'", teams)):
            c.execute(text("INSERT INTO challenges (id, title, description, kind, metric, starts_at, ends_at,"
                           " prize_points, created_by_id, closed_at, final_standings, created_at, updated_at)"
                           f" VALUES ({cid}, 'C', '', 'individual', 'points', '2026-11-02', '2026-11-09', {prize},"
                           f" {creator}, {closed}, CAST(:final AS jsonb), {stamp})"), {"final": final})
    command.upgrade(cfg, "0007")
    with empty_pg.connect() as c:
        approved = dict(c.execute(text("SELECT id, prize_approved_at IS NOT NULL FROM challenges")).all())
        standings = dict(c.execute(text("SELECT id, final_standings FROM challenges WHERE id IN (1, 5)")).all())
    assert approved == {1: True, 2: False, 3: True, 4: True, 5: True}
    assert standings == {1: [{"rank": 1, "user_id": 3, "value": 5}],
                         5: [{"rank": 1, "team_id": 1, "value": 2.5, "total": 5, "members": 2}]}
    with empty_pg.begin() as c:
        c.execute(text("UPDATE users SET display_name = 'Former colleague', erased_at = '2026-11-20' WHERE id = 3"))
    command.downgrade(cfg, "0006")
    with empty_pg.connect() as c:
        back = dict(c.execute(text("SELECT id, final_standings FROM challenges WHERE id IN (1, 5)")).all())
    assert back == {1: [{"rank": 1, "user": {"id": 3, "display_name": "Former colleague"}, "value": 5}],
                    5: [{"rank": 1, "team": {"id": 1, "name": "Harbour"}, "value": 2.5, "total": 5, "members": 2}]}


def test_0009_gives_teams_that_are_the_same_name_distinct_names_and_refuses_new_clashes(empty_pg):
    """Before 0009 only byte-equal names clashed, so "Østerbro" and "østerbro" (and a spaced-out
    "Zeta  ") could coexist. The upgrade succeeds anyway: the first team (by id) keeps its name,
    later ones get " (2)", " (3)"; from then on the database refuses a name that is the same
    name, whatever its case or spacing. The downgrade keeps the names the upgrade gave."""
    cfg = _config(empty_pg)
    command.upgrade(cfg, "0008")
    with empty_pg.begin() as c:
        for tid, name in ((1, "Østerbro"), (2, "Zeta"), (3, "østerbro"), (4, "ØSTERBRO"), (5, "zeta "),
                          (6, "Harbour")):
            c.execute(text("INSERT INTO teams (id, name, created_at) VALUES (:id, :name, '2026-11-01')"),
                      {"id": tid, "name": name})
    command.upgrade(cfg, "0009")
    with empty_pg.connect() as c:
        names = dict(c.execute(text("SELECT id, name FROM teams")).all())
    assert names == {1: "Østerbro", 2: "Zeta", 3: "østerbro (2)", 4: "ØSTERBRO (3)", 5: "zeta  (2)", 6: "Harbour"}
    with pytest.raises(IntegrityError), empty_pg.begin() as c:
        c.execute(text("INSERT INTO teams (name, name_key, created_at) VALUES ('HARBOUR', 'harbour', now())"))
    command.downgrade(cfg, "0008")
    with empty_pg.connect() as c:
        assert dict(c.execute(text("SELECT id, name FROM teams")).all()) == names
