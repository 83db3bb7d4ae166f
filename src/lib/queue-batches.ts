// Cloudflare Queues' limits, kept by every producer: at most 100 messages and
// 256 KB per sendBatch call, at most 128 KB a message (KB = 1,000 bytes, each
// message counting about 100 bytes of metadata besides its body). A body is
// measured as Queues measures it: the UTF-8 bytes of its JSON. Grouping is
// pure; a message over 128 KB is refused with a clear error before anything
// is sent, never cut or dropped.

export const QUEUE_MAX_MESSAGES_PER_SEND = 100;
export const QUEUE_MAX_BYTES_PER_SEND = 256_000;
export const QUEUE_MAX_MESSAGE_BYTES = 128_000;
/** Queues' own metadata per message, rounded up from its documented ~100 bytes. */
export const QUEUE_MESSAGE_OVERHEAD_BYTES = 128;
/** What one call carries at most: a margin under 256 KB, as the count and sizes are estimates of Queues' accounting. */
export const QUEUE_SEND_BUDGET_BYTES = 224_000;

export class QueueMessageTooLargeError extends Error {
  override name = "QueueMessageTooLargeError";
}

const encoder = new TextEncoder();

/** The bytes one message counts for: its JSON body in UTF-8, plus Queues' metadata. */
export function queueMessageBytes(body: unknown): number {
  return encoder.encode(JSON.stringify(body)).byteLength + QUEUE_MESSAGE_OVERHEAD_BYTES;
}

/** Groups bodies, in order, into sendBatch calls of ≤ 100 messages and ≤ QUEUE_SEND_BUDGET_BYTES. Throws on a body over 128 KB. */
export function buildQueueBatches<T>(bodies: readonly T[]): T[][] {
  const groups: T[][] = [];
  let group: T[] = [];
  let bytes = 0;
  for (const [index, body] of bodies.entries()) {
    const size = queueMessageBytes(body);
    if (size > QUEUE_MAX_MESSAGE_BYTES) {
      throw new QueueMessageTooLargeError(`queue message ${index} is ${size} bytes, over Queues' limit of ${QUEUE_MAX_MESSAGE_BYTES} bytes a message`);
    }
    if (group.length === QUEUE_MAX_MESSAGES_PER_SEND || (group.length > 0 && bytes + size > QUEUE_SEND_BUDGET_BYTES)) {
      groups.push(group);
      group = [];
      bytes = 0;
    }
    group.push(body);
    bytes += size;
  }
  if (group.length > 0) groups.push(group);
  return groups;
}

/** Sends every body as JSON, in order, in as few calls as the limits allow; returns the number of messages sent. */
export async function sendInBatches<T>(queue: Queue<T>, bodies: readonly T[]): Promise<number> {
  // Grouped (and checked) before the first call: an oversize message sends nothing.
  const groups = buildQueueBatches(bodies);
  for (const group of groups) await queue.sendBatch(group.map((body) => ({ body, contentType: "json" as const })));
  return bodies.length;
}
