import { stringsFor } from "../src/i18n";
import type { Lang } from "../src/i18n/lang";
import { EmailFooter, type OperatorInfo } from "./components/email-footer";
import { EmailLayout } from "./components/email-layout";
import { darkClass, styles } from "./components/theme";

export interface InboundHelpEmailProps {
  signupUrl: string;
  commandAddress: string;
  lang?: Lang;
  operator?: OperatorInfo;
}

/** English subject, kept for callers that predate languages. */
export const inboundHelpSubject = stringsFor("en").help.subject;

export function inboundHelpSubjectFor(lang: Lang): string {
  return stringsFor(lang).help.subject;
}

export function InboundHelpEmail({ signupUrl, commandAddress, lang = "en", operator }: InboundHelpEmailProps) {
  const t = stringsFor(lang);
  return (
    <EmailLayout lang={lang} title={t.help.subject} preview={t.help.preview}>
      <h1 style={styles.heading} className={darkClass.text}>
        {t.help.heading}
      </h1>
      <p style={styles.text} className={darkClass.text}>
        {t.help.intro}
      </p>
      <ul style={{ margin: "0 0 14px", padding: "0 0 0 20px" }}>
        {(
          [
            ["subscribe", t.help.subscribe],
            ["subscribe weekly", t.help.subscribeWeekly],
            ["unsubscribe", t.help.unsubscribe],
          ] as const
        ).map(([word, meaning]) => (
          <li key={word} style={{ ...styles.text, margin: "0 0 6px" }} className={darkClass.text}>
            <strong>{word}</strong>
            {`: ${meaning}`}
          </li>
        ))}
      </ul>
      <p style={styles.text} className={darkClass.text}>
        {`${t.help.writeTo} `}
        <a href={`mailto:${commandAddress}`} style={styles.link} className={darkClass.link}>
          {commandAddress}
        </a>
        {`${t.help.orSignup} `}
        <a href={signupUrl} style={styles.link} className={darkClass.link}>
          {signupUrl}
        </a>
      </p>
      <EmailFooter t={t} reason={t.help.reason} operator={operator} />
    </EmailLayout>
  );
}

InboundHelpEmail.PreviewProps = {
  signupUrl: "https://digest.example.org/",
  commandAddress: "digest@example.org",
  lang: "en",
} satisfies InboundHelpEmailProps;

export default InboundHelpEmail;
