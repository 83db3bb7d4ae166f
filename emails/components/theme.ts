// Shared look for every email: system fonts, high contrast, one accent.
// Everything essential is inline: Gmail's mobile web client drops <style>,
// so the stylesheet below only adds dark mode and small-screen niceties.
export const colors = {
  text: "#1b1f24",
  muted: "#4a5361",
  accent: "#0b4ea2",
  border: "#d5dbe3",
  rule: "#b9c2ce",
  background: "#f4f6f9",
  card: "#ffffff",
};

// Outlook for Windows falls back to Times when it does not know the first
// font of a stack it reads; "Segoe UI" comes first for it (and the mso-only
// stylesheet added by src/mail/render.ts repeats it with !important).
export const fontFamily = '"Segoe UI",-apple-system,BlinkMacSystemFont,Roboto,Helvetica,Arial,sans-serif';

export const styles = {
  body: { backgroundColor: colors.background, margin: 0, padding: "24px 8px", fontFamily },
  // Outlook drops padding set on a <table>: the card's padding is on its cell.
  card: { backgroundColor: colors.card, maxWidth: "600px", width: "100%", margin: "0 auto", borderRadius: "8px", border: `1px solid ${colors.border}` },
  cardCell: { padding: "28px 24px", fontFamily, color: colors.text },
  heading: { fontSize: "22px", lineHeight: "1.3", color: colors.text, margin: "0 0 12px", fontFamily },
  text: { fontSize: "16px", lineHeight: "1.55", color: colors.text, margin: "0 0 14px", fontFamily },
  muted: { fontSize: "13px", lineHeight: "1.5", color: colors.muted, margin: "0 0 8px", fontFamily },
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
    fontFamily,
  },
  hr: { border: 0, borderTop: `1px solid ${colors.rule}`, height: 0, margin: "24px 0" },
} as const;

/** Class names the dark-mode stylesheet targets (inline styles stay the light default). */
export const darkClass = {
  body: "email-body",
  card: "email-card",
  cell: "email-cell",
  text: "email-text",
  muted: "email-muted",
  link: "email-link",
  hr: "email-hr",
} as const;

// Dark mode for clients that honour it (Apple Mail, the Outlook apps); the
// light palette has enough contrast for the clients that do not. The rule
// under day headings and the footer <hr> get a dim colour, not a bright line.
export const darkModeCss = `
@media (prefers-color-scheme: dark) {
  .email-body, .email-body > table > tbody > tr > td { background-color: #12161c !important; }
  .email-card { background-color: #1b2129 !important; border-color: #3b4553 !important; }
  .email-text { color: #e8ecf1 !important; }
  .email-muted { color: #b6c0cc !important; }
  .email-link { color: #8cb8ff !important; }
  .email-hr { border-color: #3b4553 !important; }
}
@media only screen and (max-width: 600px) {
  .email-cell { padding: 20px 16px !important; }
}`;
