import { Button } from "@react-email/components";
import { stringsFor } from "../src/i18n";
import type { Cadence, Lang } from "../src/i18n/lang";
import { EmailFooter, type OperatorInfo } from "./components/email-footer";
import { EmailLayout } from "./components/email-layout";
import { darkClass, styles } from "./components/theme";

export interface ConfirmSubscriptionEmailProps {
  confirmUrl: string;
  /** How long the link works, in hours. */
  expiresInHours: number;
  lang?: Lang;
  cadence?: Cadence;
  /** The reader's preferences page (personal token), when the sender has it. */
  preferencesUrl?: string;
  operator?: OperatorInfo;
}

/** English subject, kept for callers that predate languages. */
export const confirmSubscriptionSubject = stringsFor("en").confirm.subject;

export function confirmSubscriptionSubjectFor(lang: Lang): string {
  return stringsFor(lang).confirm.subject;
}

export function ConfirmSubscriptionEmail({
  confirmUrl,
  expiresInHours,
  lang = "en",
  cadence = "daily",
  preferencesUrl,
  operator,
}: ConfirmSubscriptionEmailProps) {
  const t = stringsFor(lang);
  return (
    <EmailLayout lang={lang} title={t.confirm.subject} preview={t.confirm.preview(cadence)}>
      <h1 style={styles.heading} className={darkClass.text}>
        {t.confirm.heading}
      </h1>
      <p style={styles.text} className={darkClass.text}>
        {t.confirm.body(cadence)}
      </p>
      <table role="presentation" cellPadding={0} cellSpacing={0} border={0}>
        <tbody>
          <tr>
            <td style={{ padding: "6px 0 20px" }}>
              <Button href={confirmUrl} style={styles.button}>
                {t.confirm.button}
              </Button>
            </td>
          </tr>
        </tbody>
      </table>
      <p style={styles.muted} className={darkClass.muted}>
        {`${t.confirm.orOpen} `}
        <a href={confirmUrl} style={{ ...styles.link, wordBreak: "break-all" }} className={darkClass.link}>
          {confirmUrl}
        </a>
      </p>
      <p style={styles.text} className={darkClass.text}>
        {t.confirm.ignore(expiresInHours)}
      </p>
      {preferencesUrl ? (
        <p style={styles.text} className={darkClass.text}>
          {`${t.confirm.preferences} `}
          <a href={preferencesUrl} style={styles.link} className={darkClass.link}>
            {t.footer.managePreferences}
          </a>
        </p>
      ) : null}
      <EmailFooter t={t} reason={t.confirm.reason} operator={operator} />
    </EmailLayout>
  );
}

ConfirmSubscriptionEmail.PreviewProps = {
  confirmUrl: "https://digest.example.org/confirm?token=c.ExampleConfirmToken",
  expiresInHours: 48,
  lang: "en",
  cadence: "daily",
  preferencesUrl: "https://digest.example.org/preferences?token=p1.ExampleToken",
} satisfies ConfirmSubscriptionEmailProps;

export default ConfirmSubscriptionEmail;
