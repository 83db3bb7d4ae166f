import { describe, expect, it } from "vitest";
import {
  buildQueueBatches,
  QUEUE_MAX_BYTES_PER_SEND,
  QUEUE_MAX_MESSAGE_BYTES,
  QUEUE_MESSAGE_OVERHEAD_BYTES,
  QUEUE_SEND_BUDGET_BYTES,
  QueueMessageTooLargeError,
  queueMessageBytes,
  sendInBatches,
} from "../../src/lib/queue-batches";

/** A body whose queueMessageBytes is exactly `bytes` (ASCII text in a JSON string). */
function bodyOf(bytes: number, fill = "x"): string {
  return fill.repeat(bytes - QUEUE_MESSAGE_OVERHEAD_BYTES - 2);
}

function totalBytes(group: unknown[]): number {
  return group.reduce<number>((sum, body) => sum + queueMessageBytes(body), 0);
}

describe("buildQueueBatches", () => {
  it("cuts at 100 messages: 100 small bodies make one call, 101 make two, order kept", () => {
    const bodies = Array.from({ length: 201 }, (_, index) => ({ index }));
    expect(buildQueueBatches(bodies.slice(0, 100))).toHaveLength(1);
    const groups = buildQueueBatches(bodies);
    expect(groups.map((group) => group.length)).toEqual([100, 100, 1]);
    expect(groups.flat()).toEqual(bodies);
    expect(buildQueueBatches([])).toEqual([]);
  });

  it("cuts by bytes: a call never passes the budget, and a body that fits exactly stays in", () => {
    const exact = [bodyOf(QUEUE_SEND_BUDGET_BYTES / 2), bodyOf(QUEUE_SEND_BUDGET_BYTES / 2)];
    expect(buildQueueBatches(exact)).toHaveLength(1);
    const over = [bodyOf(QUEUE_SEND_BUDGET_BYTES / 2), bodyOf(QUEUE_SEND_BUDGET_BYTES / 2 + 1)];
    expect(buildQueueBatches(over).map((group) => group.length)).toEqual([1, 1]);
    // 100 messages of 5 KB: 500 KB, more than any one call may carry.
    const groups = buildQueueBatches(Array.from({ length: 100 }, () => bodyOf(5_000)));
    expect(groups.length).toBeGreaterThan(1);
    for (const group of groups) expect(totalBytes(group)).toBeLessThanOrEqual(QUEUE_SEND_BUDGET_BYTES);
    expect(QUEUE_SEND_BUDGET_BYTES).toBeLessThan(QUEUE_MAX_BYTES_PER_SEND);
  });

  it("measures UTF-8 bytes, not string length: multibyte text fills a call sooner", () => {
    // 40,000 characters: 40 KB of ASCII, 120 KB of "€" (3 bytes each), 160 KB of "𝐀" (4 bytes, 2 UTF-16 units).
    expect(queueMessageBytes("x".repeat(40_000))).toBe(40_002 + QUEUE_MESSAGE_OVERHEAD_BYTES);
    expect(queueMessageBytes("€".repeat(40_000))).toBe(120_002 + QUEUE_MESSAGE_OVERHEAD_BYTES);
    expect(buildQueueBatches(Array.from({ length: 5 }, () => "x".repeat(40_000)))).toHaveLength(1);
    const euros = buildQueueBatches(Array.from({ length: 5 }, () => "€".repeat(40_000)));
    expect(euros).toHaveLength(5);
    expect(() => buildQueueBatches(["𝐀".repeat(40_000)])).toThrow(QueueMessageTooLargeError);
  });

  it("refuses a message over 128 KB with a clear error, naming it and its size", () => {
    expect(buildQueueBatches([bodyOf(QUEUE_MAX_MESSAGE_BYTES)])).toHaveLength(1);
    const bodies = [{ small: true }, bodyOf(QUEUE_MAX_MESSAGE_BYTES + 1)];
    expect(() => buildQueueBatches(bodies)).toThrow(/queue message 1 is 128001 bytes, over Queues' limit of 128000 bytes a message/);
  });
});

describe("sendInBatches", () => {
  it("sends JSON bodies in order, one call per group, and sends nothing when one message is too large", async () => {
    const calls: MessageSendRequest<unknown>[][] = [];
    const queue = {
      sendBatch: async (messages: Iterable<MessageSendRequest<unknown>>) => void calls.push([...messages]),
    } as unknown as Queue<unknown>;
    const bodies = Array.from({ length: 150 }, (_, index) => ({ index }));
    expect(await sendInBatches(queue, bodies)).toBe(150);
    expect(calls.map((call) => call.length)).toEqual([100, 50]);
    expect(calls.flat().map((message) => message.body)).toEqual(bodies);
    expect(calls.flat().every((message) => message.contentType === "json")).toBe(true);

    calls.length = 0;
    await expect(sendInBatches(queue, [...bodies, bodyOf(QUEUE_MAX_MESSAGE_BYTES + 1)])).rejects.toThrow(QueueMessageTooLargeError);
    expect(calls).toEqual([]);
  });
});
