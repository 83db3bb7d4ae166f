import { Hr, Link, Section, Text } from "@react-email/components";
import { darkClass, styles } from "./theme";

export interface EmailFooterProps {
  reason: string;
  unsubscribeUrl?: string;
  viewInBrowserUrl?: string;
}

/** Why the reader gets this, and the way out. Every link is direct: no redirects, no tracking. */
export function EmailFooter({ reason, unsubscribeUrl, viewInBrowserUrl }: EmailFooterProps) {
  return (
    <Section>
      <Hr style={styles.hr} />
      <Text style={styles.muted} className={darkClass.muted}>
        {reason}
      </Text>
      {unsubscribeUrl || viewInBrowserUrl ? (
        <Text style={styles.muted} className={darkClass.muted}>
          {unsubscribeUrl ? (
            <Link href={unsubscribeUrl} style={styles.link} className={darkClass.link}>
              Unsubscribe
            </Link>
          ) : null}
          {unsubscribeUrl && viewInBrowserUrl ? " · " : null}
          {viewInBrowserUrl ? (
            <Link href={viewInBrowserUrl} style={styles.link} className={darkClass.link}>
              View in browser
            </Link>
          ) : null}
        </Text>
      ) : null}
      <Text style={styles.muted} className={darkClass.muted}>
        NATO Digest is an independent service, not affiliated with NATO.
      </Text>
    </Section>
  );
}
