// The messages that travel through the send queue. One queue carries every
// kind; the consumer dispatches on `kind`. A leaf: subscribers/ and digest/
// import it, so it imports nothing of theirs (the reader's choices an import
// row carries are declared here, and subscribers/preferences.ts names them).
import type { Cadence, Lang } from "./i18n/lang";

/** What a reader chooses (subscribers/preferences.ts validates and matches them). */
export interface Preferences {
  cadence: Cadence;
  topics: string[];
  lang: Lang;
  /** Feed ids the reader wants; null = the default (every feed in the reader's language, see effectiveSources). */
  sources: string[] | null;
  /** Absent in records from before stories: "include". */
  otherLanguage?: OtherLanguage;
}

/** A story NATO has not published in the reader's language: given in the other one (marked), or left out. */
export type OtherLanguage = "include" | "skip";

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
  recipients: DigestRecipient[];
}

/** One reader of a digest batch. Batches may mix editions: each reader names theirs. */
export interface DigestRecipient {
  id: string;
  email: string;
  /** The reader's personal token from the list metadata; absent for readers from before it existed (computed at send time). */
  token?: string;
  /** Index of the reader's edition in the digest; absent: 0 (and for records from before editions). */
  edition?: number;
}

export interface ImportChunkMessage {
  kind: "import-chunk";
  importId: string;
  chunkIndex: number;
  addresses: string[];
  /** Send the double opt-in email instead of confirming. */
  optIn: boolean;
  /** Per address, the choices from the import's optional columns (null: the defaults). */
  preferences?: (Preferences | null)[];
}

export type SendQueueMessage = ConfirmationMessage | DigestBatchMessage | ImportChunkMessage;

export type SendQueue = Queue<SendQueueMessage>;
