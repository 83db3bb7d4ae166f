// POST /console/login (before any session: its own Origin check and a rate
// limit per client) and POST /console/logout.
import { Hono } from "hono";
import { signInPage } from "../pages/messages";
import { MAX_FORM_BYTES, readForm, signedForm, type ConsoleEnv } from "../middleware";
import { endSession, isAdminToken, isForeignOrigin, startSession } from "../session";

export const signInRoutes = new Hono<ConsoleEnv>();

signInRoutes.post("/login", async (c) => {
  const config = c.get("config");
  if (isForeignOrigin(c, config)) return c.html(signInPage({ error: "This sign-in came from another site and was refused." }), 403);
  const { success } = await c.env.LOGIN_LIMITER.limit({ key: `console-login:${c.req.header("CF-Connecting-IP") ?? "unknown"}` });
  if (!success) {
    c.header("Retry-After", "60");
    return c.html(signInPage({ error: "Too many sign-in attempts from your network. Wait a minute and try again." }), 429);
  }
  const form = await readForm(c, MAX_FORM_BYTES);
  if (!(form instanceof FormData)) return c.html(signInPage({ error: form.message }), form.status);
  if (!(await isAdminToken(config, form.get("token")))) {
    return c.html(signInPage({ error: "That is not the admin token. Check ADMIN_TOKEN and try again." }), 401);
  }
  await startSession(c, config, new Date());
  return c.redirect("/console", 303);
});

/** Needs the session (mounted after requireSession). */
export const signOutRoutes = new Hono<ConsoleEnv>();

signOutRoutes.post("/logout", signedForm(), async (c) => {
  await endSession(c, c.env.KV, c.get("session"));
  return c.html(signInPage({ info: "You are signed out." }));
});
