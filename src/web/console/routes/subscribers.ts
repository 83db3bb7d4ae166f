// /console/subscribers and the list actions: find, export, erase,
// unsuppress, import and the import's progress. Each action is one
// operator-service call, the same /admin/* makes; only the form reading
// and the pages are the console's.
import { Hono } from "hono";
import { MAX_IMPORT_BYTES, parseExportFormat } from "../../../operator/operator-service";
import { parseEmailAddress } from "../../../subscribers/address";
import { countSubscribers } from "../../../subscribers/daily-counts";
import { listFeedChoices } from "../../../subscribers/preferences";
import { getSubscriber, subscriberIdFor } from "../../../subscribers/subscriber-store";
import { operatorFor } from "../../operator";
import { formText, signedForm, type ConsoleEnv } from "../middleware";
import { importPage, importText } from "../pages/import";
import { consoleErrorPage, resultPage } from "../pages/messages";
import { subscribersPage } from "../pages/subscribers";
import { number } from "../ui";

export const subscriberRoutes = new Hono<ConsoleEnv>();

const BACK_TO_LIST: [string, string] = ["/console/subscribers", "Back to subscribers"];

subscriberRoutes.get("/subscribers", async (c) => {
  const query = c.req.query("email") ?? null;
  const counts = await countSubscribers(c.env.KV);
  let found = null;
  let queryError: string | null = null;
  if (query !== null && query.trim() !== "") {
    const parsed = parseEmailAddress(query);
    if (!parsed.ok) queryError = parsed.message;
    else found = await getSubscriber(c.env.KV, await subscriberIdFor(parsed.address));
  }
  const feeds = found ? await listFeedChoices(c.env.KV, c.get("config")) : [];
  return c.html(subscribersPage({ csrf: c.get("session").csrf, now: new Date(), counts, query: query?.trim() || null, queryError, found, feeds }));
});

subscriberRoutes.get("/subscribers/export", (c) => {
  const format = parseExportFormat(c.req.query("format") ?? "csv");
  if (!format) return c.json({ error: "format must be csv or json" }, 400);
  return operatorFor(c).exportSubscribers(format);
});

subscriberRoutes.post("/subscribers/erase", signedForm(), async (c) => {
  const csrf = c.get("session").csrf;
  const notErased = (message: string) => c.html(resultPage({ title: "Not erased", csrf, ok: false, message, back: BACK_TO_LIST }), 400);
  const address = parseEmailAddress(formText(c, "email"));
  if (!address.ok) return notErased(address.message);
  if (formText(c, "confirm") !== "yes") return notErased("Tick the box to confirm the erasure.");
  const result = await operatorFor(c).erase(address.address);
  if (!result.ok) return notErased(result.message);
  const message = result.erased ? `The record of ${result.address} is erased.` : `There was no record of ${result.address}.`;
  return c.html(resultPage({ title: result.erased ? "Erased" : "Nothing to erase", csrf, message, back: BACK_TO_LIST }));
});

subscriberRoutes.post("/subscribers/unsuppress", signedForm(), async (c) => {
  const address = formText(c, "email") ?? "";
  const result = await operatorFor(c).unsuppress(address);
  const messages = {
    cleared: `The suppression of ${address} is lifted; the address is now unsubscribed and can sign up again.`,
    "not-suppressed": `${address} is not suppressed; nothing changed.`,
    unknown: `There is no record of ${address}.`,
  };
  const title = result === "cleared" ? "Suppression lifted" : "Nothing changed";
  return c.html(resultPage({ title, csrf: c.get("session").csrf, ok: result === "cleared", message: messages[result], back: BACK_TO_LIST }));
});

subscriberRoutes.post("/import", signedForm(MAX_IMPORT_BYTES), async (c) => {
  const csrf = c.get("session").csrf;
  const notImported = (message: string) =>
    c.html(resultPage({ title: "Not imported", csrf, ok: false, message, back: ["/console/subscribers#import", "Back to the import form"] }), 400);
  const file = c.get("form").get("file");
  if (!(file instanceof File) || file.size === 0) return notImported("Choose a CSV file to import.");
  const result = await operatorFor(c).importSubscribers({ csv: file.stream() }, formText(c, "optin") === "yes");
  if (!result.ok) return notImported(result.message);
  return c.redirect(`/console/imports/${result.job.id}`, 303);
});

subscriberRoutes.get("/imports/:id", async (c) => {
  const progress = await operatorFor(c).getImport(c.req.param("id"));
  if (!progress) return c.html(consoleErrorPage("No such import", "There is no import with that id.", c.get("session").csrf), 404);
  return c.html(importPage({ csrf: c.get("session").csrf, now: new Date(), progress: { ...progress, totals: { ...progress.totals } } }));
});

subscriberRoutes.get("/imports/:id/progress.json", async (c) => {
  const progress = await operatorFor(c).getImport(c.req.param("id"));
  if (!progress) return c.json({ error: "no import with that id" }, 404);
  return c.json({
    done: progress.done,
    total: progress.chunks,
    finished: progress.done >= progress.chunks,
    text: importText(progress),
    fields: Object.fromEntries(Object.entries(progress.totals).map(([k, v]) => [k, number(v)])),
  });
});
