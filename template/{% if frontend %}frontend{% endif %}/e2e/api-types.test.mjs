// lib/api-schema.ts is what `npm run api:types` makes from the backend's schema today: a change
// to the backend's models fails this test until the types are regenerated.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { test } from "node:test";

import { FRONTEND_DIR } from "./harness.mjs";

test("lib/api-schema.ts is up to date with the backend's OpenAPI schema (npm run api:check)", () => {
  const result = spawnSync(process.execPath, [join(FRONTEND_DIR, "scripts", "api-types.mjs"), "--check"], {
    cwd: FRONTEND_DIR,
    encoding: "utf8",
  });
  assert.equal(result.status, 0, `${result.stdout}${result.stderr}`.trim());
});
