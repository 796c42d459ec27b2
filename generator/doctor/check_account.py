"""account.backends: a deleted account's data is deleted in the project's own backend too.

The frontend tells every backend of ACCOUNT_BACKENDS (frontend/.env, comma-separated; default
BACKEND_URL) to delete a deleted user's data (frontend/lib/account-deletion.ts). A list that
leaves out the project's own BACKEND_URL leaves every deleted user's tasks there.
"""

from __future__ import annotations

from generator.doctor.facts import Facts
from generator.doctor.model import Check, failed, passed, skipped

CHECK_ID = "account.backends"


def _normal(url: str) -> str:
    return url.strip().rstrip("/")


def check_account_backends(facts: Facts) -> Check:
    project = facts.project
    if project.frontend is None:
        return skipped(CHECK_ID, "no frontend: account deletion is the issuer's to configure")
    envs = [e for e in (project.frontend_env, project.frontend_example) if e.exists]
    listed = next((e for e in envs if e.get("ACCOUNT_BACKENDS")), None)
    backend = next((e for e in envs if e.get("BACKEND_URL")), None)
    if listed is None:
        where = f" ({backend.get('BACKEND_URL')})" if backend is not None else ""
        return passed(CHECK_ID, f"ACCOUNT_BACKENDS not set: deletions go to BACKEND_URL{where}")
    urls = [_normal(u) for u in str(listed.get("ACCOUNT_BACKENDS")).split(",") if u.strip()]
    if backend is None:
        return passed(CHECK_ID, f"ACCOUNT_BACKENDS in {listed.relative} lists {len(urls)} backend(s)")
    own = _normal(str(backend.get("BACKEND_URL")))
    if own not in urls:
        return failed(
            CHECK_ID,
            f"ACCOUNT_BACKENDS in {listed.relative} leaves out BACKEND_URL {own}: a deleted account's data stays there",
            f"add {own} to ACCOUNT_BACKENDS (comma-separated), or remove the setting to use BACKEND_URL",
        )
    return passed(CHECK_ID, f"ACCOUNT_BACKENDS in {listed.relative} includes BACKEND_URL {own} ({len(urls)} in all)")
