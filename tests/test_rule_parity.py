"""Every copy of a rule accepts and refuses the same inputs (issue 15).

Each rule has one home in the generator (generator/rules.py, used by doctor, `bafa token` and
bootstrap). A generated project runs without bafa, so it holds copies: copier.yml's validators
(includes/macros.jinja), the backend's settings and token check, the frontend's lib/auth.ts
and lib/backend-url.ts. Each copy is asked about every example of one shared table, as the
code that uses it asks:

- the generator: generator.rules, bootstrap's manifest validation, `bafa token`'s diagnosis;
- copier.yml: its validator expressions, rendered in an environment built like Copier's;
- the backend (one subprocess per auth mode): its Settings from the environment, its
  TokenVerifier (in jwks mode against the generated tests' own local JWKS server);
- the frontend (one node process per auth mode): lib/auth.ts imported under each value, as
  the server starts; lib/backend-url.ts's backendUrl.

The table says what the rule is; a copy that answers differently on any example fails here.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import math
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from jinja2 import FileSystemLoader
from jinja2.sandbox import SandboxedEnvironment
from processes import install_node_modules, require_node

from conftest import REPO, clean_env, generate
from generator import rules
from generator.bootstrap import plan_services, validate_manifest
from generator.errors import BafaError
from generator.token.diagnose import diagnose
from generator.token.parse import decode_unverified
from generator.token.policy import JwksKeys, Policy, SharedSecretKey

STRONG = "Zq8vN2kLw5Rt-Yh3Pj7Xc0Bm9Sd4Fg6Ha1Ue"  # 36 characters, 35 distinct
ISSUER = "http://localhost:3000"
LEEWAY = 30  # seconds; the time examples sit far enough from it for a few seconds of test run
MARKER = "--- rule-parity ---"

# --- the table: (example, accepted?) per rule -------------------------------------------------

SECRETS: list[tuple[str, bool]] = [
    (STRONG, True),
    (hashlib.sha512(b"x").hexdigest(), True),  # what plain `copier copy` generates
    ("abcdefgh" * 4, True),  # exactly 32 characters, exactly 8 different ones
    ("abcdefgh" * 4 + "é€", True),
    ("abcdefgh" * 4 + "🔑", True),
    ("abcdefghabcdefghabcdefghabcdefg", False),  # 31 characters
    ("🔑" * 8 + "abcdefghijklmnop", False),  # 24 characters (40 UTF-16 units)
    ("a" * 40, False),
    ("abcdefg" * 6, False),  # 7 different characters
    ("", False),
    ("secret", False),
    ("password", False),
    ("changeme-changeme-changeme-changeme", False),
    ("x" + STRONG + "-CHANGEME", False),
    ("Your-Secret-" + STRONG, False),
    ("my-replace-me-" + STRONG, False),
    ('generate-with-python3 -c "import secrets; print(secrets.token_urlsafe(48))"', False),
    ("generate-with-" + STRONG, False),
    (STRONG + " " + STRONG, False),
    (STRONG + "\t", False),
    (" " + STRONG, False),
    (STRONG + "\n", False),
    (STRONG + "\u00a0", False),  # no-break space
    (STRONG + "\u2003", False),  # em space
    (STRONG + "\ufeff", False),  # whitespace for JavaScript's \s, not for Python's isspace()
    (STRONG + "\x85", False),  # whitespace for Python's isspace(), not for JavaScript's \s
    (STRONG + "\x1c", False),  # the same
]

URLS: list[tuple[str, bool]] = [
    ("http://localhost:3000", True),
    ("https://auth.example.com", True),
    ("https://auth.example.com/base/path", True),
    ("http://127.0.0.1:8080", True),
    ("http://LOCALHOST:3000", True),
    ("http://xn--bcher-kva.example", True),
    ("http://localhost:1", True),
    ("http://localhost:65535", True),
    ("https://a.example/p_a-t.h~1%20/x", True),
    ("http://localhost:3000/", False),  # trailing slash: the token's iss would not match
    ("http://localhost:3000/api/", False),
    ("HTTP://localhost:3000", False),
    ("Https://auth.example.com", False),
    ("localhost:3000", False),
    ("ftp://localhost:3000", False),
    ("http://", False),
    ("http:///path", False),
    ("http://user:pw@localhost:3000", False),
    ("http://@localhost:3000", False),
    ("http://[::1]:3000", False),
    ("http://bücher.example", False),
    ("http://localhost:3000/pfad/über", False),
    ("http://my_host:3000", False),
    ("http://localhost:0", False),
    ("http://localhost:65536", False),
    ("http://localhost:99999", False),
    ("http://localhost:", False),
    ("http://localhost:03000", False),
    ("http://localhost:30a0", False),
    ("http://localhost:3000?x=1", False),
    ("http://localhost:3000/p?x=1", False),
    ("http://localhost:3000#top", False),
    ("http://localhost:3000/p#top", False),
    ("http://*.example.com", False),
    ("http://local host:3000", False),
    (" http://localhost:3000", False),
    ("http://localhost:3000 ", False),
    ("http://localhost:3000\n", False),
    ("http://localhost:3000/\tx", False),
    ("", False),
]

# One origin (the items of CORS_ORIGINS, TRUSTED_ORIGINS, frontend_origins and a manifest's
# origins). Spaces around an item belong to the lists' splitting: see the list tables below.
ORIGINS: list[tuple[str, bool]] = [
    ("http://localhost:3000", True),
    ("https://app.example.com", True),
    ("http://127.0.0.1:5173", True),
    ("https://app.example.com:8443", True),
    ("http://localhost", True),
    ("http://localhost:65535", True),
    ("http://localhost:3000/", False),
    ("http://localhost:3000/app", False),
    ("*", False),
    ("null", False),
    ("https://*.example.com", False),
    ("http://user@localhost:3000", False),
    ("http://user:pw@localhost:3000", False),
    ("http://[::1]:3000", False),
    ("HTTP://localhost:3000", False),
    ("localhost:3000", False),
    ("http://bücher.example", False),
    ("http://my_host:3000", False),
    ("http://localhost:0", False),
    ("http://localhost:65536", False),
    ("http://localhost:", False),
    ("http://localhost:3000?", False),
    ("http://localhost:3000?x=1", False),
    ("http://localhost:3000#", False),
    ("http://local host:3000", False),
    ("http://", False),
]

AUDIENCES: list[tuple[str, bool]] = [
    ("http://localhost:3000", True),
    ("api://tasks", True),
    ("", False),
    ("   ", False),
]

# CORS_ORIGINS as the backend reads it (None: refused).
CORS_LISTS: list[tuple[str, list[str] | None]] = [
    ("http://localhost:3000", ["http://localhost:3000"]),
    ("http://localhost:3000,https://app.example.com", ["http://localhost:3000", "https://app.example.com"]),
    (" http://localhost:3000 , https://app.example.com ", ["http://localhost:3000", "https://app.example.com"]),
    ('["http://localhost:3000", "https://app.example.com"]', ["http://localhost:3000", "https://app.example.com"]),
    ("[http://localhost:3000, https://app.example.com]", ["http://localhost:3000", "https://app.example.com"]),
    ("'http://localhost:3000'", ["http://localhost:3000"]),
    ("http://localhost:3000,", ["http://localhost:3000"]),
    ('[" http://localhost:3000"]', None),
    ("http://localhost:3000,*", None),
    ("http://localhost:3000/", None),
    ('["http://localhost:3000", 5]', None),
]

# TRUSTED_ORIGINS as the frontend reads it (None: refused).
TRUSTED_LISTS: list[tuple[str, list[str] | None]] = [
    ("", []),
    ("http://localhost:3000", ["http://localhost:3000"]),
    (" http://localhost:3000 , https://app.example.com ", ["http://localhost:3000", "https://app.example.com"]),
    ("http://localhost:3000,,https://app.example.com,", ["http://localhost:3000", "https://app.example.com"]),
    ("\u00a0http://localhost:3000\t", ["http://localhost:3000"]),
    ("http://localhost:3000,*.example.com", None),
    ("http://localhost:3000,https://*.example.com", None),
    ("http://localhost:3000/", None),
    ('["http://localhost:3000"]', None),
]

LEEWAYS: list[tuple[str, int | None]] = [
    ("10", 10),
    ("0", 0),
    ("300", 300),
    ("301", None),
    ("-1", None),
    ("ten", None),
    ("1.5", None),
    ("", None),
]

TABLES: dict[str, list[tuple[Any, Any]]] = {
    "secret": SECRETS,
    "url": URLS,
    "origin": ORIGINS,
    "audience": AUDIENCES,
    "cors_list": CORS_LISTS,
    "trusted_list": TRUSTED_LISTS,
    "leeway": LEEWAYS,
}

# --- tokens: built per auth mode, signed as Better Auth signs them ----------------------------


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class Signer:
    """Signs compact JWS by hand (so that headers and claims PyJWT would refuse can be made)."""

    def __init__(self, mode: str) -> None:
        self.mode = mode
        self.secret = "parity-" + _b64(os.urandom(36))
        if mode == "jwks":
            from cryptography.hazmat.primitives import serialization
            from cryptography.hazmat.primitives.asymmetric import ed25519

            self.key = ed25519.Ed25519PrivateKey.generate()
            self.other_key = ed25519.Ed25519PrivateKey.generate()
            self.pem = self.key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            ).decode()
            self.header = {"alg": "EdDSA", "kid": "parity-key", "typ": "JWT"}
        else:
            self.header = {"alg": "HS256", "typ": "JWT"}

    def sign(self, claims: dict[str, Any] | bytes, header: dict[str, Any] | None = None, other: bool = False) -> str:
        header = {**self.header, **(header or {})}
        header = {k: v for k, v in header.items() if v is not DROP}
        payload = claims if isinstance(claims, bytes) else json.dumps(claims).encode()
        signing_input = f"{_b64(json.dumps(header).encode())}.{_b64(payload)}".encode()
        alg = header.get("alg")
        if alg == "none":
            signature = b""
        elif alg in ("HS256", "HS512"):
            digest = hashlib.sha256 if alg == "HS256" else hashlib.sha512
            signature = hmac.new((self.secret + ("x" if other else "")).encode(), signing_input, digest).digest()
        else:
            signature = (self.other_key if other else self.key).sign(signing_input)
        return f"{signing_input.decode()}.{_b64(signature)}"


DROP = object()  # a claim or header field left out


def token_table(signer: Signer) -> list[tuple[str, str, bool, bool]]:
    """(name, token, accepted?, needs the key to judge): the last flag marks tokens only a
    signature check refuses, which `bafa token inspect` cannot make in jwks mode (it says so)."""
    now = int(time.time())
    good = {"sub": "user-1", "iat": now, "exp": now + 300, "iss": ISSUER, "aud": ISSUER, "name": "Zoë"}

    def claims(**changes: Any) -> dict[str, Any]:
        merged = {**good, **changes}
        return {k: v for k, v in merged.items() if v is not DROP}

    valid = signer.sign(claims())
    head, payload, signature = valid.split(".")
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    unused_bit = signature[:-1] + alphabet[alphabet.index(signature[-1]) + 1]
    nonce = 0
    while "-" not in (dashed := signer.sign(claims(jti=f"n{nonce}"))) and "_" not in dashed:
        nonce += 1
    around = (rules.MAX_TOKEN_LENGTH - len(signer.sign(claims(pad="")))) * 3 // 4
    sizes = {len(signer.sign(claims(pad="p" * n))): n for n in range(around - 8, around + 8)}
    longest = max(size for size in sizes if size <= rules.MAX_TOKEN_LENGTH)
    shortest_over = min(size for size in sizes if size > rules.MAX_TOKEN_LENGTH)
    table = [
        ("valid", valid, True, False),
        ("aud list", signer.sign(claims(aud=["other", ISSUER])), True, False),
        ("typ at+jwt", signer.sign(claims(), {"typ": "at+jwt"}), True, False),
        ("far exp", signer.sign(claims(exp=now + 10**9)), True, False),
        ("expired within leeway", signer.sign(claims(exp=now - LEEWAY // 3)), True, False),
        ("expired", signer.sign(claims(exp=now - 4 * LEEWAY)), False, False),
        ("iat ahead within leeway", signer.sign(claims(iat=now + LEEWAY // 3)), True, False),
        ("iat in the future", signer.sign(claims(iat=now + 4 * LEEWAY)), False, False),
        ("nbf within leeway", signer.sign(claims(nbf=now + LEEWAY // 3)), True, False),
        ("nbf in the future", signer.sign(claims(nbf=now + 4 * LEEWAY)), False, False),
        ("no exp", signer.sign(claims(exp=DROP)), False, False),
        ("no iat", signer.sign(claims(iat=DROP)), False, False),
        ("no sub", signer.sign(claims(sub=DROP)), False, False),
        ("empty sub", signer.sign(claims(sub="")), False, False),
        ("blank sub", signer.sign(claims(sub="   ")), False, False),
        ("sub of 255", signer.sign(claims(sub="u" * 255)), True, False),
        ("sub of 256", signer.sign(claims(sub="u" * 256)), False, False),
        ("sub with NUL", signer.sign(claims(sub="a\x00b")), False, False),
        ("numeric sub", signer.sign(claims(sub=42)), False, False),
        ("exp as a string", signer.sign(claims(exp=str(now + 300))), False, False),
        ("iat as a string", signer.sign(claims(iat=str(now))), False, False),
        ("iat true", signer.sign(claims(iat=True)), False, False),
        ("nbf as a string", signer.sign(claims(nbf=str(now))), False, False),
        ("exp NaN", signer.sign(claims(exp=math.nan)), False, False),
        ("wrong iss", signer.sign(claims(iss="http://evil.example")), False, False),
        ("iss with slash", signer.sign(claims(iss=ISSUER + "/")), False, False),
        ("no iss", signer.sign(claims(iss=DROP)), False, False),
        ("wrong aud", signer.sign(claims(aud="http://evil.example")), False, False),
        ("no aud", signer.sign(claims(aud=DROP)), False, False),
        ("aud list with a number", signer.sign(claims(aud=[ISSUER, 5])), False, False),
        ("numeric jti", signer.sign(claims(jti=5)), False, False),
        ("payload not an object", signer.sign(b"[1, 2]"), False, False),
        ("alg none", signer.sign(claims(), {"alg": "none"}), False, False),
        ("crit header", signer.sign(claims(), {"crit": ["exp"]}), False, False),
        ("numeric kid", signer.sign(claims(), {"kid": 5}), False, False),
        ("padded", f"{valid}{'=' * (-len(signature) % 4)}", False, False),
        ("unused bits", f"{head}.{payload}.{unused_bit}", False, False),
        ("+ for -", dashed.replace("-", "+").replace("_", "/"), False, False),
        ("non-ASCII", valid + "é", False, False),
        ("inner space", f"{head}.{payload}. {signature}", False, False),
        ("four segments", valid + ".e30", False, False),
        ("two segments", f"{head}.{payload}", False, False),
        ("empty", "", False, False),
        (f"{longest} characters", signer.sign(claims(pad="p" * sizes[longest])), True, False),
        (f"{shortest_over} characters", signer.sign(claims(pad="p" * sizes[shortest_over])), False, False),
        ("other signature", signer.sign(claims(), other=True), False, True),
    ]
    if signer.mode == "jwks":
        table += [
            ("HS256 in jwks mode", signer.sign(claims(), {"alg": "HS256"}), False, False),
            ("no kid", signer.sign(claims(), {"kid": DROP}), False, False),
            ("empty kid", signer.sign(claims(), {"kid": ""}), False, False),
            ("unknown kid", signer.sign(claims(), {"kid": "rotated-away"}), False, True),
        ]
    else:
        table += [("HS512", signer.sign(claims(), {"alg": "HS512"}), False, False)]
    return table


# --- each copy's answers -----------------------------------------------------------------------

Verdicts = dict[str, list[Any]]


def _copier_env() -> SandboxedEnvironment:
    return SandboxedEnvironment(
        loader=FileSystemLoader(REPO), extensions=["jinja2_ansible_filters.AnsibleCoreFiltersExtension"]
    )


def copier_verdicts() -> Verdicts:
    """copier.yml's validators, rendered as Copier renders them (empty output: accepted)."""
    questions = yaml.safe_load((REPO / "copier.yml").read_text())
    env = _copier_env()

    def accepts(question: str, value: Any) -> bool:
        return not env.from_string(questions[question]["validator"]).render({question: value}).strip()

    return {
        "secret": [accepts("better_auth_secret", v) for v, _ in SECRETS],
        "url": [accepts("auth_url", v) for v, _ in URLS],
        "origin": [accepts("frontend_origins", [v]) for v, _ in ORIGINS],
        "audience": [accepts("jwt_audience", v) for v, _ in AUDIENCES],
    }


MANIFEST = {"issuer": {"url": ISSUER}, "origins": [ISSUER], "services": [{"name": "svc", "port": 8101}]}


def _manifest_accepts(**changes: Any) -> bool:
    try:
        validate_manifest({**MANIFEST, **changes}, Path("services.yml"))
    except BafaError:
        return False
    return True


def _bootstrap_secret_accepts(secret: str) -> bool:
    manifest = validate_manifest({**MANIFEST, "issuer": {"url": ISSUER, "mode": "shared_secret"}}, Path("m.yml"))
    try:
        plan_services(manifest, secret)
    except BafaError:
        return False
    return True


def _listed(split: Callable[[str], list[Any]], text: str) -> list[Any] | None:
    items = split(text)
    return items if all(isinstance(o, str) and rules.origin_problem(o) is None for o in items) else None


def _token_accepts(raw: str, policy: Policy) -> bool:
    try:
        return diagnose(decode_unverified(raw), policy).accepted
    except BafaError:
        return False


def generator_verdicts(signer: Signer, tokens: list[tuple[str, str, bool, bool]]) -> Verdicts:
    if signer.mode == "jwks":
        keys: SharedSecretKey | JwksKeys = JwksKeys()
        algorithms: tuple[str, ...] = ("EdDSA",)
    else:
        keys, algorithms = SharedSecretKey(secret=signer.secret, source="backend/.env"), ("HS256",)
    policy = Policy(signer.mode, algorithms, ISSUER, "test", ISSUER, "test", LEEWAY, keys)
    return {
        "secret": [rules.secret_problem(v) is None for v, _ in SECRETS],
        "url": [rules.url_problem(v) is None for v, _ in URLS],
        "origin": [rules.origin_problem(v) is None for v, _ in ORIGINS],
        "audience": [rules.audience_problem(v) is None for v, _ in AUDIENCES],
        "cors_list": [_listed(rules.split_cors_origins, v) for v, _ in CORS_LISTS],
        "trusted_list": [_listed(rules.split_trusted_origins, v) for v, _ in TRUSTED_LISTS],
        "leeway": [rules.parse_leeway(v) for v, _ in LEEWAYS],
        "token": [_token_accepts(raw, policy) for _, raw, _, _ in tokens],
    }


def bootstrap_verdicts() -> Verdicts:
    """`bafa bootstrap`'s manifest checks (the issuer's url, audience and secret, the origins)."""
    return {
        "secret": [_bootstrap_secret_accepts(v) for v, _ in SECRETS],
        "url": [_manifest_accepts(issuer={"url": v}) for v, _ in URLS],
        "origin": [_manifest_accepts(origins=[v]) for v, _ in ORIGINS],
        "audience": [_manifest_accepts(issuer={"url": ISSUER, "audience": v}) for v, _ in AUDIENCES],
    }


BACKEND_SCRIPT = r"""
import asyncio, json, os, sys
from pydantic import ValidationError
from app.core.config import Settings
from app.core.security import TokenError, TokenVerifier

table = json.load(sys.stdin)
base = table["settings"]
if table.get("jwks"):
    sys.path.insert(0, "tests")
    from cryptography.hazmat.primitives.serialization import load_pem_private_key
    from signing_jwks import JwksServer, KeyPair

    key = KeyPair("parity-key", "EdDSA", load_pem_private_key(table["jwks"].encode(), None))
    server = JwksServer(key)
    base["JWKS_URL"] = server.url


def settings(**environ):
    # Values come from the environment, as in a deployment (strings, split and parsed by Settings).
    os.environ.update({k: v for k, v in {**base, **environ}.items() if not isinstance(v, list)})
    try:
        return Settings(_env_file=None, **{k: v for k, v in environ.items() if isinstance(v, list)})
    except ValidationError:
        return None
    finally:
        for name in {**base, **environ}:
            os.environ.pop(name, None)


out = {}
if "BETTER_AUTH_SECRET" in Settings.model_fields:
    out["secret"] = [settings(BETTER_AUTH_SECRET=v) is not None for v in table["secret"]]
out["url"] = [settings(BETTER_AUTH_URL=v) is not None for v in table["url"]]
out["origin"] = [settings(CORS_ORIGINS=[v]) is not None for v in table["origin"]]
out["audience"] = [settings(JWT_AUDIENCE=v) is not None for v in table["audience"]]
out["cors_list"] = [getattr(settings(CORS_ORIGINS=v), "CORS_ORIGINS", None) for v in table["cors_list"]]
out["leeway"] = [getattr(settings(JWT_LEEWAY_SECONDS=v), "JWT_LEEWAY_SECONDS", None) for v in table["leeway"]]


async def verify_all(verifier):
    verdicts = []
    for raw in table["token"]:
        try:
            await verifier.verify(raw)
            verdicts.append(True)
        except TokenError:
            verdicts.append(False)
    return verdicts


out["token"] = asyncio.run(verify_all(TokenVerifier(settings(JWT_LEEWAY_SECONDS=str(table["leeway_seconds"])))))
print(table["marker"])
print(json.dumps(out))
"""


def _after_marker(output: str, what: str) -> Any:
    _, marker, payload = output.rpartition(MARKER)
    assert marker, f"{what} printed no verdicts"
    return json.loads(payload)


def backend_verdicts(backend: Path, signer: Signer, tokens: list[tuple[str, str, bool, bool]]) -> Verdicts:
    settings = {"BETTER_AUTH_URL": ISSUER, "DATABASE_URL": "sqlite:///./parity.db"}
    if signer.mode != "jwks":
        settings["BETTER_AUTH_SECRET"] = signer.secret
    table = {
        "marker": MARKER,
        "settings": settings,
        "jwks": signer.pem if signer.mode == "jwks" else None,
        "leeway_seconds": LEEWAY,
        **{rule: [value for value, _ in examples] for rule, examples in TABLES.items()},
        "token": [raw for _, raw, _, _ in tokens],
    }
    result = subprocess.run(
        [sys.executable, "-c", BACKEND_SCRIPT],
        cwd=backend, env={**clean_env(), "PYTHONPATH": str(backend), "PYTHONDONTWRITEBYTECODE": "1"},
        input=json.dumps(table), capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-4000:]
    return _after_marker(result.stdout, "the backend")


FRONTEND_SCRIPT = r"""
// Written into a rendered frontend by bafa's tests/test_rule_parity.py: lib/auth.ts is imported
// under each value, as the server imports it when it starts.
import { readFileSync } from "node:fs";

const table = JSON.parse(readFileSync(0, "utf8"));
const base = { ...table.settings };
let run = 0;

async function start(env: Record<string, string>): Promise<any> {
  Object.assign(process.env, base, env);
  try {
    return await import(`./lib/auth.ts?run=${run++}`);
  } catch {
    return null;
  }
}

const out: Record<string, unknown[]> = { secret: [], url: [], origin: [], trusted_list: [], backend_url: [] };
for (const value of table.secret) out.secret.push((await start({ BETTER_AUTH_SECRET: value })) !== null);
for (const value of table.url) out.url.push((await start({ BETTER_AUTH_URL: value })) !== null);
for (const value of table.origin) out.origin.push((await start({ TRUSTED_ORIGINS: value })) !== null);
for (const value of table.trusted_list) {
  const loaded = await start({ TRUSTED_ORIGINS: value });
  // The list starts with BETTER_AUTH_URL's own origin.
  out.trusted_list.push(loaded === null ? null : loaded.auth.options.trustedOrigins.slice(1));
}
const { backendUrl } = await import("./lib/backend-url.ts");
for (const value of table.url) {
  try {
    backendUrl({ BACKEND_URL: value });
    out.backend_url.push(true);
  } catch {
    out.backend_url.push(false);
  }
}
process.stdout.write(`\n${table.marker}\n${JSON.stringify(out)}\n`);
process.exit(0);
"""


def frontend_verdicts(frontend: Path, tmp: Path) -> Verdicts:
    require_node()
    install_node_modules(frontend)
    (frontend / "rule-parity.ts").write_text(FRONTEND_SCRIPT)
    table = {
        "marker": MARKER,
        # BETTER_AUTH_URL's own origin is not among the origins of the list tables.
        "settings": {
            "BETTER_AUTH_SECRET": STRONG,
            "BETTER_AUTH_URL": "http://base.invalid",
            "TRUSTED_ORIGINS": "",
            "DATABASE_URL": str(tmp / "better-auth.db"),
            # Account emails (lib/mailer.ts): lib/auth.ts needs an SMTP server to load.
            "SMTP_HOST": "localhost",
            "SMTP_FROM": "tasks@example.test",
        },
        **{rule: [value for value, _ in examples] for rule, examples in TABLES.items()},
    }
    env = {k: v for k, v in clean_env().items() if k not in ("TRUSTED_ORIGINS", "BACKEND_URL", "REDIS_URL")}
    result = subprocess.run(
        ["node", "--import", "tsx", "rule-parity.ts"],
        cwd=frontend, env=env, input=json.dumps(table), capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-4000:]
    return _after_marker(result.stdout, "the frontend")


# --- the tests ---------------------------------------------------------------------------------

MODES = ("shared_secret", "jwks")


@pytest.fixture(scope="module", params=MODES)
def mode(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture(scope="module")
def project(mode: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate(tmp_path_factory.mktemp(f"parity-{mode}") / "app", f"auth_mode={mode}")


@pytest.fixture(scope="module")
def signer(mode: str) -> Signer:
    return Signer(mode)


@pytest.fixture(scope="module")
def tokens(signer: Signer) -> list[tuple[str, str, bool, bool]]:
    return token_table(signer)


@pytest.fixture(scope="module")
def answers(
    request: pytest.FixtureRequest, project: Path, signer: Signer, tokens: list, tmp_path_factory
) -> Callable[[str], Verdicts]:
    """Each copy's verdicts on the whole table, computed once per auth mode on first use."""
    computed: dict[str, Verdicts] = {}
    makers: dict[str, Callable[[], Verdicts]] = {
        "generator": lambda: generator_verdicts(signer, tokens),
        "bootstrap": bootstrap_verdicts,
        "copier": copier_verdicts,
        "backend": lambda: backend_verdicts(project / "backend", signer, tokens),
        "frontend": lambda: frontend_verdicts(project / "frontend", tmp_path_factory.mktemp("frontend-db")),
    }

    def get(copy: str) -> Verdicts:
        if copy not in computed:
            computed[copy] = makers[copy]()
        return computed[copy]

    return get


COPIES = {
    "secret": ("generator", "bootstrap", "copier", "backend", "frontend"),
    "url": ("generator", "bootstrap", "copier", "backend", "frontend"),
    "origin": ("generator", "bootstrap", "copier", "backend", "frontend"),
    "audience": ("generator", "bootstrap", "copier", "backend"),
    "cors_list": ("generator", "backend"),
    "trusted_list": ("generator", "frontend"),
    "leeway": ("generator", "backend"),
    "token": ("generator", "backend"),
}


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 90 else text[:60] + f"...({len(text)} chars)"


@pytest.mark.parametrize(("rule", "copy"), [(rule, copy) for rule, copies in COPIES.items() for copy in copies])
def test_every_copy_follows_the_table(
    rule: str, copy: str, mode: str, answers: Callable[[str], Verdicts], tokens: list
) -> None:
    verdicts = answers(copy)
    if rule not in verdicts:
        assert (rule, copy, mode) == ("secret", "backend", "jwks"), f"{copy} gave no {rule} verdicts"
        pytest.skip("a jwks backend holds no secret")
    if rule == "token":
        examples = [(name, accepted) for name, _, accepted, _ in tokens]
        judged = [
            not (copy == "generator" and mode == "jwks" and needs_key) for _, _, _, needs_key in tokens
        ]  # `bafa token inspect` does not check jwks signatures (its verdict says so)
    else:
        examples, judged = TABLES[rule], [True] * len(TABLES[rule])
    assert len(verdicts[rule]) == len(examples)
    wrong = [
        f"  {_show(example)}: expected {_show(expected)}, got {_show(got)}"
        for (example, expected), got, counted in zip(examples, verdicts[rule], judged, strict=True)
        if counted and got != expected
    ]
    assert not wrong, f"{copy}'s {rule} rule ({mode} project) differs from the table on:\n" + "\n".join(wrong)


def test_the_frontends_backend_url_follows_the_url_rule_but_may_end_with_a_slash(
    answers: Callable[[str], Verdicts],
) -> None:
    got = answers("frontend")["backend_url"]
    # Unset or empty: the project's default backend. A trailing slash is fine (paths are joined).
    expected = [not value or ok or rules.url_problem(value.removesuffix("/")) is None for value, ok in URLS]
    pairs = zip(URLS, expected, got, strict=True)
    wrong = [f"  {value!r}: expected {e}, got {g}" for (value, _), e, g in pairs if e != g]
    assert not wrong, "BACKEND_URL:\n" + "\n".join(wrong)


def test_jwks_algorithms_are_copier_ymls_choices() -> None:
    choices = yaml.safe_load((REPO / "copier.yml").read_text())["jwt_algorithm"]["choices"]
    assert tuple(choices.values()) == rules.JWKS_ALGORITHMS
