// GET /console (the overview) and the actions started from it: ingest now,
// and the sample feed switch in local mode.
import { Hono } from "hono";
import { isLocalMode, saveSampleFeedSwitch } from "../../../feeds/sample-feed";
import { getOverviewData } from "../../../operator/console-data";
import { operatorFor } from "../../operator";
import { formText, signedForm, type ConsoleEnv } from "../middleware";
import { consoleErrorPage, ingestResult, resultPage } from "../pages/messages";
import { overviewPage } from "../pages/overview";
import { counted } from "../ui";

export const overviewRoutes = new Hono<ConsoleEnv>();

overviewRoutes.get("/", async (c) => {
  const data = await getOverviewData(c.get("config"), c.env.KV, new Date());
  return c.html(overviewPage(data, c.get("session").csrf));
});

overviewRoutes.post("/ingest", signedForm(), async (c) => {
  const report = await operatorFor(c).ingest();
  const message = `${counted(report.new, "new release", "new releases")} stored.`;
  return c.html(resultPage({ title: "Ingest done", csrf: c.get("session").csrf, message, details: ingestResult(report) }));
});

overviewRoutes.post("/sample-feed", signedForm(), async (c) => {
  const csrf = c.get("session").csrf;
  if (!isLocalMode(c.get("config"))) {
    return c.html(consoleErrorPage("Not available", "The sample feed exists only in local mode (no RESEND_API_KEY, PUBLIC_URL on this machine).", csrf), 400);
  }
  const on = formText(c, "on") === "on";
  await saveSampleFeedSwitch(c.env.KV, on);
  const message = on
    ? "The offline sample feed now replaces the configured feeds. Ingest now, or send a digest, to see it."
    : "The configured feeds are back (unless SAMPLE_FEED=on is set).";
  return c.html(resultPage({ title: on ? "Sample feed on" : "Sample feed off", csrf, message }));
});
