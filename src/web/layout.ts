// The one HTML shell for every page the worker serves: readable on a phone,
// dark-mode aware, no JavaScript needed, <html lang> set to the page's
// language. Pages are hono/html templates, so every interpolated value is escaped.
import { html, raw } from "hono/html";
import type { HtmlEscapedString } from "hono/utils/html";
import { stringsFor, type Lang } from "../i18n";

type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

// A constant, inserted raw: escaping would turn its quotes into &quot;, which
// CSS does not read (the whole font declaration would be dropped).
const STYLE = `
:root { color-scheme: light dark; --fg:#1b1f24; --bg:#ffffff; --muted:#4a5361; --accent:#0b4ea2; --border:#c9d1dc; --ok:#1d6b35; --warn:#8a1c1c; }
@media (prefers-color-scheme: dark) { :root { --fg:#e8ecf1; --bg:#12161c; --muted:#b6c0cc; --accent:#8cb8ff; --border:#3b4553; --ok:#7fd49a; --warn:#ff9c9c; } }
* { box-sizing: border-box; }
body { margin:0; font: 17px/1.55 -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, system-ui, sans-serif; color:var(--fg); background:var(--bg); }
main { max-width: 40rem; margin: 0 auto; padding: 2rem 1.25rem 4rem; }
main.wide { max-width: 52rem; }
h1 { font-size: 1.7rem; line-height: 1.25; margin: 0 0 1rem; }
h2 { font-size: 1.2rem; line-height: 1.3; margin: 2rem 0 .75rem; }
p, li { color: var(--fg); }
.muted { color: var(--muted); }
a { color: var(--accent); }
label { display:block; font-weight:600; margin: 1.25rem 0 .35rem; }
input[type=email], input[type=text] { width:100%; font:inherit; padding:.7rem .8rem; border:2px solid var(--border); border-radius:.4rem; background:var(--bg); color:var(--fg); }
button { font:inherit; font-weight:600; margin-top:1rem; padding:.7rem 1.4rem; border:0; border-radius:.4rem; background:var(--accent); color:var(--bg); cursor:pointer; }
button.secondary { background: transparent; color: var(--accent); border: 2px solid var(--accent); }
input:focus-visible, button:focus-visible, a:focus-visible, summary:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
details { margin: 1.25rem 0 0; border: 1px solid var(--border); border-radius: .4rem; padding: .25rem 1rem .75rem; }
summary { cursor: pointer; font-weight: 600; padding: .5rem 0; color: var(--accent); }
fieldset { border: 0; margin: 1.25rem 0 0; padding: 0; min-width: 0; }
legend { font-weight: 600; padding: 0; margin-bottom: .35rem; }
label.choice { font-weight: 400; margin: .35rem 0; display: flex; gap: .6rem; align-items: flex-start; }
label.choice input { width: 1.2rem; height: 1.2rem; margin: .2rem 0 0; flex: none; accent-color: var(--accent); }
.hint { margin: 0 0 .35rem; font-size: .95rem; }
.hp { position:absolute; left:-10000px; width:1px; height:1px; overflow:hidden; }
.notice { border-left: 4px solid var(--accent); padding: .5rem 1rem; }
.error { border-left-color: var(--warn); }
.topbar { display: flex; justify-content: flex-end; margin: -1rem 0 1rem; font-size: .95rem; }
.headlines li { margin: 0 0 .4rem; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align:left; padding:.35rem .5rem; border-bottom:1px solid var(--border); vertical-align: top; }
pre { white-space: pre-wrap; word-break: break-word; }
footer { margin-top: 3rem; font-size: .9rem; color: var(--muted); }
`;

export interface PageOptions {
  title: string;
  body: Html;
  head?: Html;
  wide?: boolean;
  lang?: Lang;
  /** A link to the same page in the other language (the sign-up page only). */
  switchLanguage?: { href: string; label: string; lang: Lang };
}

export function page(options: PageOptions): Html {
  const lang = options.lang ?? "en";
  const t = stringsFor(lang);
  const other = options.switchLanguage;
  return html`<!doctype html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${options.title} · NATO Digest</title>
<style>${raw(STYLE)}</style>
${options.head ?? ""}
</head>
<body>
<main${options.wide ? html` class="wide"` : ""}>
${other ? html`<nav class="topbar" aria-label="${lang === "fr" ? "Langue" : "Language"}"><a href="${other.href}" lang="${other.lang}" hreflang="${other.lang}">${other.label}</a></nav>` : ""}
${options.body}
<footer><p>${t.pages.footer}</p></footer>
</main>
</body>
</html>`;
}
