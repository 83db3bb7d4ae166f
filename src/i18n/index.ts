// One entry for the languages: the strings of a language, its dates, and how
// a request picks one. Leaf module: it imports nothing else from src/.
import { en, type Strings } from "./en";
import { fr } from "./fr";
import type { Lang } from "./lang";

export { formatDayDate, formatLongDate, formatShortDate, formatTime } from "./dates";
export { isLang, langFromAcceptLanguage, LANGS, type Cadence, type Lang } from "./lang";
export type { Strings };

const STRINGS: Record<Lang, Strings> = { en, fr };

export function stringsFor(lang: Lang): Strings {
  return STRINGS[lang] ?? en;
}
