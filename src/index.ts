// The Worker's entry points. This file only wires handlers to features.
import { CRON_DIGEST, CRON_INGEST, CRON_WEEKLY_DIGEST, readConfig } from "./config";
import { saveDailyCountsIfMissing } from "./subscribers/daily-counts";
import { withSampleFeed } from "./feeds/sample-feed";
import { ingestAndRunDigest } from "./digest";
import { runIngest } from "./feeds";
import { createMailer } from "./mail/create-mailer";
import { handleSendBatch } from "./queue-consumer";
import { handleInboundEmail } from "./subscribers/inbound-email";
import type { SendQueueMessage } from "./queue-messages";
import { createApp } from "./web/app";

const app = createApp();

export default {
  fetch: app.fetch,

  async scheduled(controller, env, ctx) {
    const config = await withSampleFeed(readConfig(env), env);
    switch (controller.cron) {
      case CRON_INGEST:
        ctx.waitUntil(
          runIngest(config, env.KV, fetch, () => new Date(), createMailer(config, env.KV)).then((report) => {
            console.log(JSON.stringify({ event: "ingest", new: report.new, sources: report.sources.map((s) => [s.url, s.status, s.new]) }));
          }),
        );
        // The console's daily counts snapshot: one KV write a day, by the first hourly run.
        ctx.waitUntil(saveDailyCountsIfMissing(env.KV, new Date()));
        break;
      case CRON_DIGEST:
      case CRON_WEEKLY_DIGEST: {
        // Daily readers on the daily cron, weekly readers on Monday's: the two never cross.
        const cadence = controller.cron === CRON_WEEKLY_DIGEST ? "weekly" : "daily";
        ctx.waitUntil(
          ingestAndRunDigest(config, { kv: env.KV, queue: env.SEND_QUEUE, mailer: createMailer(config, env.KV) }, { cadence }).then((report) => {
            console.log(JSON.stringify({ event: "digest", ...report.digest }));
          }),
        );
        break;
      }
      default:
        console.warn(`unknown cron ${controller.cron}: nothing to do`);
    }
  },

  async email(message, env, ctx) {
    const config = readConfig(env);
    const outcome = await handleInboundEmail(message, {
      kv: env.KV,
      queue: env.SEND_QUEUE,
      signingSecret: config.signingSecret,
      confirmationIntervalMs: config.confirmEmailIntervalMs,
      now: () => new Date(),
      mailer: createMailer(config, env.KV),
      emailFrom: config.emailFrom,
      publicUrl: config.publicUrl,
      limits: {
        senderLimiter: env.INBOUND_SENDER_LIMITER,
        replyLimiter: env.INBOUND_REPLY_LIMITER,
        maxMailsPerHour: config.inboundMaxMailsPerHour,
        maxMailsPerDay: config.inboundMaxMailsPerDay,
      },
      defer: (work) => ctx.waitUntil(work),
    });
    // The outcome carries fixed reasons and flags, never an address: log it whole.
    console.log(JSON.stringify({ event: "inbound-email", ...outcome }));
  },

  async queue(batch, env) {
    const config = readConfig(env);
    await handleSendBatch(batch, {
      kv: env.KV,
      queue: env.SEND_QUEUE,
      mailer: createMailer(config, env.KV),
      config,
      now: () => new Date(),
    });
  },
} satisfies ExportedHandler<Env, SendQueueMessage>;
