"""The router with every feature registered, in the order their routes must be tried."""

from __future__ import annotations

import importlib

from handlers.router import Router

# Text routes are tried in this order: a link code before a coordinator's question before a
# report (report.py registers the fallback, so it comes last).
FEATURES = (
    "link",
    "greeting",
    "my_tasks",
    "queries",
    "review",
    "leave",
    "reminders",
    "consolidated",
    "rounds",
    "report",
)


def build_router() -> Router:
    router = Router()
    for name in FEATURES:
        try:
            module = importlib.import_module(f"handlers.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"handlers.{name}":
                raise
            continue  # a feature not written yet
        module.register(router)
    return router
