// Publication dates as feeds really write them: RFC 822/1123 (RSS), ISO 8601
// (Atom, JSON Feed) and NATO's own "12 Feb. 2025 15:30:00 GMT" (no weekday,
// a dot after the month), which is not RFC 822 and which Date.parse handles
// differently across engines, so every form is parsed explicitly here.

const MONTHS: Record<string, number> = {
  jan: 0,
  feb: 1,
  mar: 2,
  apr: 3,
  may: 4,
  jun: 5,
  jul: 6,
  aug: 7,
  sep: 8,
  oct: 9,
  nov: 10,
  dec: 11,
};

// Offsets in minutes for the zone names RFC 822 allows, plus common ones seen in feeds.
const ZONES: Record<string, number> = {
  GMT: 0,
  UT: 0,
  UTC: 0,
  Z: 0,
  EST: -300,
  EDT: -240,
  CST: -360,
  CDT: -300,
  MST: -420,
  MDT: -360,
  PST: -480,
  PDT: -420,
  CET: 60,
  CEST: 120,
  BST: 60,
  EET: 120,
  EEST: 180,
};

const DAY_MONTH_YEAR =
  /^(?:[A-Za-z]{2,9}\.?,?\s+)?(\d{1,2})(?:st|nd|rd|th)?[\s-]+([A-Za-z]{3,9})\.?,?[\s-]+(\d{2}|\d{4})(?:,?\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?\s*([A-Za-z]{1,5}|[+-]\d{2}:?\d{2})?$/;

const ISO_8601 = /^(\d{4})-(\d{2})-(\d{2})(?:[T\s](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?)?$/i;

function zoneOffsetMinutes(zone: string | undefined): number | null {
  if (!zone) return 0; // no zone: UTC is the only safe reading
  const named = ZONES[zone.toUpperCase()];
  if (named !== undefined) return named;
  const match = /^([+-])(\d{2}):?(\d{2})?$/.exec(zone);
  if (!match) return null;
  const minutes = Number(match[2]) * 60 + Number(match[3] ?? 0);
  if (minutes > 14 * 60) return null;
  return match[1] === "-" ? -minutes : minutes;
}

function build(year: number, month: number, day: number, hour: number, minute: number, second: number, offset: number, ms = 0): Date | null {
  if (month < 0 || month > 11 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return null;
  const time = Date.UTC(year, month, day, hour, minute, Math.min(second, 59), ms) - offset * 60_000;
  const date = new Date(time);
  // Reject rollovers such as 31 Feb.
  const check = new Date(Date.UTC(year, month, day));
  if (check.getUTCMonth() !== month) return null;
  return Number.isNaN(date.getTime()) ? null : date;
}

/** Parses a feed date; null when it is not a date any feed format allows. */
export function parseFeedDate(input: string | null | undefined): Date | null {
  if (!input) return null;
  const text = input.trim().replace(/\s+/g, " ");
  if (text === "" || text.length > 64) return null;

  const iso = ISO_8601.exec(text);
  if (iso) {
    const offset = zoneOffsetMinutes(iso[8]);
    if (offset === null) return null;
    const ms = iso[7] ? Number(iso[7].slice(0, 3).padEnd(3, "0")) : 0;
    return build(Number(iso[1]), Number(iso[2]) - 1, Number(iso[3]), Number(iso[4] ?? 0), Number(iso[5] ?? 0), Number(iso[6] ?? 0), offset, ms);
  }

  const dmy = DAY_MONTH_YEAR.exec(text);
  if (dmy) {
    const month = MONTHS[dmy[2]!.slice(0, 3).toLowerCase()];
    if (month === undefined) return null;
    const offset = zoneOffsetMinutes(dmy[7]);
    if (offset === null) return null;
    let year = Number(dmy[3]);
    if (dmy[3]!.length === 2) year += year < 50 ? 2000 : 1900;
    return build(year, month, Number(dmy[1]), Number(dmy[4] ?? 0), Number(dmy[5] ?? 0), Number(dmy[6] ?? 0), offset);
  }
  return null;
}
