import { Body, Container, Head, Html, Preview } from "@react-email/components";
import type { ReactNode } from "react";
import { darkClass, darkModeCss, styles } from "./theme";

export interface EmailLayoutProps {
  /** The preheader: the line inboxes show after the subject. */
  preview: string;
  children: ReactNode;
}

/** The shell every email shares: light/dark colour schemes, the card, the preheader first in the body. */
export function EmailLayout({ preview, children }: EmailLayoutProps) {
  return (
    <Html lang="en">
      <Head>
        <meta name="color-scheme" content="light dark" />
        <meta name="supported-color-schemes" content="light dark" />
        <style>{darkModeCss}</style>
      </Head>
      <Body style={styles.body} className={darkClass.body}>
        <Preview>{preview}</Preview>
        <Container style={styles.container} className={darkClass.card}>
          {children}
        </Container>
      </Body>
    </Html>
  );
}
