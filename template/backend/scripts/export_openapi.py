"""Print the API's OpenAPI document (JSON), without a server, a database or the project's .env.

    python scripts/export_openapi.py [OUTPUT]      (from backend/; OUTPUT defaults to stdout)

The frontend's `npm run api:types` turns it into TypeScript types (frontend/lib/api-schema.ts).
The settings used here are throw-away values: the document does not depend on them.
"""

from __future__ import annotations

import json
import secrets
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.core.config import Settings  # noqa: E402
from app.factory import create_app  # noqa: E402

THROWAWAY = {
    "BETTER_AUTH_SECRET": secrets.token_urlsafe(48),
    "JWKS_URL": "http://127.0.0.1:9/api/auth/jwks",
    "DATABASE_URL": "sqlite://",
    "DOCS_ENABLED": True,
}


def openapi_document() -> dict:
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        **{name: value for name, value in THROWAWAY.items() if name in Settings.model_fields},
    )
    return create_app(settings).openapi()


def main(argv: list[str]) -> int:
    text = json.dumps(openapi_document(), indent=2, sort_keys=True) + "\n"
    if len(argv) > 1:
        Path(argv[1]).write_text(text)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
