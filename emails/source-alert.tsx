import { Heading, Link, Text } from "@react-email/components";
import { EmailFooter } from "./components/email-footer";
import { EmailLayout } from "./components/email-layout";
import { darkClass, styles } from "./components/theme";

export interface SourceAlertEmailProps {
  sourceUrl: string;
  reason: string;
  lastError: string;
  failingSince: string;
  statusUrl: string;
}

export function sourceAlertSubject(sourceUrl: string): string {
  return `NATO Digest: a feed is failing (${new URL(sourceUrl).host})`;
}

export function SourceAlertEmail({ sourceUrl, reason, lastError, failingSince, statusUrl }: SourceAlertEmailProps) {
  return (
    <EmailLayout preview={`A feed is failing: ${reason}`}>
      <Heading as="h1" style={styles.heading} className={darkClass.text}>
        A feed is failing
      </Heading>
      <Text style={styles.text} className={darkClass.text}>
        {sourceUrl}
      </Text>
      <Text style={styles.text} className={darkClass.text}>
        {`${reason}. Failing since ${failingSince}. Last error: ${lastError}`}
      </Text>
      <Text style={styles.text} className={darkClass.text}>
        Digests go on with the other sources. If the feed moved, update FEED_URLS; if the site refuses this client (HTTP 403), it may be blocking automated
        requests. Details:{" "}
        <Link href={statusUrl} style={styles.link} className={darkClass.link}>
          {statusUrl}
        </Link>{" "}
        (admin token required).
      </Text>
      <EmailFooter reason="You get this because your address is ADMIN_EMAIL for this NATO Digest deployment. One alert per failure; the next comes only after the feed has recovered and failed again." />
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
