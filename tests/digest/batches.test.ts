import { describe, expect, it } from "vitest";
import { buildBatches, enqueueBatches } from "../../src/digest/batches";
import { QUEUE_MAX_MESSAGE_BYTES, queueMessageBytes } from "../../src/lib/queue-batches";
import type { DigestRecipient, SendQueue } from "../../src/queue-messages";

describe("digest batches on the send queue", () => {
  it("stay under 128 KB a message with every address at its longest, and go out in calls within 100 messages and 256 KB", async () => {
    // 254 characters of 3-byte text: the longest address the sign-up accepts, in bytes.
    const recipients: DigestRecipient[] = Array.from({ length: 1_050 }, (_, index) => ({
      id: index.toString(16).padStart(64, "0"),
      email: `${String(index).padEnd(64, "中")}@${"中".repeat(63)}.${"中".repeat(63)}.${"中".repeat(61)}`,
      token: `p.${"A".repeat(60)}`,
      edition: 12,
    }));
    const batches = buildBatches("digest-1", recipients);
    expect(batches).toHaveLength(11);
    for (const batch of batches) expect(queueMessageBytes(batch)).toBeLessThan(QUEUE_MAX_MESSAGE_BYTES);

    const calls: { messages: number; bytes: number }[] = [];
    const queue = {
      async sendBatch(messages: Iterable<MessageSendRequest<unknown>>) {
        const list = [...messages];
        calls.push({ messages: list.length, bytes: list.reduce((sum, message) => sum + new TextEncoder().encode(JSON.stringify(message.body)).byteLength, 0) });
      },
    } as unknown as SendQueue;
    expect(await enqueueBatches(queue, batches)).toBe(11);
    expect(calls.reduce((sum, call) => sum + call.messages, 0)).toBe(11);
    // Each batch is over 90 KB here: three would pass the 224 KB budget, so a call carries at most two.
    for (const call of calls) expect(call.bytes).toBeLessThanOrEqual(256_000);
    expect(Math.max(...calls.map((call) => call.messages))).toBe(2);
  });
});
