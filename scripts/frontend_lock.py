"""Compose includes/frontend-locks/<database>.json.jinja from two npm lock files of one database.

    python scripts/frontend_lock.py BASE_LOCK FULL_LOCK > includes/frontend-locks/<database>.json.jinja

BASE_LOCK: `npm install --package-lock-only` in a project rendered with account_emails=false;
FULL_LOCK: the same with account_emails=true (its extra packages: nodemailer, maildev and theirs).
Every package only FULL_LOCK has is written inside `{%- if account_emails %}`, so each project's
lock lists exactly its own packages. FULL_LOCK must add packages only: a package both locks hold
with different contents is refused (regenerate both from the same registry state), except for
its dev/optional flags (a package that the extra packages need too): both forms are written.
"""

from __future__ import annotations

import json
import sys

NAME = "my-tasks-frontend"
CONDITION = "account_emails"


FLAGS = ("dev", "optional", "devOptional", "peer")


def _without_flags(entry: dict) -> dict:
    """A package's entry without the flags that say which dependencies need it."""
    return {k: v for k, v in entry.items() if k not in FLAGS}


def _entry(key: str, value: object, indent: int) -> str:
    body = json.dumps(value, indent=2, ensure_ascii=False).replace("\n", "\n" + " " * indent)
    return f"{' ' * indent}{json.dumps(key)}: {body}"


def _root(base: dict, full: dict) -> str:
    """The project's own entry (""): the extra dependencies inside the condition."""
    lines = ['    "": {']
    fields = list(full)
    for i, field in enumerate(fields):
        comma = "," if i < len(fields) - 1 else ""
        value = full[field]
        if field in ("dependencies", "devDependencies"):
            lines.append(f"      {json.dumps(field)}: {{")
            names = list(value)
            for j, name in enumerate(names):
                line = f"        {json.dumps(name)}: {json.dumps(value[name])}{',' if j < len(names) - 1 else ''}"
                if name in base.get(field, {}):
                    if base[field][name] != value[name]:
                        raise SystemExit(f"{field}.{name} differs between the locks")
                    lines.append(line)
                else:
                    if j == len(names) - 1:
                        raise SystemExit(f"{field}.{name}: a conditional dependency must not be the last one")
                    lines.append(f"{{%- if {CONDITION} %}}\n{line}\n{{%- endif %}}")
            lines.append(f"      }}{comma}")
        else:
            if base.get(field) != value:
                raise SystemExit(f"root field {field} differs between the locks")
            lines.append(_entry(field, value, 6) + comma)
    lines.append("    }")
    return "\n".join(lines)


def compose(base: dict, full: dict) -> str:
    if {k: v for k, v in full.items() if k != "packages"} != {k: v for k, v in base.items() if k != "packages"}:
        raise SystemExit("the locks differ outside their packages")
    base_packages, full_packages = base["packages"], full["packages"]
    missing = [key for key in base_packages if key not in full_packages]
    changed = [
        key
        for key in base_packages
        if key
        and base_packages[key] != full_packages.get(key)
        and _without_flags(base_packages[key]) != _without_flags(full_packages[key])
    ]
    if missing or changed:
        raise SystemExit(f"FULL_LOCK must only add packages; missing {missing[:5]}, changed {changed[:5]}")
    head = json.dumps({k: v for k, v in full.items() if k != "packages"}, indent=2, ensure_ascii=False)
    out = [head[: head.rindex("\n}")] + ',\n  "packages": {', _root(base_packages[""], full_packages[""])]
    for key, value in full_packages.items():
        if not key:
            continue
        # Each entry brings the comma before it, so any entry can be left out.
        entry = ",\n" + _entry(key, value, 4)
        if key not in base_packages:
            out.append(f"{{%- if {CONDITION} %}}{entry}\n{{%- endif %}}")
        elif base_packages[key] != value:  # the same package, needed by dev dependencies too
            base_entry = ",\n" + _entry(key, base_packages[key], 4)
            out.append(f"{{%- if {CONDITION} %}}{entry}\n{{%- else %}}{base_entry}\n{{%- endif %}}")
        else:
            out.append(entry)
    text = out[0] + "\n" + "".join(out[1:]) + "\n  }\n}\n"
    return text.replace(json.dumps(NAME), '"{{ project_slug }}-frontend"')


def main() -> None:
    base_path, full_path = sys.argv[1:3]
    with open(base_path, encoding="utf-8") as base, open(full_path, encoding="utf-8") as full:
        sys.stdout.write(compose(json.load(base), json.load(full)))


if __name__ == "__main__":
    main()
