// WHERE SIGN-IN SENDS THE PERSON BACK: the page they were on, given as ?next=, but only a path
// on this site. Anything else (another host, a scheme, "//host" or "/\host", which browsers read
// as another host) gives the task page: an open redirect would let a link to this site's sign-in
// page forward a freshly signed-in person to a look-alike site.
export const DEFAULT_RETURN_PATH = "/tasks";

const PROBE = "http://return-path.invalid";

/** `value` when it is a path on this site (not an API, not the sign-in pages), else /tasks. */
export function safeReturnPath(value: unknown): string {
  if (typeof value !== "string" || value.length > 2000) return DEFAULT_RETURN_PATH;
  // One leading slash, then not a second one or a backslash; no control characters or spaces
  // (the URL parser drops tabs and newlines, which would hide a "//").
  if (!/^\/(?![/\\])/.test(value) || /[\\\s\u0000-\u001f\u007f]/.test(value)) return DEFAULT_RETURN_PATH;
  let url: URL;
  try {
    url = new URL(value, PROBE);
  } catch {
    return DEFAULT_RETURN_PATH;
  }
  if (url.origin !== PROBE) return DEFAULT_RETURN_PATH;
  if (/^\/(api(\/|$)|sign-in$|sign-up$)/.test(url.pathname)) return DEFAULT_RETURN_PATH;
  return url.pathname + url.search + url.hash;
}

/** The sign-in page, told where to return and (`ended`) that the session has ended. */
export function signInPath({ next, ended = false }: { next?: string; ended?: boolean } = {}): string {
  const query = new URLSearchParams();
  if (ended) query.set("reason", "session-ended");
  const path = safeReturnPath(next);
  if (path !== DEFAULT_RETURN_PATH) query.set("next", path);
  const text = query.toString();
  return text ? `/sign-in?${text}` : "/sign-in";
}
