// THE BACKEND CLIENT (browser). Trades the httpOnly session cookie for a short-lived JWT at
// /api/auth/token, keeps that JWT in memory only (never localStorage, sessionStorage or a
// cookie), and sends it to FastAPI as `Authorization: Bearer <jwt>`.
import { tasksPath } from "./tasks-url";

export type Task = {
  id: number;
  title: string;
  description: string;
  completed: boolean;
  created_at: string;
  updated_at: string;
};

export type TaskInput = { title: string; description?: string; completed?: boolean };

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

type CachedToken = { jwt: string; sub: string; expiresAt: number };

/** Reuse a token until this long before it expires. */
const EXPIRY_MARGIN_MS = 30_000;
/** The backend's largest page of tasks. */
const PAGE_SIZE = 100;

let current: CachedToken | null = null;
let refreshing: Promise<CachedToken> | null = null;
let generation = 0;

/** Forget the token (on sign-out, or when the session is gone). */
export function clearToken(): void {
  current = null;
  refreshing = null;
  generation += 1;
}

/** Read exp and sub from the token without verifying it (the backend verifies it). */
function decode(jwt: string): CachedToken {
  const part = jwt.split(".")[1] ?? "";
  const json = atob(part.replace(/-/g, "+").replace(/_/g, "/").padEnd(Math.ceil(part.length / 4) * 4, "="));
  const claims = JSON.parse(new TextDecoder().decode(Uint8Array.from(json, (c) => c.charCodeAt(0)))) as {
    exp?: unknown;
    sub?: unknown;
  };
  if (typeof claims.exp !== "number" || typeof claims.sub !== "string") {
    throw new Error("the token has no exp or sub claim");
  }
  return { jwt, sub: claims.sub, expiresAt: claims.exp * 1000 };
}

/** A fresh id for one API call, sent as X-Request-ID (the backend logs it and echoes it back). */
function requestId(): string {
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID(); // secure contexts
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");
}

function sessionEnded(): never {
  clearToken();
  window.location.assign("/sign-in");
  throw new ApiError(401, "Your session has ended. Please sign in again.");
}

async function fetchToken(): Promise<CachedToken> {
  let response: Response;
  try {
    response = await fetch("/api/auth/token", { credentials: "same-origin", cache: "no-store" });
  } catch {
    throw new ApiError(0, "Cannot reach the sign-in server.");
  }
  // No session (401) or any other refusal: the person has to sign in again.
  if (!response.ok) sessionEnded();
  try {
    const body = (await response.json()) as { token?: unknown };
    if (typeof body.token !== "string") throw new Error("no token");
    return decode(body.token);
  } catch {
    sessionEnded();
  }
}

/**
 * A usable token: the cached one while it has more than 30 s left, else a fresh one. `rejected`
 * is a token the backend just refused; it is never handed out again. Concurrent callers share
 * one /api/auth/token request.
 */
function getToken(rejected?: string): Promise<CachedToken> {
  if (current && current.jwt !== rejected && current.expiresAt - EXPIRY_MARGIN_MS > Date.now()) {
    return Promise.resolve(current);
  }
  if (!refreshing) {
    const started = generation;
    const pending: Promise<CachedToken> = fetchToken()
      .then((token) => {
        if (generation === started) current = token; // not if the user signed out meanwhile
        return token;
      })
      .finally(() => {
        if (refreshing === pending) refreshing = null;
      });
    refreshing = pending;
  }
  return refreshing;
}

async function errorMessage(response: Response): Promise<string> {
  try {
    const body = (await response.json()) as { detail?: unknown };
    if (typeof body.detail === "string") return body.detail;
    if (Array.isArray(body.detail)) {
      return body.detail
        .map((item: { msg?: unknown }) => (typeof item?.msg === "string" ? item.msg : ""))
        .filter(Boolean)
        .join("; ");
    }
  } catch {
    // not JSON
  }
  return `The server answered HTTP ${response.status}.`;
}

export type Api = ReturnType<typeof createApi>;

/** The task API of the backend at `backendUrl` (given by the server at runtime). */
export function createApi(backendUrl: string) {
  const base = backendUrl.replace(/\/+$/, "");

  async function send(method: string, path: (sub: string) => string, body?: unknown): Promise<Response> {
    const attempt = async (token: CachedToken) => {
      const headers: Record<string, string> = {
        Authorization: `Bearer ${token.jwt}`,
        "X-Request-ID": requestId(),
      };
      if (body !== undefined) headers["Content-Type"] = "application/json";
      try {
        return await fetch(`${base}${path(token.sub)}`, {
          method,
          headers,
          body: body === undefined ? undefined : JSON.stringify(body),
          cache: "no-store",
        });
      } catch {
        throw new ApiError(0, "Cannot reach the task server.");
      }
    };
    const token = await getToken();
    let response = await attempt(token);
    if (response.status === 401) {
      // Expired or revoked: get a new token and try exactly once more.
      response = await attempt(await getToken(token.jwt));
      if (response.status === 401) sessionEnded();
    }
    if (!response.ok) throw new ApiError(response.status, await errorMessage(response));
    return response;
  }

  return {
    /** All the user's tasks, oldest first (the backend serves at most 100 per page). */
    async listTasks(): Promise<Task[]> {
      const tasks: Task[] = [];
      for (;;) {
        const offset = tasks.length;
        const page = (await (await send("GET", (sub) => `${tasksPath(sub)}?limit=${PAGE_SIZE}&offset=${offset}`)).json()) as Task[];
        tasks.push(...page);
        if (page.length < PAGE_SIZE) return tasks;
      }
    },
    async createTask(input: TaskInput): Promise<Task> {
      return (await send("POST", (sub) => tasksPath(sub), input)).json();
    },
    async updateTask(id: number, changes: Partial<TaskInput>): Promise<Task> {
      return (await send("PATCH", (sub) => tasksPath(sub, id), changes)).json();
    },
    async toggleTask(id: number): Promise<Task> {
      return (await send("PATCH", (sub) => `${tasksPath(sub, id)}/complete`)).json();
    },
    async deleteTask(id: number): Promise<void> {
      await send("DELETE", (sub) => tasksPath(sub, id));
    },
  };
}
