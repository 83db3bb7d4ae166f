// The console's short pages: sign-in, an error, and the result of an action.
import { html } from "hono/html";
import type { IngestReport } from "../../../feeds";
import { consolePage, notice, type Html } from "../ui";
import { table } from "./components";

export function signInPage(options: { error?: string; info?: string } = {}): Html {
  return consolePage({
    title: "Sign in",
    body: html`<h1>Sign in to the console</h1>
      ${options.error ? notice(options.error, "error") : ""} ${options.info ? notice(options.info, "ok") : ""}
      <p>Enter the admin token (the <code>ADMIN_TOKEN</code> secret). Locally, <code>npm start</code> wrote it to <code>.dev.vars</code>.</p>
      <form method="post" action="/console/login">
        <label for="token">Admin token</label>
        <input id="token" name="token" type="password" autocomplete="current-password" required autofocus />
        <button type="submit">Sign in</button>
      </form>`,
  });
}

export function consoleErrorPage(title: string, message: string, csrf?: string): Html {
  return consolePage({
    title,
    csrf,
    body: html`<h1>${title}</h1>
      ${notice(message, "error")}
      <p><a href="/console">Back to the console</a></p>`,
  });
}

export function resultPage(options: { title: string; csrf: string; message: Html | string; ok?: boolean; details?: Html; back?: [string, string] }): Html {
  const [href, label] = options.back ?? ["/console", "Back to the overview"];
  return consolePage({
    title: options.title,
    csrf: options.csrf,
    body: html`<h1>${options.title}</h1>
      ${notice(options.message, options.ok === false ? "error" : "ok")} ${options.details ?? ""}
      <p><a href="${href}">${label}</a></p>`,
  });
}

/** Per feed: what the ingest found. */
export function ingestResult(report: IngestReport): Html {
  return table<IngestReport["sources"][number]>({
    label: "Ingest result",
    rows: report.sources,
    columns: [
      { header: "Feed", cell: (s) => s.url },
      { header: "Result", cell: (s) => (s.status === "error" ? html`<span class="bad">error: ${s.error ?? ""}</span>` : s.status) },
      { header: "New", num: true, cell: (s) => s.new },
    ],
  });
}
