"""`make lint` fails on a new import cycle, an api → workers import, or Flask or wire schemas in a
service (issue 15, point 8). Each case copies the code to a temporary directory, adds one
offending import to the copy and runs `lint-imports` on it with the project's .importlinter."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")

# (file in the copy, the line added to it, the contract that must break) — written by hand from the issue.
VIOLATIONS = [
    ("api/services/posts.py", "from workers import queues", "api never imports workers"),
    ("api/resources/ops.py", "import workers.gateway", "api never imports workers"),
    ("api/services/ttl_cache.py", "import api.services.feed", "no import cycles"),
    ("api/models/_common.py", "import api.models.users", "no import cycles"),
    ("workers/queues.py", "import workers.registry", "no import cycles"),
    ("api/services/leaderboards.py", "from flask import current_app", "services and models import no Flask"),
    ("api/models/posts.py", "import flask", "services and models import no Flask"),
    ("api/services/feed.py", "from schemas.posts import FeedItemSchema", "import no wire schemas"),
]


def _copy(tmp_path: Path) -> Path:
    for package in ("api", "workers", "schemas"):
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__", "static",
                                                                                          "templates"))
    shutil.copy(ROOT / ".importlinter", tmp_path / ".importlinter")
    return tmp_path


def _lint(tree: Path) -> subprocess.CompletedProcess[str]:
    # PYTHONPATH first, so the copy is analysed rather than the installed (editable) packages.
    env = {**os.environ, "PYTHONPATH": str(tree)}
    return subprocess.run([str(LINT_IMPORTS), "--no-cache", "--no-logo"], cwd=tree, env=env, capture_output=True,
                          text=True, timeout=120)


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _copy(tmp_path_factory.mktemp("imports"))


def test_the_code_as_it_is_keeps_every_contract(tree: Path):
    """The unmodified copy passes: the failures below come from the added import alone."""
    result = _lint(tree)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(("path", "line", "contract"), VIOLATIONS, ids=[f"{p}: {line}" for p, line, _ in VIOLATIONS])
def test_one_offending_import_fails_the_lint(tree: Path, path: str, line: str, contract: str):
    """Adding the import makes lint-imports exit non-zero and name the broken contract."""
    target = tree / path
    original = target.read_text()
    target.write_text(original + f"\n{line}  # noqa\n")
    try:
        result = _lint(tree)
    finally:
        target.write_text(original)
    assert result.returncode != 0, result.stdout
    broken = result.stdout.split("Broken contracts", 1)[-1]
    assert contract in broken, result.stdout
