// WHICH PYTHON RUNS THE BACKEND'S CODE for the frontend's scripts and tests (the end-to-end
// harness, npm run api:types): BACKEND_PYTHON if set, else the backend's own virtualenv
// (backend/.venv), else python3 from the PATH.
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The backend's directory, beside this frontend. */
export const BACKEND_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "backend");

export function backendPython() {
  if (process.env.BACKEND_PYTHON) return process.env.BACKEND_PYTHON;
  const venv = join(BACKEND_DIR, ".venv", "bin", "python");
  return existsSync(venv) ? venv : "python3";
}
