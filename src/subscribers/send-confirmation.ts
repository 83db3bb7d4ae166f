// Sends one confirmation email, from a queue message. Building the email is
// pure (buildConfirmationEmail); sending goes through the Mailer. The token's
// clock is the sign-up time carried by the message, so a retry produces the
// same email and the idempotency key makes it harmless.
import { createElement } from "react";
import { ConfirmSubscriptionEmail, confirmSubscriptionSubjectFor } from "../../emails/confirm-subscription";
import type { OperatorInfo } from "../../emails/components/email-footer";
import type { BatchResult, Mailer, OutgoingEmail } from "../mail/mailer";
import { renderEmail } from "../mail/render";
import type { ConfirmationMessage } from "../queue-messages";
import { preferencesOf, type Cadence, type Lang } from "./preferences";
import { getSubscriber } from "./subscriber-store";
import { CONFIRM_TOKEN_TTL_SECONDS, createConfirmToken, createToken } from "./tokens";

export interface ConfirmationDeps {
  kv: KVNamespace;
  mailer: Mailer;
  signingSecret: string;
  publicUrl: string;
  emailFrom: string;
  /** Who runs the service, for the footer. */
  operator?: OperatorInfo;
}

export async function buildConfirmationEmail(options: {
  to: string;
  confirmUrl: string;
  from: string;
  lang?: Lang;
  cadence?: Cadence;
  operator?: OperatorInfo;
}): Promise<OutgoingEmail> {
  const lang = options.lang ?? "en";
  const rendered = await renderEmail(
    createElement(ConfirmSubscriptionEmail, {
      confirmUrl: options.confirmUrl,
      expiresInHours: CONFIRM_TOKEN_TTL_SECONDS / 3600,
      lang,
      cadence: options.cadence ?? "daily",
      operator: options.operator,
    }),
  );
  return {
    from: options.from,
    to: options.to,
    subject: confirmSubscriptionSubjectFor(lang),
    html: rendered.html,
    text: rendered.text,
    tags: [{ name: "kind", value: "confirmation" }],
  };
}

export type ConfirmationOutcome = { status: "skipped"; reason: string } | BatchResult;

export async function sendConfirmation(deps: ConfirmationDeps, message: ConfirmationMessage): Promise<ConfirmationOutcome> {
  const subscriber = await getSubscriber(deps.kv, message.subscriberId);
  if (!subscriber) return { status: "skipped", reason: "subscriber no longer exists" };
  if (subscriber.status !== "unconfirmed") return { status: "skipped", reason: `subscriber is ${subscriber.status}` };
  const requestedAt = new Date(message.requestedAt);
  // Bound to this sign-up by its nonce; a pending sign-up from before nonces existed keeps the old format.
  const token = subscriber.signupNonce
    ? createConfirmToken(deps.signingSecret, subscriber.id, subscriber.signupNonce, requestedAt)
    : await createToken(deps.signingSecret, "confirm", subscriber.id, requestedAt);
  // In the language and for the cadence the reader chose.
  const { lang, cadence } = preferencesOf(subscriber);
  const email = await buildConfirmationEmail({
    to: subscriber.email,
    from: deps.emailFrom,
    confirmUrl: `${deps.publicUrl}/confirm?token=${token}`,
    lang,
    cadence,
    operator: deps.operator,
  });
  return deps.mailer.sendBatch([email], { idempotencyKey: `confirm-${subscriber.id}-${requestedAt.getTime()}` });
}
