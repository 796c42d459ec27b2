// API-level end-to-end test: the real Better Auth server (the built Next.js app, with the
// generated lib/auth.ts) issues the tokens, the real FastAPI backend checks them.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { statSync } from "node:fs";
import { after, before, describe, test } from "node:test";

import { SignJWT, decodeJwt, decodeProtectedHeader, generateKeyPair } from "jose";

import { newUser, startServers } from "./harness.mjs";
import { API_STYLE, AUTH_MODE, JWT_ALGORITHM, JWT_TTL_SECONDS, OWNERSHIP_STATUS, tasksPath } from "./project.mjs";

let servers;
const people = {};

/** Sign up over HTTP as a browser would; returns { id, cookie }. */
async function signUp(user) {
  const response = await fetch(`${servers.authURL}/api/auth/sign-up/email`, {
    method: "POST",
    headers: {
      "Content-Type": "application/json",
      Origin: servers.authURL,
    },
    body: JSON.stringify(user),
  });
  assert.equal(response.status, 200, await response.clone().text());
  const body = await response.json();
  const setCookies = response.headers.getSetCookie();
  const session = setCookies.find((c) => /session_token=/.test(c));
  assert.ok(session, `no session cookie in ${setCookies}`);
  assert.match(session, /HttpOnly/i, "the session cookie must be httpOnly");
  const cookie = setCookies.map((c) => c.split(";")[0]).join("; ");
  return { id: body.user.id, cookie, email: user.email, name: user.name };
}

async function fetchToken(person) {
  const response = await fetch(`${servers.authURL}/api/auth/token`, { headers: { Cookie: person.cookie } });
  assert.equal(response.status, 200, await response.clone().text());
  const { token } = await response.json();
  assert.ok(token, "no token in /api/auth/token response");
  return token;
}

function api(path, token, init = {}) {
  const headers = { ...(init.headers ?? {}) };
  if (token) headers.Authorization = `Bearer ${token}`;
  if (init.body !== undefined) headers["Content-Type"] = "application/json";
  return fetch(`${servers.backendURL}${path}`, {
    ...init,
    headers,
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
}

async function json(response, status) {
  const text = await response.text();
  assert.equal(response.status, status, `${response.url}: ${text}`);
  return text ? JSON.parse(text) : null;
}

before(async () => {
  servers = await startServers();
  people.alice = await signUp(newUser("alice"));
  people.bob = await signUp(newUser("bob"));
  people.alice.token = await fetchToken(people.alice);
  people.bob.token = await fetchToken(people.bob);
});

after(async () => {
  await servers?.stop();
});

test("the SQLite databases are readable by their owner only", (t) => {
  if (servers.sqliteFiles.length === 0) return t.skip("no SQLite file in this configuration");
  for (const file of servers.sqliteFiles) {
    assert.equal(statSync(file).mode & 0o777, 0o600, `${file} is readable by others`);
  }
});

describe("Better Auth issues the token the backend expects", () => {
  test(`${JWT_ALGORITHM}, iss = aud = BETTER_AUTH_URL, sub = user id, configured lifetime`, () => {
    const { alice } = people;
    assert.equal(decodeProtectedHeader(alice.token).alg, JWT_ALGORITHM);
    const claims = decodeJwt(alice.token);
    assert.equal(claims.sub, alice.id);
    assert.equal(claims.id, alice.id);
    assert.equal(claims.email, alice.email);
    assert.equal(claims.name, alice.name);
    assert.equal(claims.iss, servers.authURL);
    assert.equal(claims.aud, servers.authURL);
    assert.equal(claims.exp - claims.iat, JWT_TTL_SECONDS);
    assert.deepEqual(Object.keys(claims).sort(), ["aud", "email", "exp", "iat", "id", "iss", "name", "sub"]);
  });

  test("the backend accepts it: /api/me is the signed-up user", async () => {
    const me = await json(await api("/api/me", people.alice.token), 200);
    assert.deepEqual(me, { id: people.alice.id, email: people.alice.email, name: people.alice.name });
  });

  test("no session cookie, no token", async () => {
    const response = await fetch(`${servers.authURL}/api/auth/token`);
    assert.equal(response.status, 401);
  });

  if (AUTH_MODE === "jwks") {
    test("the JWKS publishes the public key that signed the token", async () => {
      const response = await fetch(`${servers.authURL}/api/auth/jwks`);
      assert.equal(response.status, 200);
      const { keys } = await response.json();
      const { kid } = decodeProtectedHeader(people.alice.token);
      const key = keys.find((k) => k.kid === kid);
      assert.ok(key, `kid ${kid} is not in the JWKS`);
      assert.equal(key.d, undefined, "a private key component was published");
    });
  } else {
    test("no JWKS is published in shared-secret mode", async () => {
      const response = await fetch(`${servers.authURL}/api/auth/jwks`);
      assert.equal(response.status, 404);
    });
  }
});

describe("a user manages their own tasks", () => {
  test("create, list, get, update, complete, delete", async () => {
    const { alice } = people;
    const created = await json(
      await api(tasksPath(alice.id), alice.token, { method: "POST", body: { title: "Write report", description: "Q3" } }),
      201,
    );
    assert.equal(created.title, "Write report");
    assert.equal(created.completed, false);
    const listed = await json(await api(tasksPath(alice.id), alice.token), 200);
    assert.deepEqual(
      listed.map((t) => t.id),
      [created.id],
    );
    const one = await json(await api(tasksPath(alice.id, created.id), alice.token), 200);
    assert.equal(one.description, "Q3");
    const renamed = await json(
      await api(tasksPath(alice.id, created.id), alice.token, { method: "PATCH", body: { title: "Write the report" } }),
      200,
    );
    assert.equal(renamed.title, "Write the report");
    const done = await json(
      await api(`${tasksPath(alice.id, created.id)}/complete`, alice.token, { method: "PATCH" }),
      200,
    );
    assert.equal(done.completed, true);
    await json(await api(tasksPath(alice.id, created.id), alice.token, { method: "DELETE" }), 204);
    await json(await api(tasksPath(alice.id, created.id), alice.token), 404);
  });

  test("the list: newest first, X-Total-Count, filters, search, sort, paging", async () => {
    // A user of their own, so no other test's tasks are in the counts.
    const dora = await signUp(newUser("dora"));
    dora.token = await fetchToken(dora);
    const create = async (body) => json(await api(tasksPath(dora.id), dora.token, { method: "POST", body }), 201);
    const alpha = await create({ title: "Alpha report", priority: "high", due_date: "2030-05-01T17:00:00Z" });
    const beta = await create({ title: "beta errand", priority: "low", due_date: "2030-04-01T09:00:00+02:00" });
    const gamma = await create({ title: "Gamma call", description: "About the ERRAND" });
    assert.equal(beta.due_date, "2030-04-01T07:00:00Z", "due dates are answered in UTC");
    assert.equal(gamma.priority, "medium");
    assert.equal(gamma.due_date, null);
    // PATCH …/complete with a body sets the value (twice: still completed).
    for (let i = 0; i < 2; i += 1) {
      const done = await json(
        await api(`${tasksPath(dora.id, beta.id)}/complete`, dora.token, { method: "PATCH", body: { completed: true } }),
        200,
      );
      assert.equal(done.completed, true);
    }

    const list = async (query) => {
      const response = await api(`${tasksPath(dora.id)}?${query}`, dora.token);
      const tasks = await json(response, 200);
      return { titles: tasks.map((t) => t.title), total: Number(response.headers.get("x-total-count")) };
    };
    const all = ["Gamma call", "beta errand", "Alpha report"];
    assert.deepEqual(await list(""), { titles: all, total: 3 }, "newest first by default");
    assert.deepEqual(await list("limit=1&offset=1"), { titles: ["beta errand"], total: 3 });
    assert.deepEqual(await list("status=pending"), { titles: ["Gamma call", "Alpha report"], total: 2 });
    assert.deepEqual(await list("status=completed"), { titles: ["beta errand"], total: 1 });
    assert.deepEqual(await list("q=errand"), { titles: ["Gamma call", "beta errand"], total: 2 });
    assert.deepEqual(await list("sort=title"), { titles: ["Alpha report", "beta errand", "Gamma call"], total: 3 });
    assert.deepEqual(await list("sort=due_date"), { titles: ["beta errand", "Alpha report", "Gamma call"], total: 3 });
    assert.deepEqual(await list("sort=priority&order=desc"), { titles: ["Alpha report", "Gamma call", "beta errand"], total: 3 });
    assert.deepEqual(await list("sort=created&order=asc"), { titles: [...all].reverse(), total: 3 });
    assert.deepEqual(await list(`due_before=${encodeURIComponent("2030-04-15T00:00:00Z")}`), { titles: ["beta errand"], total: 1 });
    await json(await api(`${tasksPath(dora.id)}?due_before=2030-04-15T00:00:00`, dora.token), 422); // no offset

    // PATCH changes only what is sent; null clears a due date or a description.
    const cleared = await json(
      await api(tasksPath(dora.id, alpha.id), dora.token, { method: "PATCH", body: { due_date: null, priority: "low" } }),
      200,
    );
    assert.deepEqual(
      [cleared.title, cleared.priority, cleared.due_date, cleared.completed],
      ["Alpha report", "low", null, false],
    );

    // Another user's searches and filters never find these tasks.
    const { bob } = people;
    for (const query of ["q=errand", "status=completed", "sort=due_date", "priority=high"]) {
      const response = await api(`${tasksPath(bob.id)}?${query}`, bob.token);
      const titles = (await json(response, 200)).map((t) => t.title);
      assert.ok(!titles.some((t) => all.includes(t)), `${query}: bob sees dora's tasks`);
      assert.equal(Number(response.headers.get("x-total-count")), titles.length, query);
    }
  });
});

describe("user B can never see or change user A's tasks", () => {
  test("every cross-user attempt fails and A's task is unchanged", async () => {
    const { alice, bob } = people;
    const task = await json(
      await api(tasksPath(alice.id), alice.token, { method: "POST", body: { title: "Alice's secret plan" } }),
      201,
    );
    const before = await json(await api(tasksPath(alice.id, task.id), alice.token), 200);

    assert.deepEqual(await json(await api(tasksPath(bob.id), bob.token), 200), [], "B's list is empty");
    const attempts = [
      ["GET", "", undefined],
      ["PUT", "", { title: "pwned", description: "", completed: true }],
      ["PATCH", "", { title: "pwned" }],
      ["PATCH", "/complete", undefined],
      ["DELETE", "", undefined],
    ];
    for (const [method, suffix, body] of attempts) {
      // B uses B's own path (user_path) with A's task id: the ownership check must refuse.
      const response = await api(`${tasksPath(bob.id, task.id)}${suffix}`, bob.token, { method, body });
      assert.equal(response.status, OWNERSHIP_STATUS, `${method} ${suffix}: ${await response.text()}`);
    }
    if (API_STYLE === "user_path") {
      const viaPath = await api(tasksPath(alice.id), bob.token);
      assert.equal(viaPath.status, 403, "A's user id in the path with B's token");
      const deleteViaPath = await api(tasksPath(alice.id, task.id), bob.token, { method: "DELETE" });
      assert.equal(deleteViaPath.status, 403);
    }
    const afterwards = await json(await api(tasksPath(alice.id, task.id), alice.token), 200);
    assert.deepEqual(afterwards, before, "A's task changed");
  });

  test("a user_id in the body is never used", async () => {
    const { alice, bob } = people;
    const response = await api(tasksPath(bob.id), bob.token, {
      method: "POST",
      body: { title: "planted", user_id: alice.id },
    });
    assert.equal(response.status, 422);
    const alicesTitles = (await json(await api(tasksPath(alice.id), alice.token), 200)).map((t) => t.title);
    assert.ok(!alicesTitles.includes("planted"));
  });
});

describe("tokens the backend must refuse", () => {
  const hmac = (claims, secret, header = {}) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: "HS256", typ: "JWT", ...header })
      .sign(new TextEncoder().encode(secret));
  const keyPair = () => generateKeyPair(JWT_ALGORITHM, JWT_ALGORITHM === "EdDSA" ? { crv: "Ed25519" } : {});

  async function expect401(token, detail) {
    const response = await api("/api/me", token);
    assert.equal(response.status, 401);
    assert.match(response.headers.get("www-authenticate") ?? "", /^Bearer/);
    const body = await response.json();
    assert.equal(body.detail, detail);
  }

  test("a tampered token (B's payload, A's signature)", async () => {
    const [header, , signature] = people.alice.token.split(".");
    const bobsPayload = people.bob.token.split(".")[1];
    await expect401(`${header}.${bobsPayload}.${signature}`, "invalid signature");
  });

  test("no token at all", async () => {
    await expect401(undefined, "missing token");
  });

  if (AUTH_MODE === "jwks") {
    test("a token signed by another key pair under the published kid", async () => {
      const { kid } = decodeProtectedHeader(people.alice.token);
      const { privateKey } = await keyPair();
      const forged = await new SignJWT(decodeJwt(people.alice.token))
        .setProtectedHeader({ alg: JWT_ALGORITHM, kid })
        .sign(privateKey);
      await expect401(forged, "invalid signature");
    });

    test("algorithm confusion: HS256 keyed with the published public key", async () => {
      const { kid } = decodeProtectedHeader(people.alice.token);
      const { keys } = await (await fetch(`${servers.authURL}/api/auth/jwks`)).json();
      const published = JSON.stringify(keys.find((k) => k.kid === kid));
      await expect401(await hmac(decodeJwt(people.alice.token), published, { kid }), "unsupported algorithm");
    });

    test("a token with a kid the issuer never published", async () => {
      const { privateKey } = await keyPair();
      const token = await new SignJWT(decodeJwt(people.alice.token))
        .setProtectedHeader({ alg: JWT_ALGORITHM, kid: "never-published" })
        .sign(privateKey);
      await expect401(token, "unknown signing key");
    });
  } else {
    test("an expired token signed with the right secret", async () => {
      const claims = { ...decodeJwt(people.alice.token) };
      const now = Math.floor(Date.now() / 1000);
      await expect401(await hmac({ ...claims, iat: now - 3600, exp: now - 1800 }, servers.secret), "token expired");
    });

    test("a token from another secret", async () => {
      const claims = decodeJwt(people.alice.token);
      await expect401(await hmac(claims, randomBytes(48).toString("base64url")), "invalid signature");
    });

    test("a token issued for another Better Auth URL", async () => {
      const claims = { ...decodeJwt(people.alice.token), iss: "http://evil.test", aud: "http://evil.test" };
      await expect401(await hmac(claims, servers.secret), "invalid issuer");
    });
  }
});

describe("Better Auth's own protections", () => {
  test("a request from an untrusted origin is refused", async () => {
    const response = await fetch(`${servers.authURL}/api/auth/sign-in/email`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Origin: "http://evil.test", Cookie: people.alice.cookie },
      body: JSON.stringify({ email: people.alice.email, password: "whatever-123" }),
    });
    assert.equal(response.status, 403);
  });

  test("the backend's CORS allows the frontend origin only", async () => {
    const preflight = (origin) =>
      fetch(`${servers.backendURL}/api/me`, {
        method: "OPTIONS",
        headers: { Origin: origin, "Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "authorization" },
      });
    const allowed = await preflight(servers.authURL);
    assert.equal(allowed.headers.get("access-control-allow-origin"), servers.authURL);
    const refused = await preflight("http://evil.test");
    assert.equal(refused.headers.get("access-control-allow-origin"), null);
  });

  test("a list fetched from the frontend's origin may read X-Total-Count", async () => {
    const { alice } = people;
    const response = await api(tasksPath(alice.id), alice.token, { headers: { Origin: servers.authURL } });
    assert.equal(response.status, 200, await response.clone().text());
    assert.equal(response.headers.get("access-control-allow-origin"), servers.authURL);
    const exposed = (response.headers.get("access-control-expose-headers") ?? "").split(",").map((h) => h.trim().toLowerCase());
    assert.ok(exposed.includes("x-total-count"), `X-Total-Count is not exposed: ${exposed}`);
    assert.equal(Number(response.headers.get("x-total-count")), (await response.json()).length);
  });
});

describe("the frontend's security headers", () => {
  test("pages: a per-request CSP that allows the backend origin only, no framing", async () => {
    const policies = [];
    for (const path of ["/", "/sign-in"]) {
      const response = await fetch(`${servers.authURL}${path}`, { redirect: "manual" });
      const policy = response.headers.get("content-security-policy") ?? "";
      const directives = Object.fromEntries(
        policy.split(";").map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name, values]),
      );
      assert.deepEqual(directives["frame-ancestors"], ["'none'"], policy);
      assert.deepEqual(directives["connect-src"], ["'self'", new URL(servers.backendURL).origin], policy);
      assert.deepEqual(directives["object-src"], ["'none'"], policy);
      const nonce = directives["script-src"]?.find((v) => v.startsWith("'nonce-"));
      assert.ok(nonce, `no nonce in ${policy}`);
      assert.ok(!directives["script-src"].includes("'unsafe-inline'"), policy);
      // Tailwind's stylesheet is a file from this origin: styles need no 'unsafe-inline' either.
      assert.ok(!directives["style-src"].includes("'unsafe-inline'"), policy);
      if (response.status === 200) {
        const html = await response.text();
        assert.doesNotMatch(html, /<[^>]+\sstyle="/, "an inline style attribute (the CSP blocks it)");
        assert.match(html, /<link rel="stylesheet" href="\/_next\/static\/[^"]+\.css"/, "no stylesheet from this origin");
        const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map(([tag]) => tag);
        assert.ok(scripts.length > 0, "no script tags");
        const value = nonce.slice("'nonce-".length, -1);
        for (const tag of scripts) assert.ok(tag.includes(`nonce="${value}"`), `a script without the nonce: ${tag}`);
      }
      assert.equal(response.headers.get("x-frame-options"), "DENY");
      assert.equal(response.headers.get("x-content-type-options"), "nosniff");
      policies.push(policy);
    }
    assert.notEqual(policies[0], policies[1], "the nonce must be fresh for every request");
  });

  test("the auth API answers with the static headers too", async () => {
    const response = await fetch(`${servers.authURL}/api/auth/ok`);
    assert.equal(response.headers.get("x-content-type-options"), "nosniff");
    assert.equal(response.headers.get("referrer-policy"), "strict-origin-when-cross-origin");
  });
});

// Last: it uses up this client address's sign-in budget for a minute.
describe("Better Auth's rate limit", () => {
  test("sign-in is limited per client address, whatever X-Forwarded-For the client sends", async () => {
    const statuses = [];
    for (let attempt = 0; attempt < 30 && !statuses.includes(429); attempt += 1) {
      const response = await fetch(`${servers.authURL}/api/auth/sign-in/email`, {
        method: "POST",
        headers: {
          "Content-Type": "application/json",
          Origin: servers.authURL,
          // A fresh address on every guess: `next start` would give each its own bucket.
          "X-Forwarded-For": `10.${attempt}.${randomBytes(1)[0]}.${randomBytes(1)[0]}`,
        },
        body: JSON.stringify({ email: people.alice.email, password: "wrong-password-123" }),
      });
      statuses.push(response.status);
    }
    assert.ok(statuses.includes(429), `no 429 after ${statuses.length} failed sign-ins: ${statuses}`);
    // 10 per minute (lib/auth.ts); an earlier test's sign-in may have used one of them.
    assert.ok(statuses.indexOf(429) <= 10, `more than 10 guesses got through: ${statuses}`);
  });
});
