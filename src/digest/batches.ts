// A digest's batches: up to 100 readers each, cut from the frozen recipient
// list in its order, so every run that rebuilds them (a resume, the console's
// progress) gets the same batches; and their trip to the send queue, within
// the queue's limits per call.
import type { DigestBatchMessage, SendQueue } from "../queue-messages";
import { BATCH_SIZE, type Recipient } from "./digest-store";

/** Queue sendBatch limits: 100 messages and 256 KB per call; stay well under. */
const MAX_MESSAGES_PER_SEND = 100;
const MAX_BYTES_PER_SEND = 200 * 1024;

/** Batches of up to 100 from the frozen list, in its order: editions mix within a batch. */
export function buildBatches(digestId: string, recipients: Recipient[]): DigestBatchMessage[] {
  const batches: DigestBatchMessage[] = [];
  for (let index = 0; index * BATCH_SIZE < recipients.length; index++) {
    batches.push({
      kind: "digest-batch",
      digestId,
      batchIndex: index,
      batchCount: Math.ceil(recipients.length / BATCH_SIZE),
      recipients: recipients.slice(index * BATCH_SIZE, (index + 1) * BATCH_SIZE),
    });
  }
  return batches;
}

export async function enqueueBatches(queue: SendQueue, batches: DigestBatchMessage[]): Promise<number> {
  let group: MessageSendRequest<DigestBatchMessage>[] = [];
  let bytes = 0;
  let sent = 0;
  const flush = async () => {
    if (group.length === 0) return;
    await queue.sendBatch(group);
    sent += group.length;
    group = [];
    bytes = 0;
  };
  for (const batch of batches) {
    const size = JSON.stringify(batch).length + 100;
    if (group.length >= MAX_MESSAGES_PER_SEND || bytes + size > MAX_BYTES_PER_SEND) await flush();
    group.push({ body: batch, contentType: "json" });
    bytes += size;
  }
  await flush();
  return sent;
}
