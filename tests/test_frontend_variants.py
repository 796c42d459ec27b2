"""The generated frontend's variation points: one plain name per file, each variant a module
chosen in one place, the same exports in every variant, a lock file that matches package.json."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jinja2
import pytest

from conftest import REPO

FRONTEND = REPO / "template" / "{% if frontend %}frontend{% endif %}"
LOCKS = REPO / "includes" / "frontend-locks"

# selection file -> (folder of variants, answer, its choices, what every variant exports)
FAMILIES = {
    "lib/jwt-signing.ts.jinja": ("lib/auth-modes", "auth_mode", ("jwks", "shared_secret"), {"jwtSigning"}),
    "lib/auth-database.ts.jinja": ("lib/databases", "database", ("sqlite", "postgresql"), {"createAuthDatabase"}),
}
_EXPORT = re.compile(r"^export (?:async )?(?:function|const|class|type|interface) (\w+)", re.MULTILINE)


def test_every_frontend_file_has_one_plain_name() -> None:
    templated = [str(p.relative_to(FRONTEND)) for p in FRONTEND.rglob("*") if "{" in p.name]
    assert not templated, templated


@pytest.mark.parametrize("selection", sorted(FAMILIES))
def test_each_variant_is_a_module_chosen_by_one_line(selection: str) -> None:
    folder, answer, choices, exports = FAMILIES[selection]
    text = (FRONTEND / selection).read_text()
    code = [line for line in text.splitlines() if not line.startswith("//")]
    templated = [line for line in code if "{" + "{" in line or "{" + "%" in line]
    assert templated == [f'export {{ {", ".join(sorted(exports))} }} from "./{Path(folder).name}/{{{{ {answer} }}}}";']
    copier = (REPO / "copier.yml").read_text()
    for choice in choices:
        variant = next((FRONTEND / folder).glob(f"{choice}.ts*"))
        assert set(_EXPORT.findall(variant.read_text())) == exports, variant.name
        # copier.yml's _exclude leaves the variant out of every project that chose otherwise.
        assert f"{{% if {answer} != '{choice}' %}}frontend/{folder}/{choice}.ts{{% endif %}}" in copier
    assert sorted(p.name.split(".")[0] for p in (FRONTEND / folder).iterdir()) == sorted(choices)


def _rendered_json(name: str, database: str, account_emails: bool) -> dict:
    """A frontend JSON template rendered as Copier would, for one database and account_emails."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(REPO), keep_trailing_newline=True)
    answers = {"project_slug": "my-tasks", "database": database, "frontend_port": 3000}
    answers["account_emails"] = account_emails
    return json.loads(env.get_template(str((FRONTEND / name).relative_to(REPO))).render(answers))


@pytest.mark.parametrize("account_emails", [True, False])
@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_each_lock_file_matches_package_json(database: str, account_emails: bool) -> None:
    """npm ci refuses a lock whose dependencies differ from package.json: check it without npm.
    Without account emails the lock holds none of their packages (scripts/frontend_lock.py)."""
    package = _rendered_json("package.json.jinja", database, account_emails)
    lock = _rendered_json("package-lock.json.jinja", database, account_emails)
    root = lock["packages"][""]
    assert lock["name"] == root["name"] == package["name"] == "my-tasks-frontend"
    for kind in ("dependencies", "devDependencies"):
        assert root.get(kind, {}) == package.get(kind, {}), kind
        for name in package.get(kind, {}):
            assert f"node_modules/{name}" in lock["packages"], name
    assert ("node_modules/maildev" in lock["packages"]) is account_emails
    assert {p.name for p in LOCKS.iterdir()} == {"sqlite.json.jinja", "postgresql.json.jinja"}


@pytest.mark.parametrize("account_emails", [True, False])
@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_each_lock_lists_only_packages_its_project_needs(database: str, account_emails: bool) -> None:
    """Every package in the rendered lock is a dependency of the project or of another package in
    it: a variant's lock carries nothing left over from another variant."""
    packages = _rendered_json("package-lock.json.jinja", database, account_emails)["packages"]
    kinds = ("dependencies", "devDependencies", "optionalDependencies", "peerDependencies")
    by_name: dict[str, list[dict]] = {}
    for key, entry in packages.items():
        if key:
            by_name.setdefault(key.rsplit("node_modules/", 1)[1], []).append(entry)
    needed: set[str] = set()
    todo = [name for kind in kinds for name in packages[""].get(kind, {})]
    while todo:
        name = todo.pop()
        if name in needed:
            continue
        needed.add(name)
        todo += [dep for entry in by_name.get(name, []) for kind in kinds for dep in entry.get(kind, {})]
    assert sorted(set(by_name) - needed) == []
