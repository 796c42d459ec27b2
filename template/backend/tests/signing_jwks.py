"""How tests sign tokens in jwks mode: an asymmetric test key pair, served by a local JWKS.

`JwksServer` plays Better Auth's /api/auth/jwks on 127.0.0.1: it can rotate keys, go down,
or serve garbage, and counts the fetches. tests/signing.py re-exports this module in jwks
projects; signing_shared_secret.py has the same names but the jwks-only ones (JWKS_ONLY).
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from jwt.algorithms import get_default_algorithms

from app.core.defaults import JWT_ALGORITHM

JWKS_ONLY = ["JwksServer", "KeyPair", "TEST_KEY", "new_key"]
__all__ = ["ALGORITHM", "AUTH_MODE", "TEST_SECRET", "auth_settings", "forge", "sign", *JWKS_ONLY]

AUTH_MODE = "jwks"
ALGORITHM = JWT_ALGORITHM
# Not used by the app in this mode: handy for algorithm-confusion tokens.
TEST_SECRET = secrets.token_urlsafe(48)


@dataclass(frozen=True)
class KeyPair:
    kid: str
    alg: str
    private: Any

    @property
    def public_jwk(self) -> dict[str, Any]:
        jwk = json.loads(get_default_algorithms()[self.alg].to_jwk(self.private.public_key()))
        return {**jwk, "kid": self.kid, "alg": self.alg, "use": "sig"}


def new_key(alg: str = ALGORITHM, kid: str | None = None) -> KeyPair:
    if alg == "EdDSA":
        private: Any = ed25519.Ed25519PrivateKey.generate()
    elif alg == "ES256":
        private = ec.generate_private_key(ec.SECP256R1())
    elif alg == "RS256":
        private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    else:
        raise ValueError(alg)
    return KeyPair(kid or secrets.token_urlsafe(12), alg, private)


TEST_KEY = new_key(kid="test-key-1")


def sign(
    claims: dict[str, Any],
    *,
    alg: str | None = None,
    headers: dict[str, Any] | None = None,
    key: KeyPair = TEST_KEY,
) -> str:
    """Sign like Better Auth's jwt plugin: the key pair's algorithm, with its kid in the header."""
    return jwt.encode(
        claims, key.private, algorithm=alg or key.alg, headers={"kid": key.kid, **(headers or {})}
    )


def forge(claims: dict[str, Any]) -> str:
    """The same claims signed by another private key under the published kid."""
    return sign(claims, key=new_key(kid=TEST_KEY.kid))


class JwksServer:
    """A local JWKS endpoint. mode: "ok" | "down" (HTTP 503) | "garbage" (not a key set) |
    "deep" (JSON nested 100,000 levels deep);
    `delay`: seconds to wait before answering (a slow issuer)."""

    def __init__(self, *keys: KeyPair) -> None:
        self.keys = list(keys) or [TEST_KEY]
        self.mode = "ok"
        self.delay = 0.0
        self.requests = 0
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                server.requests += 1
                time.sleep(server.delay)
                if server.mode == "down":
                    self.send_response(503)
                    self.end_headers()
                    return
                if server.mode == "garbage":
                    body = b"<html>not json"
                elif server.mode == "deep":
                    body = b'{"keys":' + b"[" * 100_000 + b"]" * 100_000 + b"}"
                else:
                    body = json.dumps({"keys": [k.public_jwk for k in server.keys]}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._httpd.server_address[1]}/api/auth/jwks"
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


def auth_settings(jwks_url: str | None = None) -> dict[str, Any]:
    """The auth part of Settings for the tests: the local JWKS server's URL."""
    assert jwks_url, "jwks mode tests need the jwks_server fixture"
    return {"JWKS_URL": jwks_url, "JWKS_MIN_REFETCH_SECONDS": 0.5}
