"""User-owned resources added with `bafa add resource`: one module per resource, holding its
table and its request/response models (the task's are in app/models.py).

Importing this package imports every module in it, so each resource's table is on
SQLModel.metadata for Alembic (migrations/env.py) and the app (app/db.py): a new resource is a
new file here, no list to edit.
"""

from __future__ import annotations

import importlib
import pkgutil

MODULES = [
    importlib.import_module(f"{__name__}.{m.name}")
    for m in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name)
    if not m.ispkg
]
