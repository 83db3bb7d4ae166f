import type { Strings } from "../../src/i18n/en";
import { darkClass, styles } from "./theme";

/** Who runs the service and how to reach them; each part shown only when configured. */
export interface OperatorInfo {
  name?: string | null;
  postalAddress?: string | null;
  /** An address that reaches the operator (the inbound address when set). */
  email?: string | null;
}

export interface EmailFooterProps {
  t: Strings;
  reason: string;
  unsubscribeUrl?: string;
  preferencesUrl?: string;
  viewInBrowserUrl?: string;
  operator?: OperatorInfo;
}

/** Why the reader gets this, and the ways out. Every link is direct: no redirects, no tracking. */
export function EmailFooter({ t, reason, unsubscribeUrl, preferencesUrl, viewInBrowserUrl, operator }: EmailFooterProps) {
  const links = [
    preferencesUrl ? { href: preferencesUrl, label: t.footer.managePreferences } : null,
    unsubscribeUrl ? { href: unsubscribeUrl, label: t.footer.unsubscribe } : null,
    viewInBrowserUrl ? { href: viewInBrowserUrl, label: t.footer.viewInBrowser } : null,
  ].filter((link) => link !== null);
  return (
    <>
      <hr style={styles.hr} className={darkClass.hr} />
      <p style={styles.muted} className={darkClass.muted}>
        {reason}
      </p>
      {links.length > 0 ? (
        <p style={{ ...styles.muted, fontSize: "14px" }} className={darkClass.muted}>
          {links.map((link, i) => (
            <span key={link.label}>
              {i > 0 ? " · " : null}
              <a href={link.href} style={{ ...styles.link, whiteSpace: "nowrap" }} className={darkClass.link}>
                {link.label}
              </a>
            </span>
          ))}
        </p>
      ) : null}
      {operator?.name || operator?.postalAddress || operator?.email ? (
        <p style={styles.muted} className={darkClass.muted}>
          {operator.name ? `${t.runBy(operator.name)} ` : null}
          {operator.postalAddress ? `${operator.postalAddress}. ` : null}
          {operator.email ? (
            <>
              {`${t.writeTo} `}
              <a href={`mailto:${operator.email}`} style={styles.link} className={darkClass.link}>
                {operator.email}
              </a>
            </>
          ) : null}
        </p>
      ) : null}
      <p style={styles.muted} className={darkClass.muted}>
        {t.notAffiliated}
      </p>
    </>
  );
}
