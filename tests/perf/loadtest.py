"""`make loadtest` / `make faults`: load with nothing lost.

Starts gunicorn + two RQ workers + the RQ cron scheduler against a fresh PostgreSQL
database and Redis, drives N simulated staff for D seconds (feed, shares with and
without an own caption, comments, tracked-link clicks, leaderboard, redemptions),
waits for the queues and the outbox to drain, then checks:

- zero 5xx (a 503 with Retry-After — the database connection dropped at commit — is retried
  by the client with the same Idempotency-Key, as the app does, and counted in the report);
- every 201 share / comment and every counted click has exactly its ledger entries;
- balances == sum(ledger) for every user;
- no reward oversold (stock >= 0 and stock + redemptions == initial stock);
- pushes: a tenth of the staff turned push on and have a phone; the admin publishes stories
  with `notify` during the run and badges are awarded as people share. Every notification for
  them ends `sent` (or `skipped` by their own daily limit) — none `pending`, `deferred` or
  `failed` — and the fake FCM server received each `sent` one.

It prints throughput and p50/p95/p99 per endpoint. `--faults` also, during the load:
kills a worker with SIGKILL mid-batch (and restarts it), restarts Redis (it keeps
nothing on disk: queued jobs vanish and the outbox must recover them), restarts
PostgreSQL, and makes the fake FCM server answer 503 UNAVAILABLE for 30 s while a story
with `notify` goes out. Settings: LOAD_USERS (2000), LOAD_SECONDS (60), LOAD_THREADS (24),
LOAD_DATABASE_URL (postgresql://postgres@127.0.0.1:5432/test), LOAD_REDIS_URL
(redis://127.0.0.1:6379/9), LOAD_PORT (18080).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections import defaultdict
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[2]
PY = sys.executable


def env_settings() -> dict:
    return {
        "users": int(os.environ.get("LOAD_USERS", 2000)),
        "seconds": int(os.environ.get("LOAD_SECONDS", 60)),
        "threads": int(os.environ.get("LOAD_THREADS", 24)),
        "db": os.environ.get("LOAD_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test"),
        "redis": os.environ.get("LOAD_REDIS_URL", "redis://127.0.0.1:6379/9"),
        "port": int(os.environ.get("LOAD_PORT", 18080)),
    }


class Stack:
    """The processes under test, sharing one environment."""

    def __init__(self, env: dict[str, str], port: int) -> None:
        self.env = env
        self.port = port
        self.procs: dict[str, subprocess.Popen] = {}
        self.logdir = ROOT / "tests" / "artifacts" / "loadtest"
        self.logdir.mkdir(parents=True, exist_ok=True)

    def _start(self, name: str, *args: str) -> None:
        log = open(self.logdir / f"{name}.log", "ab")
        self.procs[name] = subprocess.Popen([PY, "-m", "api.cli", *args], env=self.env, cwd=ROOT,
                                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)

    def start(self) -> None:
        self._start("web", "serve", "--port", str(self.port), "--workers", "3")
        self._start("worker1", "worker")
        self._start("worker2", "worker")
        self._start("cron", "cron")
        for _ in range(100):
            try:
                if httpx.get(f"http://127.0.0.1:{self.port}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise RuntimeError("the API did not start; see tests/artifacts/loadtest/web.log")

    def kill(self, name: str) -> None:
        proc = self.procs[name]
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait()

    def restart_worker(self, name: str) -> None:
        self.kill(name)
        self._start(name, "worker")

    def stop(self) -> None:
        for proc in self.procs.values():
            try:
                os.killpg(proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        for proc in self.procs.values():
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)


def create_database(base_url: str) -> str:
    url = make_url(base_url).set(drivername="postgresql+psycopg")
    name = f"stafet_load_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def drop_database(url: str) -> None:
    u = make_url(url)
    admin = create_engine(u.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{u.database}" WITH (FORCE)'))
    admin.dispose()


def prepare(env: dict[str, str], users: int) -> dict:
    """Migrate, then bulk-create staff, posts, generous rules, balances and a reward; mint tokens."""
    subprocess.run([PY, "-m", "api.cli", "db", "upgrade"], env=env, cwd=ROOT, check=True, capture_output=True)
    os.environ.update(env)
    from api.cli import compose
    from api.db import db
    from api.models.posts import Post
    from api.models.rewards import Reward
    from api.models.scoring import DEFAULT_RULES, ScoringRuleSet
    from api.models.teams import Team, TeamMembership
    from api.models.users import SocialProfile, User
    from api.services import ledger
    from tests.helpers import token_for

    app = compose()
    with app.app_context():
        s = db.session
        teams = [Team(name=f"Load team {i}") for i in range(3)]
        s.add_all(teams)
        s.flush()
        people = []
        for i in range(users):
            u = User(email=f"load{i}@load.test", display_name=f"Load {i}", role="staff",
                     password_hash="no-password-login")  # signed in by minted tokens
            u.memberships.append(TeamMembership(team_id=teams[i % 3].id))
            u.social_profiles.append(SocialProfile(network="linkedin", follower_count=100 + i % 400))
            people.append(u)
        s.add_all(people)
        rules = {**DEFAULT_RULES, "daily_caps": {"share": 1_000_000, "comment": 1_000_000, "click": 1_000_000},
                 "max_clicks_per_share": 1_000_000}
        s.add(ScoringRuleSet(rules=rules))
        from api.clock import utcnow

        posts = [Post(title=f"Load story {i}", body="A story worth passing on.", link_url=f"https://example.com/s/{i}",
                      networks=["linkedin", "x", "facebook"], suggested_captions={"linkedin": "Proud of our team!"},
                      status="published", publish_at=utcnow()) for i in range(50)]
        s.add_all(posts)
        reward = Reward(name="Load mug", description="", cost=30, stock=100, active=True)
        s.add(reward)
        admin = User(email="admin@load.test", display_name="Load admin", role="admin",
                     password_hash="no-password-login")
        s.add(admin)
        s.flush()
        from api.models.notifications import Device, NotificationPreference

        for u in people[::10]:  # a tenth turned push on, with one phone each
            s.add(NotificationPreference(user_id=u.id, push_enabled=True, timezone="UTC", max_per_day=20))
            token = f"load-phone-{u.id}"
            s.add(Device(user_id=u.id, token=token, token_hash=hashlib.sha256(token.encode()).hexdigest(),
                         platform="android"))
        for u in people:
            ledger.append(s, user_id=u.id, amount=40, action="adjustment", dedupe_key=f"load-seed:{u.id}")
        db.commit()
        tokens = [token_for(app, u) for u in people]
        return {"tokens": tokens, "post_ids": [p.id for p in posts], "reward_id": reward.id, "initial_stock": 100,
                "app": app, "admin_token": token_for(app, admin)}


class Recorder:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latency: dict[str, list[float]] = defaultdict(list)
        self.status: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
        self.shares: list[int] = []
        self.comments: list[int] = []
        self.codes: list[str] = []
        self.redemptions: list[int] = []
        self.errors: list[str] = []
        self.retried_503 = 0

    def add(self, name: str, status: int, seconds: float) -> None:
        with self.lock:
            self.latency[name].append(seconds)
            self.status[name][status] += 1


class _RetryingClient:
    """Like the mobile app: a 503 with Retry-After is retried (same Idempotency-Key), up to 3 times.
    Every retried 503 is counted and reported; a 500, or a 503 that persists, is a failure."""

    def __init__(self, client: httpx.Client, rec: Recorder) -> None:
        self.client, self.rec = client, rec

    def _send(self, method: str, url: str, **kw) -> httpx.Response:
        for _attempt in range(3):
            r = self.client.request(method, url, **kw)
            if r.status_code != 503 or "Retry-After" not in r.headers:
                return r
            with self.rec.lock:
                self.rec.retried_503 += 1
            time.sleep(float(r.headers["Retry-After"]))
        return self.client.request(method, url, **kw)

    def get(self, url: str, **kw) -> httpx.Response:
        return self._send("GET", url, **kw)

    def post(self, url: str, **kw) -> httpx.Response:
        return self._send("POST", url, **kw)


def drive(base: str, data: dict, rec: Recorder, seconds: int, threads: int, stop_at: float) -> None:
    tokens, post_ids = data["tokens"], data["post_ids"]

    def worker(seed: int) -> None:
        rnd = random.Random(seed)
        client = _RetryingClient(httpx.Client(base_url=base, timeout=30), rec)
        while time.monotonic() < stop_at:
            token = rnd.choice(tokens)
            h = {"Authorization": f"Bearer {token}"}
            roll = rnd.random()
            t0 = time.perf_counter()
            try:
                if roll < 0.35:
                    name, r = "GET /feed", client.get("/api/v1/feed", headers=h)
                elif roll < 0.55:
                    caption = None if rnd.random() < 0.5 else f"My own words about this, take {rnd.random():.6f}, truly"
                    body = {"network": rnd.choice(["linkedin", "x", "facebook"]), **({"caption": caption} if caption else {})}
                    h["Idempotency-Key"] = uuid.uuid4().hex
                    name, r = "POST /shares", client.post(f"/api/v1/posts/{rnd.choice(post_ids)}/shares", json=body, headers=h)
                    if r.status_code == 201:
                        with rec.lock:
                            rec.shares.append(r.json()["id"])
                            rec.codes.append(r.json()["tracked_url"].rsplit("/", 1)[1])
                elif roll < 0.65:
                    h["Idempotency-Key"] = uuid.uuid4().hex
                    name, r = "POST /comments", client.post(f"/api/v1/posts/{rnd.choice(post_ids)}/comments",
                                                            json={"body": "Great news, well done!"}, headers=h)
                    if r.status_code == 201:
                        with rec.lock:
                            rec.comments.append(r.json()["id"])
                elif roll < 0.87 and rec.codes:
                    code = rnd.choice(rec.codes)
                    ua = f"Mozilla/5.0 (visitor {rnd.randrange(10_000)})"
                    name, r = "GET /s/{code}", client.get(f"/s/{code}", headers={"User-Agent": ua}, follow_redirects=False)
                elif roll < 0.95:
                    name, r = "GET /leaderboard", client.get("/api/v1/leaderboard?period=week", headers=h)
                else:
                    h["Idempotency-Key"] = uuid.uuid4().hex
                    name, r = "POST /redemptions", client.post(f"/api/v1/rewards/{data['reward_id']}/redemptions",
                                                               json={}, headers=h)
                    if r.status_code == 201:
                        with rec.lock:
                            rec.redemptions.append(r.json()["id"])
                rec.add(name, r.status_code, time.perf_counter() - t0)
            except httpx.HTTPError as exc:
                rec.add("transport-error", 599, time.perf_counter() - t0)
                with rec.lock:
                    rec.errors.append(repr(exc))

    pool = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()


def wait_drained(db_url: str, timeout: float = 300) -> bool:
    engine = create_engine(db_url)
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            try:
                with engine.connect() as conn:
                    pending = conn.execute(text(
                        "SELECT (SELECT count(*) FROM outbox_messages WHERE processed_at IS NULL)"
                        " + (SELECT count(*) FROM notifications n JOIN devices d ON d.user_id = n.user_id"
                        "    WHERE n.delivery_status IN ('pending', 'deferred'))")).scalar()
                if pending == 0:
                    return True
            except Exception:  # the database may be restarting in fault mode
                pass
            time.sleep(1)
        return False
    finally:
        engine.dispose()


def check(db_url: str, rec: Recorder, data: dict, fake) -> list[str]:
    problems = []
    five = {n: sum(c for s, c in st.items() if s >= 500) for n, st in rec.status.items()}
    if any(five.values()):
        problems.append(f"5xx answers: {five}")
    engine = create_engine(db_url)
    with engine.connect() as conn:
        q = lambda sql, **kw: conn.execute(text(sql), kw)  # noqa: E731
        for kind, ids, action in (("share", rec.shares, "share"), ("comment", rec.comments, "comment")):
            if not ids:
                continue
            rows = q("""SELECT e.dedupe_key, count(l.id) FROM activity_events e
                         LEFT JOIN ledger_entries l ON l.event_id = e.id AND l.action = :action
                         WHERE e.dedupe_key = ANY(:keys) GROUP BY e.dedupe_key""",
                     action=action, keys=[f"{kind}:{i}" for i in ids]).all()
            counts = dict(rows)
            missing = [i for i in ids if counts.get(f"{kind}:{i}") != 1]
            if missing:
                problems.append(f"{len(missing)} {kind}(s) without exactly one '{action}' ledger entry, e.g. {missing[:5]}")
        clicks = q("SELECT count(*) FROM clicks").scalar()
        click_entries = q("SELECT count(*) FROM ledger_entries WHERE action = 'click'").scalar()
        if clicks != click_entries:
            problems.append(f"{clicks} counted clicks but {click_entries} click ledger entries")
        bad = q("""SELECT p.user_id, p.balance, coalesce(sum(l.amount), 0) FROM user_points p
                   LEFT JOIN ledger_entries l ON l.user_id = p.user_id GROUP BY p.user_id, p.balance
                   HAVING p.balance <> coalesce(sum(l.amount), 0) OR p.balance < 0""").all()
        if bad:
            problems.append(f"{len(bad)} balance(s) differ from the ledger or are negative, e.g. {bad[:3]}")
        stock = q("SELECT stock FROM rewards WHERE id = :id", id=data["reward_id"]).scalar()
        held = q("SELECT count(*) FROM redemptions WHERE reward_id = :id AND status <> 'rejected'",
                 id=data["reward_id"]).scalar()
        if stock < 0 or stock + held != data["initial_stock"]:
            problems.append(f"reward stock {stock} + {held} redemptions != {data['initial_stock']}")
        problems += check_pushes(q, fake)
    engine.dispose()
    return problems


def check_pushes(q, fake) -> list[str]:
    problems = []
    states = dict(q("""SELECT n.delivery_status, count(*) FROM notifications n
                       WHERE n.user_id IN (SELECT user_id FROM devices) GROUP BY n.delivery_status""").all())
    print(f"pushes: notifications for people with push on, by outcome: {states}; "
          f"FCM calls {fake.requests}, accepted {len(fake.received)}", flush=True)
    stuck = {k: v for k, v in states.items() if k in ("pending", "deferred", "failed")}
    if stuck:
        problems.append(f"notifications not delivered: {stuck}")
    if not states.get("sent"):
        problems.append("no push was sent at all")
    sent = {str(i) for (i,) in q("SELECT id FROM notifications WHERE delivery_status = 'sent'"
                                 " AND user_id IN (SELECT user_id FROM devices)").all()}
    received = [m.get("data", {}).get("notification_id") for m in fake.received]
    missing = sent - set(received)
    if missing:
        problems.append(f"{len(missing)} notification(s) marked sent that FCM never accepted")
    duplicates = len(received) - len(set(received))
    if duplicates:  # at-least-once: a worker killed between FCM's answer and the commit resends
        print(f"pushes: {duplicates} duplicate deliveries (a worker killed after FCM accepted)", flush=True)
    return problems


def report(rec: Recorder, seconds: float) -> None:
    print(f"\n{'endpoint':<22}{'requests':>9}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}  statuses")
    for name in sorted(rec.latency):
        lat = sorted(rec.latency[name])
        def pct(p: float, lat: list[float] = lat) -> float:
            return lat[min(len(lat) - 1, int(p * len(lat)))] * 1000

        statuses = ", ".join(f"{s}×{c}" for s, c in sorted(rec.status[name].items()))
        print(f"{name:<22}{len(lat):>9}{len(lat) / seconds:>9.1f}{pct(.5):>9.1f}{pct(.95):>9.1f}{pct(.99):>9.1f}  {statuses}")
    total = sum(len(v) for v in rec.latency.values())
    print(f"{'total':<22}{total:>9}{total / seconds:>9.1f}  (median of all: "
          f"{statistics.median([x for v in rec.latency.values() for x in v]) * 1000:.1f} ms)")


def announce(base: str, admin_token: str, title: str) -> None:
    """The admin publishes a story with `notify`: everyone gets it in the inbox, pushes fan out."""
    body = {"title": title, "body": "Fresh news.", "networks": ["linkedin"], "notify": True,
            "link_url": "https://example.com/news"}
    r = httpx.post(f"{base}/api/v1/admin/posts", json=body, timeout=30,
                   headers={"Authorization": f"Bearer {admin_token}", "Idempotency-Key": uuid.uuid4().hex})
    print(f"[push] published “{title}” with notify: {r.status_code}", flush=True)


def events(stack: Stack, fake, base: str, admin_token: str, start: float, seconds: int, with_faults: bool) -> None:
    """Stories with `notify` at fixed points of the run and, with --faults, the faults."""
    plan: list[tuple[float, str, object]] = [
        (0.10, "", lambda: announce(base, admin_token, "Morning news")),
        (0.55, "", lambda: announce(base, admin_token, "Midday news")),
    ]
    if with_faults:
        plan += [
            (0.25, "kill -9 worker1 mid-batch", lambda: stack.restart_worker("worker1")),
            (0.45, "restart Redis (queued jobs vanish)", restart_redis),
            (0.65, "restart PostgreSQL", restart_postgres),
            (0.78, "fake FCM answers 503 UNAVAILABLE for 30 s", lambda: fcm_outage(fake, 30)),
            (0.80, "", lambda: announce(base, admin_token, "News during the FCM outage")),
        ]
    for at, what, action in sorted(plan, key=lambda p: p[0]):
        delay = start + at * seconds - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        if what:
            print(f"[fault] {what}", flush=True)
        action()  # type: ignore[operator]


def fcm_outage(fake, seconds: float) -> None:
    fake.default = "UNAVAILABLE"

    def recover() -> None:
        fake.default = "OK"
        print("[fault] fake FCM answers again", flush=True)

    threading.Timer(seconds, recover).start()


def restart_redis() -> None:
    subprocess.run(["redis-cli", "-p", "6379", "shutdown", "nosave"], capture_output=True)
    time.sleep(1)
    subprocess.run(["redis-server", "--daemonize", "yes", "--bind", "127.0.0.1", "-::1", "--port", "6379", "--save", "",
                    "--appendonly", "no", "--dir", "/var/lib/redis", "--logfile", "/var/log/redis/ci.log"], check=True)


def restart_postgres() -> None:
    version = sorted(os.listdir("/etc/postgresql"))[0]
    subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart"], check=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--faults", action="store_true")
    args = parser.parse_args()
    cfg = env_settings()
    db_url = create_database(cfg["db"])
    env = {**os.environ, "DATABASE_URL": db_url, "REDIS_URL": cfg["redis"], "LOG_LEVEL": "WARNING",
           "SECRET_KEY": "load-test-secret-" + "x" * 32, "PUBLIC_BASE_URL": f"http://127.0.0.1:{cfg['port']}",
           "LOGIN_LIMIT_PER_IP": "100000 per minute", "STAFET_INSTANCE_DIR": str(ROOT / "instance" / "loadtest")}
    import redis

    from tests.fake_fcm import FakeFCM

    fake = FakeFCM().start()
    credentials = ROOT / "instance" / "loadtest" / "fake-fcm-service-account.json"
    credentials.parent.mkdir(parents=True, exist_ok=True)
    credentials.write_text(json.dumps(fake.service_account()))
    env.update({"FCM_CREDENTIALS": str(credentials),
                "STAFET_TEST_FCM_URL": fake.url + "/v1/projects/{0}/messages:send"})
    redis.Redis.from_url(cfg["redis"]).flushdb()
    print(f"preparing {cfg['users']} staff in {db_url.rsplit('/', 1)[1]} …", flush=True)
    data = prepare(env, cfg["users"])
    stack = Stack(env, cfg["port"])
    stack.start()
    rec = Recorder()
    try:
        start = time.monotonic()
        stop_at = start + cfg["seconds"]
        base = f"http://127.0.0.1:{cfg['port']}"
        injector = threading.Thread(target=events, args=(stack, fake, base, data["admin_token"], start, cfg["seconds"],
                                                         args.faults), daemon=True)
        injector.start()
        drive(f"http://127.0.0.1:{cfg['port']}", data, rec, cfg["seconds"], cfg["threads"], stop_at)
        elapsed = time.monotonic() - start
        injector.join()
        dead = [name for name, proc in stack.procs.items() if proc.poll() is not None]
        if dead:  # a process that did not survive the faults is a finding, not something to hide
            print(f"[check] processes that exited during the run: {dead}", flush=True)
            problems_dead = [f"processes exited during the run: {dead}"]
            for name in dead:
                if name.startswith("worker"):
                    stack.restart_worker(name)
        else:
            problems_dead = []
        drained = wait_drained(make_url(db_url).render_as_string(hide_password=False))
        report(rec, elapsed)
        problems = problems_dead + ([] if drained else ["queues, outbox and pushes did not drain within 300 s"])
        problems += check(db_url, rec, data, fake)
    finally:
        stack.stop()
    print(f"\nshares {len(rec.shares)}, comments {len(rec.comments)}, redemptions {len(rec.redemptions)}, "
          f"transport errors {len(rec.errors)}, 503s retried by the client {rec.retried_503}")
    if problems:
        print("NOTHING-LOST CHECKS FAILED:\n  " + "\n  ".join(problems))
        return 1
    print("nothing lost: every share, comment and click has its ledger entries; balances == ledger; no overselling;"
          " every push delivered")
    if os.environ.get("LOAD_KEEP_DB") != "1":
        drop_database(db_url)
    return 0


if __name__ == "__main__":
    sys.exit(main())
