"""The shared BETTER_AUTH_SECRET: drawn once, written to both .env files."""

import secrets

SECRET_QUESTION = "better_auth_secret"  # the Copier question
SECRET_ENV = "BETTER_AUTH_SECRET"  # the variable in backend/.env, frontend/.env and the environment


def new_secret() -> str:
    """A 64-character url-safe secret with 384 bits of entropy from the OS."""
    return secrets.token_urlsafe(48)
