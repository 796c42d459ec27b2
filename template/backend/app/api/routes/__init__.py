"""API routers: every module of this package that exposes `router` is served (app/factory.py).

health, me and tasks come first, in that order; every other module (one per resource added
with `bafa add resource`) follows in the order of its name. A new router is a new file here.
"""

from __future__ import annotations

import importlib
import pkgutil

from fastapi import APIRouter

FIRST = ("health", "me", "tasks")


def routers() -> list[APIRouter]:
    """The routers of this package's modules: FIRST, then the others by module name."""
    names = sorted(m.name for m in pkgutil.iter_modules(__path__) if not m.ispkg)
    found = []
    for name in [*FIRST, *(n for n in names if n not in FIRST)]:
        router = getattr(importlib.import_module(f"{__name__}.{name}"), "router", None)
        if isinstance(router, APIRouter):
            found.append(router)
    return found
