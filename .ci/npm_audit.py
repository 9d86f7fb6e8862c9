"""`npm audit --omit=dev` for the staff app, telling the truth about whether it could audit.

Like .ci/audit.py for Python: known vulnerabilities in the app's production dependencies fail;
when the registry's audit endpoint cannot be reached (this sandbox's registry mirror answers
405 to the bulk advisory POST), say loudly that the audit was NOT performed — a failure with
AUDIT_STRICT=1, where the network reaches the real endpoint.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

APP = Path(__file__).resolve().parents[1] / "staff_app"


def main() -> int:
    proc = subprocess.run(["npm", "audit", "--omit=dev", "--json"], cwd=APP, capture_output=True, text=True)
    try:
        report = json.loads(proc.stdout or "{}")
    except json.JSONDecodeError:
        report = {}
    if proc.returncode != 0 and "vulnerabilities" not in report:
        error = report.get("error") if isinstance(report.get("error"), dict) else {}
        why = report.get("message") or error.get("summary") or (proc.stderr.strip().splitlines() or ["?"])[-1]
        print(f"NPM AUDIT NOT PERFORMED: the registry's audit endpoint failed ({why.splitlines()[0]}).")
        return 1 if os.environ.get("AUDIT_STRICT") == "1" else 0
    counts = report.get("metadata", {}).get("vulnerabilities", {})
    serious = {level: n for level, n in counts.items() if level in ("moderate", "high", "critical") and n}
    for name, item in sorted(report.get("vulnerabilities", {}).items()):
        print(f"VULNERABLE {name} ({item.get('severity')}): {item.get('range')}")
    if serious:
        return 1
    total = counts.get("total", 0)
    print(f"npm audit: staff app production dependencies audited, {total} low-severity findings, "
          "none moderate or worse.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
