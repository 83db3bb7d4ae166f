// Publication dates as feeds really write them: RFC 822/1123 (RSS), ISO 8601
// (Atom, JSON Feed), NATO's own "12 Feb. 2025 15:30:00 GMT" and its French
// edition's "12 févr. 2025" (no weekday, a dot after the month), month and
// day names in English, French, German, Spanish, Portuguese, Italian and
// Dutch ("Seg, 24 Set 2018 19:42:40 -0300"), month-first American forms
// ("Sat, Dec 16 2023 02:02:33 PM") and numeric "2020/1/10 14:33:00".
// Date.parse handles these differently across engines, so every form is
// parsed explicitly here. A time without a zone is read as UTC.

// Month names and abbreviations, lower case without accents or final dot.
const MONTH_NAMES: [number, string][] = [
  [0, "jan january janv janvier januar janner jaenner ene enero janeiro gen gennaio januari"],
  [1, "feb february fev fevr fevrier februar febrero fevereiro febbraio februari"],
  [2, "mar march mars marz maerz mrz marzo marco maart mrt"],
  [3, "apr april avr avril abr abril aprile"],
  [4, "may mai mayo maio mag maggio mei"],
  [5, "jun june juin juni junio junho giu giugno"],
  [6, "jul july juil juillet juli julio julho lug luglio"],
  [7, "aug august aou aout ago agosto augustus"],
  [8, "sep sept september septembre septiembre setiembre set setembro settembre"],
  [9, "oct october octobre okt oktober octubre out outubro ott ottobre"],
  [10, "nov november novembre noviembre novembro"],
  [11, "dec december decembre dez dezember dic diciembre dezembro dicembre"],
];
const MONTHS = new Map<string, number>();
for (const [month, names] of MONTH_NAMES) for (const name of names.split(" ")) MONTHS.set(name, month);

// Weekday names (ignored: the date says which day it is) and filler words ("12 de febrero de 2025").
const IGNORED_WORDS = new Set(
  (
    "mon monday tue tues tuesday wed wednesday thu thur thurs thursday fri friday sat saturday sun sunday " +
    "lun lundi mar mardi mer mercredi jeu jeudi ven vendredi sam samedi dim dimanche " +
    "mo montag di dienstag mi mittwoch do donnerstag fr freitag sa samstag so sonntag " +
    "lunes martes mie miercoles jue jueves vie viernes sab sabado dom domingo " +
    "seg segunda ter terca qua quarta qui quinta sex sexta feira " +
    "lunedi martedi mercoledi gio giovedi venerdi " +
    "ma maandag wo woensdag donderdag vr vrijdag za zaterdag zo zondag zon " +
    "de del of the le der den am um at a à en op"
  ).split(" "),
);

// Offsets in minutes for the zone names RFC 822 allows, plus common ones seen in feeds.
const ZONES: Record<string, number> = {
  GMT: 0,
  UT: 0,
  UTC: 0,
  Z: 0,
  WET: 0,
  EST: -300,
  EDT: -240,
  CST: -360,
  CDT: -300,
  MST: -420,
  MDT: -360,
  PST: -480,
  PDT: -420,
  AKST: -540,
  AKDT: -480,
  HST: -600,
  CET: 60,
  CEST: 120,
  MEZ: 60,
  MESZ: 120,
  BST: 60,
  IST: 330,
  WEST: 60,
  EET: 120,
  EEST: 180,
  MSK: 180,
  JST: 540,
  KST: 540,
  AEST: 600,
  AEDT: 660,
};

const DAY_MONTH_YEAR =
  /^(?:[A-Za-z]{2,9}\.?,?\s+)?(\d{1,2})(?:st|nd|rd|th)?[\s-]+([A-Za-z]{3,9})\.?,?[\s-]+(\d{2}|\d{4})(?:,?\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?\s*([A-Za-z]{1,5}|[+-]\d{2}:?\d{2})?$/;

const ISO_8601 = /^(\d{4})-(\d{2})-(\d{2})(?:[T\s](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?)?$/i;

function zoneOffsetMinutes(zone: string | undefined): number | null {
  if (!zone) return 0; // no zone: UTC is the only safe reading
  const named = ZONES[zone.toUpperCase()];
  if (named !== undefined) return named;
  const match = /^(?:GMT|UTC)?([+-])(\d{1,2}):?(\d{2})?$/i.exec(zone);
  if (!match) return null;
  const minutes = Number(match[2]) * 60 + Number(match[3] ?? 0);
  if (minutes > 14 * 60) return null;
  return match[1] === "-" ? -minutes : minutes;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function build(year: number, month: number, day: number, hour: number, minute: number, second: number, offset: number, ms = 0): Date | null {
  if (month < 0 || month > 11 || day < 1 || hour > 23 || minute > 59 || second > 60) return null;
  // Reject rollovers such as 31 Feb.
  const leap = month === 1 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  if (day > DAYS_IN_MONTH[month]! + (leap ? 1 : 0)) return null;
  const date = new Date(Date.UTC(year, month, day, hour, minute, Math.min(second, 59), ms) - offset * 60_000);
  return Number.isNaN(date.getTime()) ? null : date;
}

// NATO's and RFC 822's most common shapes, matched before any clean-up.
const COMMON = /^(?:[A-Z][a-z]{2}, )?(\d{1,2}) ([A-Z][a-z]{2})\.? (\d{4}) (\d{2}):(\d{2}):(\d{2}) (GMT|UTC|[+-]\d{4})$/;

function fullYear(text: string): number {
  const year = Number(text);
  return text.length === 2 ? year + (year < 50 ? 2000 : 1900) : year;
}

/** Parses a feed date; null when it is not a date any feed format allows. */
export function parseFeedDate(input: string | null | undefined): Date | null {
  if (!input) return null;
  const common = COMMON.exec(input);
  if (common) {
    const month = MONTHS.get(common[2]!.toLowerCase());
    const offset = zoneOffsetMinutes(common[7]);
    if (month !== undefined && offset !== null) {
      return build(Number(common[3]), month, Number(common[1]), Number(common[4]), Number(common[5]), Number(common[6]), offset);
    }
  }
  const text = input.trim().replace(/\s+/g, " ");
  if (text === "" || text.length > 64) return null;

  const iso = ISO_8601.exec(text);
  if (iso) {
    const offset = zoneOffsetMinutes(iso[8]);
    if (offset === null) return null;
    const ms = iso[7] ? Number(iso[7].slice(0, 3).padEnd(3, "0")) : 0;
    return build(Number(iso[1]), Number(iso[2]) - 1, Number(iso[3]), Number(iso[4] ?? 0), Number(iso[5] ?? 0), Number(iso[6] ?? 0), offset, ms);
  }

  // The common English forms (RFC 822, NATO's), on a fast path.
  const dmy = DAY_MONTH_YEAR.exec(text);
  if (dmy) {
    const month = MONTHS.get(dmy[2]!.toLowerCase()) ?? MONTHS.get(dmy[2]!.slice(0, 3).toLowerCase());
    if (month !== undefined) {
      const offset = zoneOffsetMinutes(dmy[7]);
      if (offset === null) return null;
      return build(fullYear(dmy[3]!), month, Number(dmy[1]), Number(dmy[4] ?? 0), Number(dmy[5] ?? 0), Number(dmy[6] ?? 0), offset);
    }
  }
  return parseLooseDate(text);
}

const TIME = /(?:^|[\sT,])(\d{1,2})[:h.](\d{2})(?:[:.](\d{2})(?:[.,]\d{1,9})?)?(?:\s*([ap])\.?\s?m\.?)?(?=$|[\s,+-]|[A-Za-z]{1,5}$)/i;
const ZONE_AFTER = /^\s*(?:\(?([A-Za-z]{1,5})\)?(?:\s|$)|((?:GMT|UTC)?[+-]\d{1,2}(?::?\d{2})?)(?:\s|$))/i;

/**
 * Dates in words or numbers, in any order a feed writes them: a time
 * (optionally a.m./p.m. and a zone after it), a month name in one of the
 * languages above or a numeric year/month/day, a day, a year. Unknown words
 * make it fail, so text that is not a date stays undated.
 */
function parseLooseDate(text: string): Date | null {
  let rest = text;
  let hour = 0;
  let minute = 0;
  let second = 0;
  let offset = 0;
  const time = TIME.exec(rest);
  if (time) {
    hour = Number(time[1]);
    minute = Number(time[2]);
    second = Number(time[3] ?? 0);
    if (time[4]) {
      if (hour < 1 || hour > 12) return null;
      hour = (hour % 12) + (time[4].toLowerCase() === "p" ? 12 : 0);
    }
    const after = rest.slice(time.index + time[0].length);
    const zone = ZONE_AFTER.exec(after);
    let tail = after;
    if (zone) {
      const zoneOffset = zoneOffsetMinutes(zone[1] ?? zone[2]);
      if (zoneOffset === null) return null;
      offset = zoneOffset;
      tail = after.slice(zone[0].length);
    }
    rest = `${rest.slice(0, time.index)} ${tail}`;
  }

  // Numeric dates: 2020/1/10, 2020.01.10, 10.01.2020 (day first, as Europe writes it with dots).
  const numeric = /(?:^|\s)(\d{4})[/.-](\d{1,2})[/.-](\d{1,2})(?=\s|$)|(?:^|\s)(\d{1,2})\.(\d{1,2})\.(\d{4})(?=\s|$)/.exec(rest);
  if (numeric) {
    const leftover = (rest.slice(0, numeric.index) + rest.slice(numeric.index + numeric[0].length)).trim();
    if (leftover !== "" && !leftover.split(/[\s,]+/).every((word) => IGNORED_WORDS.has(normaliseWord(word)))) return null;
    if (numeric[1]) return build(Number(numeric[1]), Number(numeric[2]) - 1, Number(numeric[3]), hour, minute, second, offset);
    return build(Number(numeric[6]), Number(numeric[5]) - 1, Number(numeric[4]), hour, minute, second, offset);
  }

  let month: number | undefined;
  let day: number | undefined;
  let year: number | undefined;
  for (const token of rest.split(/[\s,/-]+/)) {
    if (token === "") continue;
    const number = /^(\d{1,4})(?:\.|st|nd|rd|th|er|º|°)?$/i.exec(token);
    if (number) {
      const digits = number[1]!;
      if (digits.length === 4) {
        if (year !== undefined) return null;
        year = Number(digits);
      } else if (day === undefined && digits.length <= 2) day = Number(digits);
      else if (year === undefined && digits.length === 2) year = fullYear(digits);
      else return null;
      continue;
    }
    const word = normaliseWord(token);
    const asMonth = MONTHS.get(word);
    if (
      asMonth !== undefined &&
      month === undefined &&
      !(IGNORED_WORDS.has(word) && day === undefined && year === undefined && isWeekdayPosition(rest, token))
    ) {
      month = asMonth;
      continue;
    }
    if (IGNORED_WORDS.has(word)) continue;
    return null;
  }
  if (month === undefined || day === undefined || year === undefined) return null;
  return build(year, month, day, hour, minute, second, offset);
}

/** "mar" is March in Spanish and Tuesday in French: a weekday only when it leads and a month name follows. */
function isWeekdayPosition(text: string, token: string): boolean {
  if (!text.trimStart().startsWith(token)) return false;
  const after = text.trimStart().slice(token.length);
  return after.split(/[\s,/-]+/).some((word) => MONTHS.has(normaliseWord(word)));
}

function normaliseWord(word: string): string {
  return word
    .toLowerCase()
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/\.+$/, "");
}
