// Shared look for every email: system fonts, high contrast, one accent.
// Inline styles only, as email clients require.
export const colors = {
  text: "#1b1f24",
  muted: "#4a5361",
  accent: "#0b4ea2",
  border: "#d5dbe3",
  background: "#f4f6f9",
  card: "#ffffff",
};

export const fontFamily = '-apple-system, BlinkMacSystemFont, "Segoe UI", Roboto, Helvetica, Arial, sans-serif';

export const styles = {
  body: { backgroundColor: colors.background, fontFamily, margin: 0, padding: "24px 0" },
  container: {
    backgroundColor: colors.card,
    maxWidth: "600px",
    margin: "0 auto",
    padding: "28px 24px",
    borderRadius: "8px",
    border: `1px solid ${colors.border}`,
  },
  heading: { fontSize: "22px", lineHeight: "1.3", color: colors.text, margin: "0 0 16px" },
  text: { fontSize: "16px", lineHeight: "1.55", color: colors.text, margin: "0 0 14px" },
  muted: { fontSize: "13px", lineHeight: "1.5", color: colors.muted, margin: "0 0 8px" },
  link: { color: colors.accent, textDecoration: "underline" },
  button: {
    backgroundColor: colors.accent,
    color: "#ffffff",
    fontSize: "16px",
    fontWeight: 600,
    padding: "12px 22px",
    borderRadius: "6px",
    textDecoration: "none",
    display: "inline-block",
  },
  hr: { borderColor: colors.border, margin: "24px 0" },
} as const;

/** Class names the dark-mode stylesheet targets (inline styles stay the light default). */
export const darkClass = { body: "email-body", card: "email-card", text: "email-text", muted: "email-muted", link: "email-link" } as const;

// Dark mode for clients that honour it (Apple Mail, the Outlook apps); the
// light palette has enough contrast for the clients that do not.
// React Email paints the body colour on an inner cell, hence the td rule.
export const darkModeCss = `
@media (prefers-color-scheme: dark) {
  .email-body, .email-body > table > tbody > tr > td { background-color: #12161c !important; }
  .email-card { background-color: #1b2129 !important; border-color: #3b4553 !important; }
  .email-text { color: #e8ecf1 !important; }
  .email-muted { color: #b6c0cc !important; }
  .email-link { color: #8cb8ff !important; }
}
@media only screen and (max-width: 600px) {
  .email-card { padding: 20px 16px !important; border-radius: 0 !important; }
}`;
