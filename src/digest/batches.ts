// A digest's batches: up to 100 readers each, cut from the frozen recipient
// list in its order, so every run that rebuilds them (a resume, the console's
// progress) gets the same batches; and their trip to the send queue, within
// the queue's limits per call.
import type { DigestBatchMessage, SendQueue } from "../queue-messages";
import { sendInBatches } from "../lib/queue-batches";
import { BATCH_SIZE, type Recipient } from "./digest-store";

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

/** Sends the batches within Queues' limits per call (src/lib/queue-batches.ts); a batch of 100 readers is a few KB. */
export async function enqueueBatches(queue: SendQueue, batches: DigestBatchMessage[]): Promise<number> {
  return sendInBatches(queue, batches);
}
