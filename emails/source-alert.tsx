import { stringsFor } from "../src/i18n";
import { EmailFooter, type OperatorInfo } from "./components/email-footer";
import { EmailLayout } from "./components/email-layout";
import { darkClass, styles } from "./components/theme";

export interface SourceAlertEmailProps {
  sourceUrl: string;
  reason: string;
  lastError: string;
  failingSince: string;
  statusUrl: string;
  operator?: OperatorInfo;
}

export function sourceAlertSubject(sourceUrl: string): string {
  return `NATO Digest: a feed is failing (${new URL(sourceUrl).host})`;
}

// For the operator only: English.
export function SourceAlertEmail({ sourceUrl, reason, lastError, failingSince, statusUrl, operator }: SourceAlertEmailProps) {
  return (
    <EmailLayout lang="en" title="A feed is failing" preview={`A feed is failing: ${reason}`}>
      <h1 style={styles.heading} className={darkClass.text}>
        A feed is failing
      </h1>
      <p style={styles.text} className={darkClass.text}>
        {sourceUrl}
      </p>
      <p style={styles.text} className={darkClass.text}>
        {`${reason}. Failing since ${failingSince}. Last error: ${lastError}`}
      </p>
      <p style={styles.text} className={darkClass.text}>
        Digests go on with the other sources. If the feed moved, update FEED_URLS; if the site refuses this client (HTTP 403), it may be blocking automated
        requests. Details:{" "}
        <a href={statusUrl} style={styles.link} className={darkClass.link}>
          {statusUrl}
        </a>{" "}
        (admin token required).
      </p>
      <EmailFooter
        t={stringsFor("en")}
        operator={operator}
        reason="You get this because your address is ADMIN_EMAIL for this NATO Digest deployment. One alert per failure; the next comes only after the feed has recovered and failed again."
      />
    </EmailLayout>
  );
}

SourceAlertEmail.PreviewProps = {
  sourceUrl: "https://www.nato.int/cps/rss/en/natohq/rssFeed.xsl/rssFeed.xml",
  reason: "the site refuses this client (HTTP 403)",
  lastError: "FeedFetchError: HTTP 403 (the site refuses this client; NATO answers 403 to some bots)",
  failingSince: "2026-11-26T07:17:00.000Z",
  statusUrl: "https://digest.example.org/admin/status",
} satisfies SourceAlertEmailProps;

export default SourceAlertEmail;
