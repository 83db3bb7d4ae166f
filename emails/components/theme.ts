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
  container: { backgroundColor: colors.card, maxWidth: "600px", margin: "0 auto", padding: "28px 24px", borderRadius: "8px", border: `1px solid ${colors.border}` },
  heading: { fontSize: "22px", lineHeight: "1.3", color: colors.text, margin: "0 0 16px" },
  text: { fontSize: "16px", lineHeight: "1.55", color: colors.text, margin: "0 0 14px" },
  muted: { fontSize: "13px", lineHeight: "1.5", color: colors.muted, margin: "0 0 8px" },
  link: { color: colors.accent, textDecoration: "underline" },
  button: { backgroundColor: colors.accent, color: "#ffffff", fontSize: "16px", fontWeight: 600, padding: "12px 22px", borderRadius: "6px", textDecoration: "none", display: "inline-block" },
  hr: { borderColor: colors.border, margin: "24px 0" },
} as const;
