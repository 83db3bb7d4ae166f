// The send queue's consumer. Each message is handled on its own: acked when
// done (or when retrying cannot help), retried with a delay when the mail
// provider asks for patience. Messages that exhaust their retries go to the
// dead-letter queue, whose consumer records them.
import type { Config } from "./config";
import type { Mailer } from "./mail/mailer";
import type { SendQueueMessage } from "./queue-messages";
import { sendConfirmation } from "./subscribers/send-confirmation";

export interface QueueDeps {
  kv: KVNamespace;
  mailer: Mailer;
  config: Config;
}

/** Quota errors reset daily: come back in an hour rather than hammer Resend. */
const QUOTA_RETRY_SECONDS = 3600;

export async function handleSendBatch(batch: MessageBatch<SendQueueMessage>, deps: QueueDeps): Promise<void> {
  for (const message of batch.messages) {
    try {
      await handleMessage(message, deps);
    } catch (error) {
      console.error("send queue message failed", message.body.kind, error);
      message.retry({ delaySeconds: Math.min(300, 5 * 2 ** message.attempts) });
    }
  }
}

async function handleMessage(message: Message<SendQueueMessage>, deps: QueueDeps): Promise<void> {
  const body = message.body;
  switch (body.kind) {
    case "confirmation": {
      const outcome = await sendConfirmation(
        { kv: deps.kv, mailer: deps.mailer, signingSecret: deps.config.signingSecret, publicUrl: deps.config.publicUrl, emailFrom: deps.config.emailFrom },
        body,
      );
      settle(message, outcome);
      return;
    }
    default:
      console.error("unknown send queue message, dropped", JSON.stringify(body).slice(0, 200));
      message.ack();
  }
}

function settle(message: Message<SendQueueMessage>, outcome: { status: string; retryAfterSeconds?: number; message?: string; reason?: string }): void {
  switch (outcome.status) {
    case "retry":
      message.retry({ delaySeconds: outcome.retryAfterSeconds ?? 30 });
      return;
    case "quota":
      message.retry({ delaySeconds: QUOTA_RETRY_SECONDS });
      return;
    case "rejected":
      console.error("mail provider rejected a message; not retrying", outcome.message);
      message.ack();
      return;
    default:
      message.ack();
  }
}
