"""Migrations on a real PostgreSQL: the head creates exactly what the models describe."""

from __future__ import annotations

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

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
