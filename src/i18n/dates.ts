// Dates in each language, written out by hand rather than with Intl: the
// output is the same in workerd, Node and every test, whatever ICU data the
// runtime ships. All dates are UTC, like the digest schedule.
import type { Lang } from "./lang";

const NAMES: Record<Lang, { weekdays: string[]; months: string[]; shortMonths: string[] }> = {
  en: {
    weekdays: ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"],
    months: ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"],
    shortMonths: ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"],
  },
  fr: {
    weekdays: ["dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"],
    months: ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"],
    shortMonths: ["janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."],
  },
};

function toDate(value: Date | string): Date {
  return typeof value === "string" ? new Date(value) : value;
}

/** "12 Feb 2025" / "12 févr. 2025". */
export function formatShortDate(lang: Lang, value: Date | string): string {
  const date = toDate(value);
  const day = lang === "fr" && date.getUTCDate() === 1 ? "1er" : String(date.getUTCDate());
  return `${day} ${NAMES[lang].shortMonths[date.getUTCMonth()]} ${date.getUTCFullYear()}`;
}

/** "12 February 2025" / "12 février 2025". */
export function formatLongDate(lang: Lang, value: Date | string): string {
  const date = toDate(value);
  const day = lang === "fr" && date.getUTCDate() === 1 ? "1er" : String(date.getUTCDate());
  return `${day} ${NAMES[lang].months[date.getUTCMonth()]} ${date.getUTCFullYear()}`;
}

/** "Wednesday 12 February 2025" / "mercredi 12 février 2025". */
export function formatDayDate(lang: Lang, value: Date | string): string {
  return `${NAMES[lang].weekdays[toDate(value).getUTCDay()]} ${formatLongDate(lang, value)}`;
}

/** "15:30 UTC" in both languages (French writes 15:30 too in a timetable). */
export function formatTime(value: Date | string): string {
  const date = toDate(value);
  return `${String(date.getUTCHours()).padStart(2, "0")}:${String(date.getUTCMinutes()).padStart(2, "0")} UTC`;
}
