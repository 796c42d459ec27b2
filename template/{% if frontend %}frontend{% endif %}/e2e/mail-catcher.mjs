// The end-to-end tests' mail server: a real maildev (the project's development catcher) on free
// ports. Better Auth sends to it over SMTP; the tests read what arrived from its REST API.
import { MailDev } from "maildev";

/** Start maildev: SMTP on `smtpPort`, its web UI and REST API on `webPort` (127.0.0.1 only). */
export async function startMailCatcher(smtpPort, webPort) {
  const maildev = new MailDev({ smtp: smtpPort, web: webPort, ip: "127.0.0.1", webIp: "127.0.0.1", silent: true });
  await maildev.start();
  const url = `http://127.0.0.1:${webPort}`;
  return {
    url,
    smtpPort,
    stop: () => maildev.stop(),
    /** Every message received so far, oldest first. */
    async messages() {
      const response = await fetch(`${url}/api/email`);
      if (!response.ok) throw new Error(`maildev answered ${response.status}`);
      return response.json();
    },
    /**
     * The `count`-th message to `to` whose subject matches `subject`, once it has arrived (the
     * server sends after answering). Polls; `seconds` only bounds a failing test.
     */
    async waitFor(to, subject, { count = 1, seconds = 60 } = {}) {
      const deadline = Date.now() + seconds * 1000;
      for (;;) {
        const found = (await this.messages()).filter(
          (m) => m.to.some((r) => r.address.toLowerCase() === to.toLowerCase()) && subject.test(m.subject),
        );
        if (found.length >= count) return found[count - 1];
        if (Date.now() > deadline) throw new Error(`no email "${subject}" to ${to} after ${seconds} s`);
        await new Promise((r) => setTimeout(r, 200));
      }
    },
  };
}

/** The one link in a message's text to `path` (or, when it ends with "/", under it). */
export function linkIn(message, path) {
  const links = message.text.match(/https?:\/\/\S+/g) ?? [];
  const wanted = links.filter((link) => {
    const { pathname } = new URL(link);
    return path.endsWith("/") ? pathname.startsWith(path) && pathname.length > path.length : pathname === path;
  });
  if (wanted.length !== 1) throw new Error(`expected one ${path} link in the email, found ${links.length} links`);
  return wanted[0];
}
