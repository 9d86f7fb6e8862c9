"""The committed mobile contract matches what the app serves (run `make contract` to refresh)."""

from __future__ import annotations

from pathlib import Path

from api.contract import documents, render

CONTRACT_DIR = Path(__file__).resolve().parents[2] / "mobile_contract"


def test_committed_contract_is_current(app):
    stale = []
    for relative, document in documents(app).items():
        path = CONTRACT_DIR / relative
        if not path.exists() or path.read_text() != render(document):
            stale.append(relative)
    assert not stale, f"mobile_contract is stale for {stale}: run `make contract` and commit the result"


def test_every_operation_has_a_summary_and_problem_errors(app):
    spec = documents(app)["openapi.json"]
    for path, item in spec["paths"].items():
        for method, op in item.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            assert op.get("summary"), f"{method.upper()} {path} has no summary (one-line docstring)"
            assert "default" in op["responses"] or any(k.startswith(("4", "5")) for k in op["responses"]), path
    problem = spec["components"]["responses"]["UNPROCESSABLE_ENTITY"]["content"]
    assert "application/problem+json" in problem
