// The messages that travel through the send queue. One queue carries every
// kind; the consumer dispatches on `kind`.

export interface ConfirmationMessage {
  kind: "confirmation";
  subscriberId: string;
  /** When the sign-up asked for it: makes the email, and so its idempotency key, deterministic. */
  requestedAt: string;
}

export interface DigestBatchMessage {
  kind: "digest-batch";
  digestId: string;
  batchIndex: number;
  batchCount: number;
  recipients: { id: string; email: string }[];
}

export interface ImportChunkMessage {
  kind: "import-chunk";
  importId: string;
  chunkIndex: number;
  addresses: string[];
  /** Send the double opt-in email instead of confirming. */
  optIn: boolean;
}

export type SendQueueMessage = ConfirmationMessage | DigestBatchMessage | ImportChunkMessage;

export type SendQueue = Queue<SendQueueMessage>;
