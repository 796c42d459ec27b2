"""prod.smtp: a project that sends account emails has a real SMTP server in production.

The generated frontend refuses to start without one (lib/mailer.ts): no SMTP_HOST at all, or, in
production, the development mail catcher (maildev: a loopback host on port 1025, or compose's
`maildev` service), which keeps every message to itself. Production here means a BETTER_AUTH_URL
on a host other than localhost (facts.deployed_site, as for oauth.secrets and prod.https).
"""

from __future__ import annotations

from generator.doctor.facts import Facts, _from_env, deployed_site, frontend_auth_url
from generator.doctor.model import Check, failed, passed, skipped
from generator.rules import LOCAL_HOSTS

CATCHER_PORT = 1025


def is_mail_catcher(host: str, port: int) -> bool:
    name = host.strip().lower()
    return name == "maildev" or (name.strip("[]") in LOCAL_HOSTS and port == CATCHER_PORT)  # as lib/mailer.ts


def _sends_account_emails(facts: Facts) -> bool:
    project = facts.project
    answer = project.answers.get("account_emails")
    if isinstance(answer, bool):
        return answer and project.frontend is not None
    # A project rendered before the answer existed, or not by bafa: the mailer is the evidence.
    return project.frontend is not None and (project.frontend / "lib" / "mailer.ts").is_file()


def check_smtp(facts: Facts) -> Check:
    project = facts.project
    if not _sends_account_emails(facts):
        return skipped("prod.smtp", "the project sends no account emails (account_emails=false or no frontend)")
    host = _from_env("SMTP_HOST", project.frontend_env, project.frontend_example)
    url = frontend_auth_url(project)
    production = deployed_site(url)
    where = f" ({url.value} from {url.source})" if url is not None else ""
    if host is None or not str(host.value).strip():
        source = host.source if host is not None else "the frontend's .env files"
        return failed(
            "prod.smtp",
            f"SMTP_HOST is not set in {source}: the frontend refuses to start without an SMTP server",
            "set SMTP_HOST, SMTP_PORT, SMTP_FROM (and SMTP_USER/SMTP_PASSWORD) in frontend/.env",
        )
    port_found = _from_env("SMTP_PORT", project.frontend_env, project.frontend_example)
    port_text = str(port_found.value).strip() if port_found is not None else ""
    port = int(port_text) if port_text.isdigit() else CATCHER_PORT  # lib/mailer.ts's default
    name = str(host.value).strip()
    if is_mail_catcher(name, port):
        if production:
            return failed(
                "prod.smtp",
                f"{host.source}: SMTP_HOST={name}, SMTP_PORT={port} is the development mail catcher "
                f"in production{where}: no account email (verification, password reset) reaches anyone",
                "point SMTP_* in frontend/.env at your mail provider's SMTP server",
            )
        return passed("prod.smtp", f"development: account emails go to the local mail catcher ({name}:{port})")
    return passed("prod.smtp", f"account emails go to {name}:{port} ({host.source})")
