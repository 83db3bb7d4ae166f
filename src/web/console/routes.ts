// /console: the operator console. Server-rendered pages behind a session
// cookie (session.ts); every POST needs the session, a CSRF token and no
// foreign Origin, else 403 and nothing changes (middleware.ts). Each area's
// routes live in routes/ and each page in pages/; every action is one call
// into the operator service, the same /admin/* makes.
import { Hono } from "hono";
import { buildSampleFeed, isLocalMode } from "../../feeds/sample-feed";
import { refuseForeignPost, requireConfigured, requireSession, type ConsoleEnv } from "./middleware";
import { digestRoutes } from "./routes/digests";
import { overviewRoutes } from "./routes/overview";
import { signInRoutes, signOutRoutes } from "./routes/sign-in";
import { subscriberRoutes } from "./routes/subscribers";
import { CONSOLE_SCRIPT } from "./static-script";

export const consoleRoutes = new Hono<ConsoleEnv>();

// Public parts: the script and, in local mode, the sample feed.
consoleRoutes.get("/static/console.js", (c) =>
  c.body(CONSOLE_SCRIPT, 200, { "Content-Type": "text/javascript; charset=utf-8", "Cache-Control": "public, max-age=300" }),
);

consoleRoutes.get("/sample-feed.xml", (c) => {
  if (!isLocalMode(c.get("config"))) return c.json({ error: "not found" }, 404);
  return c.body(buildSampleFeed(new Date(), c.req.query("lang") === "fr" ? "fr" : "en"), 200, {
    "Content-Type": "application/rss+xml; charset=utf-8",
    "Cache-Control": "no-store",
  });
});

consoleRoutes.use("*", requireConfigured);
consoleRoutes.route("/", signInRoutes);

// Everything else needs a session; each POST route also reads its form with signedForm().
consoleRoutes.use("*", refuseForeignPost, requireSession);
consoleRoutes.route("/", signOutRoutes);
consoleRoutes.route("/", overviewRoutes);
consoleRoutes.route("/", digestRoutes);
consoleRoutes.route("/", subscriberRoutes);
