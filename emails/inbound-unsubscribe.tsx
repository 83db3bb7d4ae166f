import { Button, Heading, Link, Section, Text } from "@react-email/components";
import { stringsFor } from "../src/i18n";
import { EmailFooter } from "./components/email-footer";
import { EmailLayout } from "./components/email-layout";
import { darkClass, styles } from "./components/theme";

export interface InboundUnsubscribeEmailProps {
  /** The reader's unsubscribe page: a button there stops the digest. */
  unsubscribeUrl: string;
}

export const inboundUnsubscribeSubject = "Stop your NATO Digest subscription";

/** Answer to an "unsubscribe" mail whose sender could not be verified: the link does it, the mail alone did not. */
export function InboundUnsubscribeEmail({ unsubscribeUrl }: InboundUnsubscribeEmailProps) {
  return (
    <EmailLayout lang="en" title={inboundUnsubscribeSubject} preview="One click to stop NATO Digest at this address.">
      <Heading as="h1" style={styles.heading} className={darkClass.text}>
        Stop the digest at this address?
      </Heading>
      <Text style={styles.text} className={darkClass.text}>
        We received a message asking to unsubscribe this address, but we could not verify that it came from you, so nothing has changed yet.
      </Text>
      <Section style={{ margin: "20px 0" }}>
        <Button href={unsubscribeUrl} style={styles.button}>
          Unsubscribe
        </Button>
      </Section>
      <Text style={styles.muted} className={darkClass.muted}>
        Or open this link:{" "}
        <Link href={unsubscribeUrl} style={{ ...styles.link, wordBreak: "break-all" }} className={darkClass.link}>
          {unsubscribeUrl}
        </Link>
      </Text>
      <Text style={styles.text} className={darkClass.text}>
        If you did not ask for this, ignore this email: you stay subscribed.
      </Text>
      <EmailFooter
        t={stringsFor("en")}
        reason="You received this one reply because a message to the NATO Digest address named you as its sender. We answer at most once a day."
      />
    </EmailLayout>
  );
}

InboundUnsubscribeEmail.PreviewProps = {
  unsubscribeUrl: "https://digest.example.org/unsubscribe?token=p.example",
} satisfies InboundUnsubscribeEmailProps;

export default InboundUnsubscribeEmail;
