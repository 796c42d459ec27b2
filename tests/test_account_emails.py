"""Account emails (account_emails, require_email_verification): in a project when chosen, and
nowhere — no mail code, no SMTP keys, no pages, no packages — when not.

The emails themselves are tested end to end in the generated project (frontend/e2e/
account-emails.test.mjs, run by test_e2e.py against a real maildev)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from conftest import generate, read_env
from generator.env_files import append_new_keys

MAIL_FILES = [
    "lib/mailer.ts",
    "lib/account-emails/smtp.ts",
    "components/email-forms.tsx",
    "app/check-inbox/page.tsx",
    "app/forgot-password/page.tsx",
    "app/reset-password/page.tsx",
    "app/email-verified/page.tsx",
    "e2e/account-emails.test.mjs",
    "e2e/mail-catcher.mjs",
]
SMTP_KEYS = ("SMTP_HOST", "SMTP_PORT", "SMTP_FROM")


def _answers(project: Path) -> dict:
    return yaml.safe_load((project / ".copier-answers.yml").read_text())


@pytest.fixture(scope="module")
def with_emails(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate(tmp_path_factory.mktemp("emails") / "app")


@pytest.fixture(scope="module")
def without_emails(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # require_email_verification is not even asked: it cannot turn anything on.
    return generate(tmp_path_factory.mktemp("quiet") / "app", "account_emails=false", "require_email_verification=true")


def test_the_default_project_sends_account_emails(with_emails: Path) -> None:
    frontend = with_emails / "frontend"
    assert _answers(with_emails)["account_emails"] is True
    assert _answers(with_emails)["require_email_verification"] is False
    for name in MAIL_FILES:
        assert (frontend / name).is_file(), name
    assert not (frontend / "lib/account-emails/none.ts").exists()
    assert '"./account-emails/smtp"' in (frontend / "lib/account-emails.ts").read_text()
    assert "REQUIRE_EMAIL_VERIFICATION = false;" in (frontend / "lib/project.ts").read_text()
    for env in (frontend / ".env", frontend / ".env.example"):
        values = read_env(env)
        assert (values["SMTP_HOST"], values["SMTP_PORT"]) == ("localhost", "1025"), env.name  # maildev
        assert "SMTP_PASSWORD" not in values, "no password for the catcher, and none generated"
    package = json.loads((frontend / "package.json").read_text())
    assert "nodemailer" in package["dependencies"] and "maildev" in package["devDependencies"]
    assert package["scripts"]["mail"].startswith("maildev ")
    lock = json.loads((frontend / "package-lock.json").read_text())
    assert {"node_modules/nodemailer", "node_modules/maildev"} <= set(lock["packages"])
    assert "maildev:" in (with_emails / "compose.yaml").read_text()
    readme = (with_emails / "README.md").read_text()
    assert "npm run mail" in readme and "http://localhost:1080" in readme and "SMTP_HOST" in readme


def test_without_account_emails_nothing_of_them_is_left(without_emails: Path) -> None:
    frontend = without_emails / "frontend"
    answers = _answers(without_emails)
    assert answers["account_emails"] is False and "require_email_verification" not in answers
    for name in MAIL_FILES:
        assert not (frontend / name).exists(), name
    assert '"./account-emails/none"' in (frontend / "lib/account-emails.ts").read_text()
    assert "REQUIRE_EMAIL_VERIFICATION = false;" in (frontend / "lib/project.ts").read_text()
    for env in (frontend / ".env", frontend / ".env.example"):
        assert "SMTP_" not in env.read_text(), env.name
    package = (frontend / "package.json").read_text()
    lock = (frontend / "package-lock.json").read_text()
    for word in ("nodemailer", "maildev"):
        assert word not in package and word not in lock, word
    assert "maildev" not in (without_emails / "compose.yaml").read_text()
    readme = (without_emails / "README.md").read_text()
    assert "SMTP" not in readme and "npm run mail" not in readme


def test_require_email_verification_is_rendered_into_the_frontend(tmp_path: Path) -> None:
    project = generate(tmp_path / "strict", "require_email_verification=true")
    assert _answers(project)["require_email_verification"] is True
    assert "REQUIRE_EMAIL_VERIFICATION = true;" in (project / "frontend/lib/project.ts").read_text()
    assert "export const REQUIRE_EMAIL_VERIFICATION = true;" in (project / "frontend/e2e/project.mjs").read_text()


def test_a_backend_only_project_is_not_asked(tmp_path: Path) -> None:
    answers = _answers(generate(tmp_path / "api", "frontend=false"))
    assert "account_emails" not in answers and "require_email_verification" not in answers


def test_update_adds_the_smtp_keys_with_the_catcher_and_never_a_password(with_emails: Path, tmp_path: Path) -> None:
    """An existing project (a frontend/.env without SMTP_*) gets the example's development values."""
    project = tmp_path / "old"
    (project / "frontend").mkdir(parents=True)
    (project / "frontend/.env.example").write_bytes((with_emails / "frontend/.env.example").read_bytes())
    old = [line for line in (with_emails / "frontend/.env").read_text().splitlines() if not line.startswith("SMTP_")]
    (project / "frontend/.env").write_text("\n".join(old) + "\n")
    new = append_new_keys(project)
    assert new.added == {"frontend/.env": list(SMTP_KEYS)}
    assert new.need_value == {}
    values = read_env(project / "frontend/.env")
    assert [values[key] for key in SMTP_KEYS] == ["localhost", "1025", "no-reply@example.com"]
    assert "SMTP_PASSWORD" not in values and "SMTP_USER" not in values
