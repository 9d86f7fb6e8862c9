"""Imports every job module so that their periodic jobs are registered and RQ can find them."""

from __future__ import annotations

import importlib

# Feature job modules; each may call workers.schedule.register(...) at import.
JOB_MODULES: tuple[str, ...] = (
    "workers.jobs.maintenance",
    "workers.jobs.publishing",
    "workers.jobs.tally",
    "workers.jobs.push",
    "workers.jobs.reminders",
    "workers.jobs.challenges",
)


def load_all() -> None:
    for name in JOB_MODULES:
        importlib.import_module(name)
