"""Shared tools for `make bench`: a fresh PostgreSQL database, the real server, and a rate meter.

Every figure is reported as a ratio against a baseline measured in the same run on the
same machine (usually `/healthz` on the same server), so results compare across machines.
Settings: BENCH_DATABASE_URL (postgresql://postgres@127.0.0.1:5432/test), BENCH_REDIS_URL
(redis://127.0.0.1:6379/10), BENCH_SECONDS (per measurement, 5), BENCH_THREADS (8).
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[2]
PY = sys.executable
SECONDS = float(os.environ.get("BENCH_SECONDS", 5))
THREADS = int(os.environ.get("BENCH_THREADS", 8))
SECRET = "bench-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"


@dataclass
class Result:
    name: str
    value: float
    unit: str
    baseline: float | None = None
    target: float | None = None  # minimum ratio value/baseline (or maximum value when lower_is_better)
    lower_is_better: bool = False

    @property
    def ratio(self) -> float | None:
        return self.value / self.baseline if self.baseline else None

    def verdict(self) -> str:
        if self.target is None:
            return ""
        measured = self.value if self.baseline is None else self.ratio
        assert measured is not None
        ok = measured <= self.target if self.lower_is_better else measured >= self.target
        return "ok" if ok else "BELOW TARGET"


def fresh_database(prefix: str = "stafet_bench") -> str:
    base = os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
    url = make_url(base).set(drivername="postgresql+psycopg")
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
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


def bench_env(db_url: str, tmp: Path, **extra: str) -> dict[str, str]:
    env = {**os.environ, "DATABASE_URL": db_url, "SECRET_KEY": SECRET, "STAFET_INSTANCE_DIR": str(tmp),
           "PUBLIC_BASE_URL": "https://go.stafet.test", "LOG_LEVEL": "WARNING", "LOG_JSON": "false",
           "REDIS_URL": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/10")}
    env.update(extra)
    return env


def migrate(env: dict[str, str]) -> None:
    subprocess.run([PY, "-m", "api.cli", "db", "upgrade"], env=env, cwd=ROOT, check=True, capture_output=True)


@contextmanager
def database(prefix: str = "stafet_bench") -> Iterator[tuple[str, dict[str, str]]]:
    """A fresh, migrated PostgreSQL database and the environment pointing at it; dropped afterwards."""
    url = fresh_database(prefix)
    tmp = Path(f"/tmp/{prefix}-{uuid.uuid4().hex[:6]}")
    tmp.mkdir(parents=True, exist_ok=True)
    env = bench_env(url, tmp)
    try:
        migrate(env)
        yield url, env
    finally:
        drop_database(url)


@contextmanager
def server(env: dict[str, str], port: int = 18090, workers: int = 2) -> Iterator[str]:
    """gunicorn serving the app (as in production) on 127.0.0.1:port."""
    log = open(ROOT / "tests" / "artifacts" / f"bench-web-{port}.log", "ab") if _artifacts() else subprocess.DEVNULL
    proc = subprocess.Popen([PY, "-m", "api.cli", "serve", "--port", str(port), "--workers", str(workers)],
                            env=env, cwd=ROOT, stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        else:
            raise RuntimeError("bench server did not start")
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()


def _artifacts() -> bool:
    (ROOT / "tests" / "artifacts").mkdir(parents=True, exist_ok=True)
    return True


def rate(url: str | list[str], headers: dict[str, str] | list[dict[str, str]] | None = None,
         seconds: float = SECONDS, threads: int = THREADS, expect: tuple[int, ...] = (200,),
         follow_redirects: bool = False) -> float:
    """Requests per second over `seconds` with `threads` keep-alive clients; urls/headers cycle if lists."""
    urls = url if isinstance(url, list) else [url]
    hdrs = headers if isinstance(headers, list) else [headers or {}]
    count = [0] * threads
    bad: list[int] = []
    stop = time.perf_counter() + seconds

    def run(n: int) -> None:
        with httpx.Client(timeout=30, follow_redirects=follow_redirects) as c:
            i = n
            while time.perf_counter() < stop:
                r = c.get(urls[i % len(urls)], headers=hdrs[i % len(hdrs)])
                if r.status_code not in expect:
                    bad.append(r.status_code)
                count[n] += 1
                i += threads

    pool = [threading.Thread(target=run, args=(n,)) for n in range(threads)]
    start = time.perf_counter()
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    if bad:
        raise RuntimeError(f"{len(bad)} unexpected statuses from {urls[0]}: {sorted(set(bad))}")
    return sum(count) / (time.perf_counter() - start)


ROUNDS = int(os.environ.get("BENCH_ROUNDS", 3))


def against_baseline(measure: Callable[[float], float], baseline: Callable[[float], float],
                     rounds: int = ROUNDS, seconds: float = SECONDS) -> tuple[float, float]:
    """(value, baseline) of the median round: `rounds` times, the baseline then the figure, `seconds`
    apiece. On a shared machine the speed drifts by tens of percent within a minute; a baseline
    measured right beside each figure, and the median of the rounds' ratios, keep that drift out."""
    pairs = []
    for _ in range(rounds):
        base = baseline(seconds)
        pairs.append((base, measure(seconds)))
    pairs.sort(key=lambda bv: bv[1] / bv[0])
    base, value = pairs[len(pairs) // 2]
    return value, base


def own_peak_mb() -> float:
    """This process's peak RSS (VmHWM). Not ru_maxrss: Linux carries that across exec from the
    process that forked us, so a child of a large bench process would report the bench's size."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


# Runs a `stafet` command and prints, at exit, the peak RSS of it (VmHWM) and of the processes it
# forked (an RQ worker runs each job in a forked work horse; their ru_maxrss is their own).
_MEASURED = ("import atexit, resource, sys\n"
             "from tests.perf.benchkit import own_peak_mb\n"
             "def _peak():\n"
             "    mb = max(own_peak_mb(), resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)\n"
             "    print(f'PEAK_RSS_MB={mb:.1f}', file=sys.stderr)\n"
             "atexit.register(_peak)\n"
             "from api.cli import main\n"
             "sys.argv = ['stafet', *sys.argv[1:]]\n"
             "main()\n")


def run_measured(args: list[str], env: dict[str, str]) -> float:
    """Run `stafet *args` to completion; its peak memory (MB), forked children included."""
    out = subprocess.run([PY, "-c", _MEASURED, *args], env=env, cwd=ROOT, check=True, capture_output=True, text=True)
    lines = [line for line in out.stderr.splitlines() if line.startswith("PEAK_RSS_MB=")]
    if not lines:
        raise RuntimeError(f"no memory figure from stafet {' '.join(args)}: {out.stderr[-2000:]}")
    return float(lines[-1].split("=", 1)[1])
