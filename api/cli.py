"""The `stafet` command: serve, worker, cron, db, seed-demo, rebuild-projections, contract.

This module is the composition root: `compose()` builds the web app (api.create_app) and plugs
in the job system of `workers/` — the one place in `api/` that imports `workers/` (.importlinter).

A bad setting ends the command with one line on stderr and exit status 2.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click
from alembic import command
from alembic.config import Config
from flask import Flask
from rq import Worker
from rq.serializers import JSONSerializer

from api import create_app
from api.config import ConfigError
from api.contract import write_contract
from api.db import db
from api.seed import seed_demo as run_seed_demo
from api.serve import run_gunicorn
from api.services.projections import rebuild
from api.smtp_url import parse_smtp_url
from workers import gateway
from workers import queues as q
from workers.reconnect import run_reconnecting
from workers.schedule import EmbeddedScheduler, cron_scheduler

ROOT = Path(__file__).resolve().parent.parent
DEMO_LOGINS = (
    ("admin", "admin@demo.stafet.dev", "stafet-admin"),
    ("lead", "lead1@demo.stafet.dev, lead2@demo.stafet.dev", "stafet-demo"),
    ("staff", "staff1@demo.stafet.dev … staff30@demo.stafet.dev", "stafet-demo"),
)


def compose(config: dict[str, Any] | None = None, *, settings: Any = None) -> Flask:
    """The app as every process runs it: the web app with the workers' job gateway installed
    (RQ queues, or in-process jobs without REDIS_URL). Tests and benchmarks build it here too."""
    app = create_app(config, settings=settings)
    gateway.install(app)
    return app


def _app(config: dict | None = None) -> Flask:
    return compose(config)


def _start_embedded_scheduler(app: Flask) -> None:
    """Without Redis, periodic jobs (outbox sweep, scheduled publishing, challenge closing) run in
    the one web worker."""
    EmbeddedScheduler(app).start()


def mail_destination(config: Any) -> str:
    """Where mail goes, as `serve` prints it: the SMTP server without its password, or the folder."""
    if config.get("SMTP_URL"):
        return "SMTP " + parse_smtp_url(config["SMTP_URL"]).redacted()
    return f"written to {config['MAIL_DIR']}/ (one .eml file per message; no SMTP_URL)"


@click.group()
def cli() -> None:
    """Stafet backend."""


@cli.command()
@click.option("--port", type=int, default=None, help="Defaults to $PORT or 5000.")
@click.option("--host", default="0.0.0.0")
@click.option("--workers", type=int, default=None, help="gunicorn worker processes (1 in embedded mode).")
def serve(port: int | None, host: str, workers: int | None) -> None:
    """Serve the API with gunicorn (and, without Redis, run jobs in-process)."""
    app = _app({"DB_PRE_PING": False})  # a request on a dead connection runs again (api.http)
    port = port or app.config["PORT"]
    embedded = not app.config.get("REDIS_URL")
    base = f"http://localhost:{port}"
    click.echo(f"\n  Stafet is running at {base}")
    click.echo(f"  API docs:      {base}/api/docs")
    click.echo(f"  Admin console: {base}/console")
    click.echo(f"  Staff app:     {base}/app/  (open it on a phone-sized window)")
    click.echo("  Demo logins:")
    for role, who, password in DEMO_LOGINS:
        click.echo(f"    {role:<6} {who}  password: {password}")
    click.echo(f"  Mail:          {mail_destination(app.config)}")
    click.echo(f"  Jobs: {'in this process (no REDIS_URL)' if embedded else 'RQ on ' + app.config['REDIS_URL']}\n")
    run_gunicorn(app, host=host, port=port, workers=1 if embedded else (workers or 4), embedded=embedded,
                 on_worker_start=_start_embedded_scheduler if embedded else None)


@cli.command()
@click.argument("queues", nargs=-1)
@click.option("--burst", is_flag=True, help="Stop when the queues are empty.")
def worker(queues: tuple[str, ...], burst: bool) -> None:
    """Run an RQ worker (with the scheduler for retries) on the given queues (default: all)."""
    app = _app()
    if not app.config.get("REDIS_URL"):
        raise click.UsageError("REDIS_URL is not set: without Redis, jobs run inside `stafet serve`.")
    q.set_worker_app(app)

    def work() -> None:
        with app.app_context():
            connection = q.redis_connection()
            names = queues or q.QUEUE_NAMES
            worker_ = Worker([q.get_queue(n, connection) for n in names], connection=connection,
                             serializer=JSONSerializer)
            worker_.work(with_scheduler=True, burst=burst)

    run_reconnecting(work, "worker")


@cli.command()
def cron() -> None:
    """Run RQ's cron scheduler for the periodic jobs in workers/registry.py."""
    app = _app()
    if not app.config.get("REDIS_URL"):
        raise click.UsageError("REDIS_URL is not set: without Redis, periodic jobs run inside `stafet serve`.")
    with app.app_context():
        cron_scheduler(q.redis_connection()).start()


@cli.group("db")
def db_group() -> None:
    """Database migrations."""


def _alembic_config(app: Any) -> Config:
    cfg = Config(str(ROOT / "migrations" / "alembic.ini"))
    cfg.set_main_option("script_location", str(ROOT / "migrations"))
    cfg.attributes["engine"] = app.extensions["stafet.db"]["engine"]
    return cfg


@db_group.command()
@click.argument("revision", default="head")
def upgrade(revision: str) -> None:
    """Migrate the database to REVISION (default: head)."""
    app = _app()
    command.upgrade(_alembic_config(app), revision)
    click.echo(f"database at {revision}")


@db_group.command()
@click.argument("revision")
def downgrade(revision: str) -> None:
    """Migrate the database down to REVISION."""
    command.downgrade(_alembic_config(_app()), revision)


@db_group.command()
@click.option("-m", "--message", required=True)
def revision(message: str) -> None:
    """Autogenerate a new migration from the models (developers)."""
    command.revision(_alembic_config(_app()), message=message, autogenerate=True)


@cli.command("seed-demo")
def seed_demo() -> None:
    """Create the demo organisation (running it again changes nothing)."""
    app = _app()
    with app.app_context():
        summary = run_seed_demo(db.session)
        db.commit()
    click.echo("demo organisation ready: " + ", ".join(f"{k} {v}" for k, v in summary.items()))


@cli.command("rebuild-projections")
def rebuild_projections() -> None:
    """Recompute balances, leaderboard totals (and badges) from the ledger."""
    app = _app()
    with app.app_context():
        counts = rebuild(db.session, timezone=app.config["ORG_TIMEZONE"])
        db.commit()
    click.echo("projections rebuilt: " + ", ".join(f"{k} {v}" for k, v in counts.items()))


@cli.group()
def contract() -> None:
    """The mobile contract in mobile_contract/."""


@contract.command("write")
def contract_write() -> None:
    """Write mobile_contract/openapi.json (and push payload schemas) from the app."""
    for path in write_contract(_app(), ROOT / "mobile_contract"):
        click.echo(f"wrote {path.relative_to(ROOT)}")


def main() -> None:
    try:
        cli.main(prog_name="stafet", standalone_mode=True)
    except ConfigError as exc:
        click.echo(f"stafet: configuration error: {exc}", err=True)
        sys.exit(2)


if __name__ == "__main__":
    main()
