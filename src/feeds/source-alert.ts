// One alert email to ADMIN_EMAIL when a source becomes flagged, not one per
// run: the source remembers when it alerted, and forgets it on recovery.
import { createElement } from "react";
import { SourceAlertEmail, sourceAlertSubject } from "../../emails/source-alert";
import { sha256Hex } from "../lib/crypto";
import type { Mailer } from "../mail/mailer";
import { renderEmail } from "../mail/render";
import type { SourceState } from "./source-store";

export interface AlertOptions {
  mailer: Mailer;
  adminEmail: string;
  emailFrom: string;
  publicUrl: string;
}

export async function sendSourceAlert(options: AlertOptions, state: SourceState, reason: string): Promise<boolean> {
  const rendered = await renderEmail(
    createElement(SourceAlertEmail, {
      sourceUrl: state.url,
      reason,
      lastError: state.lastError ?? "unknown",
      failingSince: state.failingSince ?? "unknown",
      statusUrl: `${options.publicUrl}/admin/status`,
    }),
  );
  const result = await options.mailer.sendBatch(
    [
      {
        from: options.emailFrom,
        to: options.adminEmail,
        subject: sourceAlertSubject(state.url),
        html: rendered.html,
        text: rendered.text,
        tags: [{ name: "kind", value: "alert" }],
      },
    ],
    { idempotencyKey: `alert-${(await sha256Hex(state.url)).slice(0, 16)}-${state.failingSince}` },
  );
  return result.status === "sent" || result.status === "already-sent";
}
