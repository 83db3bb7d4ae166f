import { Button, Heading, Link, Section, Text } from "@react-email/components";
import { EmailFooter } from "./components/email-footer";
import { EmailLayout } from "./components/email-layout";
import { darkClass, styles } from "./components/theme";

export interface ConfirmSubscriptionEmailProps {
  confirmUrl: string;
  /** How long the link works, in hours. */
  expiresInHours: number;
}

export const confirmSubscriptionSubject = "Confirm your NATO Digest subscription";

export function ConfirmSubscriptionEmail({ confirmUrl, expiresInHours }: ConfirmSubscriptionEmailProps) {
  return (
    <EmailLayout preview="One click to start your daily digest of NATO news and press releases.">
      <Heading as="h1" style={styles.heading} className={darkClass.text}>
        Confirm your subscription
      </Heading>
      <Text style={styles.text} className={darkClass.text}>
        Someone, hopefully you, asked to receive NATO Digest at this address: one email a day with NATO's new news and press releases.
      </Text>
      <Section style={{ margin: "20px 0" }}>
        <Button href={confirmUrl} style={styles.button}>
          Confirm subscription
        </Button>
      </Section>
      <Text style={styles.muted} className={darkClass.muted}>
        Or open this link:{" "}
        <Link href={confirmUrl} style={{ ...styles.link, wordBreak: "break-all" }} className={darkClass.link}>
          {confirmUrl}
        </Link>
      </Text>
      <Text style={styles.text} className={darkClass.text}>
        If you did not ask for this, ignore this email: you will not be subscribed and will hear nothing more from us. The link works for {expiresInHours}{" "}
        hours.
      </Text>
      <EmailFooter reason="You received this because this address was entered on the NATO Digest sign-up form or mailed to its subscribe address." />
    </EmailLayout>
  );
}

ConfirmSubscriptionEmail.PreviewProps = {
  confirmUrl: "https://digest.example.org/confirm?token=c.0123456789abcdef0123456789abcdef.1767225600.signature",
  expiresInHours: 48,
} satisfies ConfirmSubscriptionEmailProps;

export default ConfirmSubscriptionEmail;
