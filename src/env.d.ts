// The generated Env (worker-configuration.d.ts, from `wrangler types`) types
// the send queue as Queue<unknown>. Declaration merging narrows it once,
// here, to the messages the queue carries, so no caller casts it.
interface Env {
  SEND_QUEUE: Queue<import("./queue-messages").SendQueueMessage>;
}

declare namespace Cloudflare {
  interface Env {
    SEND_QUEUE: Queue<import("./queue-messages").SendQueueMessage>;
  }
}
