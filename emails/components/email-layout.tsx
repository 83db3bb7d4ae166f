import { Body, Head, Html, Preview } from "@react-email/components";
import type { ReactNode } from "react";
import type { Lang } from "../../src/i18n/lang";
import { darkClass, darkModeCss, styles } from "./theme";

export interface EmailLayoutProps {
  lang: Lang;
  /** The <title>: some clients and the web view show it; never empty. */
  title: string;
  /** The preheader: the line inboxes show after the subject. */
  preview: string;
  children: ReactNode;
}

/**
 * The shell every email shares: lang and title, light/dark colour schemes, the
 * card (a table whose padding sits on its cell, for Outlook), the preheader
 * first in the body.
 */
export function EmailLayout({ lang, title, preview, children }: EmailLayoutProps) {
  return (
    <Html lang={lang} dir="ltr">
      <Head>
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="color-scheme" content="light dark" />
        <meta name="supported-color-schemes" content="light dark" />
        <title>{title}</title>
        <style>{darkModeCss}</style>
      </Head>
      <Body style={styles.body} className={darkClass.body}>
        <Preview>{preview}</Preview>
        <table role="presentation" width="100%" cellPadding={0} cellSpacing={0} border={0} align="center" style={styles.card} className={darkClass.card}>
          <tbody>
            <tr>
              <td style={styles.cardCell} className={darkClass.cell}>
                {children}
              </td>
            </tr>
          </tbody>
        </table>
      </Body>
    </Html>
  );
}
