"""The registry of user-owned resources the generic property tests cover.

Each module of this package describes one resource (tests/resources/task.py is the model of
one): its collection's URL segment, its table, the bodies a client may send and the content an
answer must then hold. tests/test_property_isolation.py runs its isolation state machine on
every entry, tests/test_schema_fuzz.py seeds every table before fuzzing. `bafa add resource`
adds one module here, so a new resource is covered with no hand-written property test.

A module defines:
  NAME        the resource's name (the task's is "task"; it comes first)
  COLLECTION  the URL segment: /api/<COLLECTION> (or /api/{user_id}/<COLLECTION>)
  MODEL       the SQLModel table
  CREATE      a Hypothesis strategy of valid POST bodies
  UPDATE      a Hypothesis strategy of valid PUT/PATCH bodies (any subset of the fields)
  FIELDS      the names of the fields a client sets
  DEFAULTS    the value of each field a POST may leave out
  SEED        the fields of a row the schema fuzzing stores (its owner is added)
  NOT_FOUND   the detail of a 404 ("task not found")
  NOT_YOURS   the detail of the answer to another user's item
and, optionally, expected(body, before) and content(item) (see _expected, _content below).
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from hypothesis.strategies import SearchStrategy
from support import collection_url

FIRST = "task"


@dataclass(frozen=True)
class Resource:
    name: str
    collection: str
    model: Any
    create: SearchStrategy[dict[str, Any]]
    update: SearchStrategy[dict[str, Any]]
    fields: tuple[str, ...]
    defaults: dict[str, Any]
    seed: dict[str, Any]
    not_found: str
    not_yours: str
    content: Callable[[dict[str, Any]], dict[str, Any]]
    expected: Callable[[dict[str, Any], dict[str, Any] | None], dict[str, Any]]

    def url(self, user_id: str, item_id: int | str | None = None) -> str:
        return collection_url(self.collection, user_id, item_id)


def _from_module(module: ModuleType) -> Resource:
    fields = tuple(module.FIELDS)
    defaults = dict(module.DEFAULTS)

    def content(item: dict[str, Any]) -> dict[str, Any]:
        """What an item holds, as an answer gives it."""
        return {name: item[name] for name in fields}

    def expected(body: dict[str, Any], before: dict[str, Any] | None) -> dict[str, Any]:
        """The content an item should have once `body` is applied (to `before`, or created)."""
        result = dict(defaults) if before is None else content(before)
        result.update({name: body[name] for name in fields if name in body})
        return result

    return Resource(
        name=module.NAME,
        collection=module.COLLECTION,
        model=module.MODEL,
        create=module.CREATE,
        update=module.UPDATE,
        fields=fields,
        defaults=defaults,
        seed=dict(module.SEED),
        not_found=module.NOT_FOUND,
        not_yours=module.NOT_YOURS,
        content=getattr(module, "content", content),
        expected=getattr(module, "expected", expected),
    )


def load() -> list[Resource]:
    """Every resource of this package: the task first, then the others by name."""
    names = sorted(m.name for m in pkgutil.iter_modules(__path__) if not m.ispkg)
    ordered = [FIRST, *(n for n in names if n != FIRST)]
    return [_from_module(importlib.import_module(f"{__name__}.{n}")) for n in ordered]


RESOURCES = load()
