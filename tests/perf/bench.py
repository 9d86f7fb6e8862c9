"""`make bench`: every benchmark module, each reporting figures as ratios to a baseline
measured in the same run. `make bench BENCH=feed,tally` runs a subset (names below)."""

from __future__ import annotations

import importlib
import os
import sys

from tests.perf.benchkit import Result

# name -> module with `run() -> list[Result]`; feature work adds its own.
BENCH_MODULES: dict[str, str] = {
    "http": "tests.perf.bench_http",
    "tally": "tests.perf.bench_tally",
    "fanout": "tests.perf.bench_fanout",
    "staff_app": "tests.perf.bench_staff_app",
    "import": "tests.perf.bench_import",
}


def main() -> int:
    wanted = [n for n in os.environ.get("BENCH", "").split(",") if n] or list(BENCH_MODULES)
    results: list[Result] = []
    for name in wanted:
        print(f"== {name}", flush=True)
        module = importlib.import_module(BENCH_MODULES[name])
        for r in module.run():
            results.append(r)
            print(f"   {_line(r)}", flush=True)
    print("\nSummary")
    for r in results:
        print(f"  {_line(r)}")
    return 0


def _line(r: Result) -> str:
    text = f"{r.name}: {r.value:,.1f} {r.unit}"
    if r.baseline is not None:
        text += f" vs baseline {r.baseline:,.1f} -> ratio {r.ratio:.2f}"
    if r.target is not None:
        text += f" (target {'<=' if r.lower_is_better else '>='} {r.target}) {r.verdict()}"
    return text


if __name__ == "__main__":
    sys.exit(main())
