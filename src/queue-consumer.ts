// The send queue's consumer, and the dead-letter queue's. Each message is
// handled on its own: acked when done (or when retrying cannot help),
// retried with a delay when the mail provider asks for patience. Messages
// that exhaust their retries land in the dead-letter queue, whose consumer
// records them as failed in the digest's progress.
import type { Config } from "./config";
import { operatorOf } from "./digest";
import { recordDeadBatch, sendDigestBatch } from "./digest/send-digest-batch";
import type { Mailer } from "./mail/mailer";
import type { SendQueue, SendQueueMessage } from "./queue-messages";
import { importChunk } from "./subscribers/import";
import { sendConfirmation } from "./subscribers/send-confirmation";

export const DEAD_LETTER_QUEUE = "nato-digest-send-dlq";

export interface QueueDeps {
  kv: KVNamespace;
  queue: SendQueue;
  mailer: Mailer;
  config: Config;
  now: () => Date;
}

/** Quota errors reset daily: come back in an hour rather than hammer Resend. */
const QUOTA_RETRY_SECONDS = 3600;

export async function handleSendBatch(batch: MessageBatch<SendQueueMessage>, deps: QueueDeps): Promise<void> {
  const dead = batch.queue === DEAD_LETTER_QUEUE;
  for (const message of batch.messages) {
    try {
      if (dead) await handleDeadMessage(message, deps);
      else await handleMessage(message, deps);
    } catch (error) {
      // A KV or runtime fault: nothing was settled, so trying again is safe.
      console.error("send queue message failed", message.body.kind, error);
      message.retry({ delaySeconds: Math.min(300, 5 * 2 ** Math.min(message.attempts, 6)) });
    }
  }
}

async function handleMessage(message: Message<SendQueueMessage>, deps: QueueDeps): Promise<void> {
  const body = message.body;
  const { config } = deps;
  switch (body.kind) {
    case "confirmation": {
      const outcome = await sendConfirmation(
        {
          kv: deps.kv,
          mailer: deps.mailer,
          signingSecret: config.signingSecret,
          publicUrl: config.publicUrl,
          emailFrom: config.emailFrom,
          operator: operatorOf(config),
        },
        body,
      );
      if (outcome.status === "retry") message.retry({ delaySeconds: outcome.retryAfterSeconds });
      else if (outcome.status === "quota") message.retry({ delaySeconds: QUOTA_RETRY_SECONDS });
      else {
        if (outcome.status === "rejected") console.error("confirmation email refused by the provider", outcome.message);
        message.ack();
      }
      return;
    }
    case "digest-batch": {
      const outcome = await sendDigestBatch(
        {
          kv: deps.kv,
          mailer: deps.mailer,
          signingSecret: config.signingSecret,
          publicUrl: config.publicUrl,
          emailFrom: config.emailFrom,
          now: deps.now,
          inboundAddress: config.inboundAddress,
        },
        body,
      );
      if (outcome.status === "retry") message.retry({ delaySeconds: outcome.retryAfterSeconds });
      else {
        if (outcome.status === "missing-digest") console.error(`digest ${body.digestId} not found; batch ${body.batchIndex} dropped`);
        message.ack();
      }
      return;
    }
    case "import-chunk": {
      await importChunk(
        {
          kv: deps.kv,
          queue: deps.queue,
          now: deps.now,
          confirmationIntervalMs: config.confirmEmailIntervalMs,
          signingSecret: config.signingSecret,
        },
        body,
      );
      message.ack();
      return;
    }
    default:
      console.error("unknown send queue message, dropped", JSON.stringify(body).slice(0, 200));
      message.ack();
  }
}

async function handleDeadMessage(message: Message<SendQueueMessage>, deps: QueueDeps): Promise<void> {
  const body = message.body;
  if (body.kind === "digest-batch") await recordDeadBatch({ kv: deps.kv, now: deps.now }, body);
  else if (body.kind === "confirmation") console.error("confirmation email gave up after repeated failures", body.subscriberId);
  else console.error(`import ${body.importId} chunk ${body.chunkIndex} gave up after repeated failures`);
  message.ack();
}
