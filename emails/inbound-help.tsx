import { Heading, Link, Text } from "@react-email/components";
import { EmailFooter } from "./components/email-footer";
import { EmailLayout } from "./components/email-layout";
import { darkClass, styles } from "./components/theme";

export interface InboundHelpEmailProps {
  signupUrl: string;
  commandAddress: string;
}

export const inboundHelpSubject = "How to use NATO Digest by email";

export function InboundHelpEmail({ signupUrl, commandAddress }: InboundHelpEmailProps) {
  return (
    <EmailLayout preview={`Send "subscribe" or "unsubscribe" to manage your NATO Digest subscription.`}>
      <Heading as="h1" style={styles.heading} className={darkClass.text}>
        We could not tell what you wanted
      </Heading>
      <Text style={styles.text} className={darkClass.text}>
        This address understands two words, as the subject or the first line of your message:
      </Text>
      <Text style={styles.text} className={darkClass.text}>
        <strong>subscribe</strong>: we send you a link to confirm a daily digest of NATO's news and press releases.
        <br />
        <strong>unsubscribe</strong>: we stop sending you the digest, at once.
      </Text>
      <Text style={styles.text} className={darkClass.text}>
        Write to{" "}
        <Link href={`mailto:${commandAddress}`} style={styles.link} className={darkClass.link}>
          {commandAddress}
        </Link>
        , or use the sign-up page:{" "}
        <Link href={signupUrl} style={styles.link} className={darkClass.link}>
          {signupUrl}
        </Link>
      </Text>
      <EmailFooter reason="You received this one reply because you wrote to the NATO Digest address. We answer at most once a day." />
    </EmailLayout>
  );
}

InboundHelpEmail.PreviewProps = {
  signupUrl: "https://digest.example.org/",
  commandAddress: "digest@example.org",
} satisfies InboundHelpEmailProps;

export default InboundHelpEmail;
