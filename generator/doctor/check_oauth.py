"""oauth.secrets, oauth.committed: social sign-in's client secrets are set, and never in git."""

from __future__ import annotations

from generator.doctor.facts import Facts, deployed_site, frontend_auth_url
from generator.doctor.model import Check, failed, passed, skipped, warned

# The frontend/.env keys each oauth_providers choice needs (lib/social-providers.ts PROVIDER_KEYS).
PROVIDER_KEYS = {
    "github": ("GITHUB_CLIENT_ID", "GITHUB_CLIENT_SECRET"),
    "google": ("GOOGLE_CLIENT_ID", "GOOGLE_CLIENT_SECRET"),
    "oidc": ("OIDC_ISSUER", "OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET"),
}


def chosen_providers(facts: Facts) -> list[str]:
    chosen = facts.project.answers.get("oauth_providers")
    return [str(p) for p in chosen if str(p) in PROVIDER_KEYS] if isinstance(chosen, list) else []


def check_secrets(facts: Facts) -> Check:
    providers = chosen_providers(facts)
    if not providers:
        return passed("oauth.secrets", "no social sign-in (oauth_providers is empty): no OAuth keys needed")
    env = facts.project.frontend_env
    if not env.exists:
        return skipped(
            "oauth.secrets", f"no frontend .env (only .env.example): keys of {', '.join(providers)} not checked"
        )
    missing = [key for provider in providers for key in PROVIDER_KEYS[provider] if not (env.get(key) or "").strip()]
    if not missing:
        return passed("oauth.secrets", f"{env.relative} has the client id and secret of {', '.join(providers)}")
    production = deployed_site(frontend_auth_url(facts.project))
    fix = f"register the OAuth app (README.md, Social sign-in) and set {', '.join(missing)} in {env.relative}"
    if production:
        return failed(
            "oauth.secrets", f"{', '.join(missing)} empty in {env.relative}: the frontend refuses to start", fix
        )
    return warned("oauth.secrets", f"{', '.join(missing)} empty in {env.relative}: that sign-in is not offered", fix)


def check_committed(facts: Facts) -> Check:
    git = facts.git
    if not git.available:
        return skipped("oauth.committed", f"{git.reason}: OAuth client secrets in git not checked")
    if git.client_secrets:
        shown = ", ".join(
            f"{key} in {path} ({'tracked' if where == 'tracked' else f'added in {where}'})"
            for path, where, key in git.client_secrets[:3]
        )
        return failed(
            "oauth.committed",
            f"{shown}: an OAuth client secret with a value is in git",
            "rotate the secret at the provider, keep it in frontend/.env only (git-ignored), purge the history",
        )
    return passed("oauth.committed", "no *_CLIENT_SECRET with a value in any tracked file or commit")
