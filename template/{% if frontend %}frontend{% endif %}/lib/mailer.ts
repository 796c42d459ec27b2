// THE ACCOUNT EMAILS' SMTP CONNECTION (server-only): verification and password-reset emails.
//
// Settings (frontend/.env):
//   SMTP_HOST, SMTP_PORT   the SMTP server; in development the local mail catcher (`npm run mail`,
//                          maildev: SMTP on localhost:1025, the messages at http://localhost:1080)
//   SMTP_SECURE=true       TLS from the first byte (port 465); otherwise STARTTLS when offered,
//                          and required in production whenever a password is sent
//   SMTP_USER, SMTP_PASSWORD   the account, when the server asks for one (both or neither)
//   SMTP_FROM              the sender, e.g. "My Tasks <no-reply@example.com>"
// Without SMTP_HOST the server refuses to start. In production — NODE_ENV=production and a
// BETTER_AUTH_URL on a host other than localhost — the development catcher is refused too (bafa
// doctor's prod.smtp uses the same rule), so a deployed site cannot send its links into the void.
//
// Nothing here logs a message's body, its link or its token: a failure is logged by its SMTP
// code only.
import nodemailer from "nodemailer";

/** The development catcher: maildev's SMTP port on this machine, or compose's `maildev` service. */
const CATCHER_PORT = 1025;
const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "::1", "[::1]", "0.0.0.0"]);

/** Served from this machine only (development, the tests, compose on localhost). */
function isLocalSite(url: string): boolean {
  try {
    const host = new URL(url).hostname.toLowerCase();
    return LOOPBACK_HOSTS.has(host) || host.endsWith(".localhost");
  } catch {
    return false; // lib/auth.ts refuses a malformed BETTER_AUTH_URL itself
  }
}

export type SmtpSettings = {
  host: string;
  port: number;
  secure: boolean;
  user: string;
  password: string;
  from: string;
};

/** True when host:port is the local mail catcher, which keeps every message to itself. */
export function isMailCatcher(host: string, port: number): boolean {
  const name = host.trim().toLowerCase();
  return name === "maildev" || (LOOPBACK_HOSTS.has(name) && port === CATCHER_PORT);
}

/** SMTP_* as settings, or an error naming what is wrong (never a value of SMTP_PASSWORD). */
export function readSmtpSettings(env: NodeJS.ProcessEnv = process.env): SmtpSettings {
  const value = (name: string) => (env[name] ?? "").trim();
  const host = value("SMTP_HOST");
  const portText = value("SMTP_PORT") || String(CATCHER_PORT);
  const secureText = value("SMTP_SECURE").toLowerCase();
  const user = value("SMTP_USER");
  const password = env.SMTP_PASSWORD ?? "";
  const from = value("SMTP_FROM");
  const production = env.NODE_ENV === "production" && !isLocalSite(env.BETTER_AUTH_URL ?? "");
  if (!host) {
    throw new Error(
      "SMTP_HOST is not set: account emails (verification, password reset) need an SMTP server " +
        "(in development, `npm run mail` and SMTP_HOST=localhost, SMTP_PORT=1025).",
    );
  }
  if (!/^\d+$/.test(portText) || Number(portText) < 1 || Number(portText) > 65535) {
    throw new Error(`SMTP_PORT must be a port number from 1 to 65535 (got "${portText}").`);
  }
  const port = Number(portText);
  if (!["", "true", "false"].includes(secureText)) {
    throw new Error(`SMTP_SECURE must be true or false (got "${env.SMTP_SECURE}").`);
  }
  if (Boolean(user) !== Boolean(password)) {
    throw new Error("SMTP_USER and SMTP_PASSWORD go together: set both, or neither.");
  }
  if (!/^[^\s@<>]+@[^\s@<>]+$/.test(from) && !/^[^<>]*<[^\s@<>]+@[^\s@<>]+>$/.test(from)) {
    throw new Error(`SMTP_FROM must be a sender address, e.g. "My Tasks <no-reply@example.com>" (got "${from}").`);
  }
  if (production && isMailCatcher(host, port)) {
    throw new Error(
      `SMTP_HOST=${host}, SMTP_PORT=${port} is the development mail catcher, which delivers nothing: ` +
        "in production set SMTP_* to your mail provider's SMTP server.",
    );
  }
  return { host, port, secure: secureText === "true" || (secureText === "" && port === 465), user, password, from };
}

export type Message = { to: string; subject: string; text: string; html: string };

export function createMailer(settings: SmtpSettings, production = process.env.NODE_ENV === "production") {
  // (production here: NODE_ENV only — a password goes over TLS on any deployed server.)
  const transport = nodemailer.createTransport({
    host: settings.host,
    port: settings.port,
    secure: settings.secure,
    // A password never crosses the network in the clear in production: STARTTLS or no connection.
    requireTLS: production && !settings.secure && Boolean(settings.user),
    ...(settings.user ? { auth: { user: settings.user, pass: settings.password } } : {}),
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 20_000,
    logger: false,
    debug: false,
  });
  return {
    /**
     * Hand the message to the SMTP server without waiting for it: the answer to the request that
     * asked for it takes the same time whether or not an account exists (no address enumeration
     * by timing). A failure is logged by kind and SMTP code only.
     */
    send(kind: string, message: Message): void {
      transport.sendMail({ from: settings.from, ...message }).catch((error: { code?: string; responseCode?: number }) => {
        const code = [error.code, error.responseCode].filter(Boolean).join(" ") || "unknown error";
        console.error(`account email not sent (${kind}): SMTP ${code}`);
      });
    },
  };
}
