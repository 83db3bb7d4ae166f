import { Heading, Link, Section, Text } from "@react-email/components";
import { EmailFooter } from "./components/email-footer";
import { EmailLayout } from "./components/email-layout";
import { colors, darkClass, styles } from "./components/theme";

export interface DigestRelease {
  id: string;
  title: string;
  link: string;
  /** Plain text; rendered as text, never as HTML. */
  summary: string;
  /** ISO 8601. */
  publishedAt: string;
}

export interface ReleaseDigestEmailProps {
  releases: DigestRelease[];
  unsubscribeUrl: string;
  viewInBrowserUrl: string;
  signupUrl: string;
}

/** Releases shown in full; the rest are listed by title. */
export const FULL_RELEASES = 30;

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const WEEKDAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

export function formatDay(iso: string): string {
  const date = new Date(iso);
  return `${date.getUTCDate()} ${MONTHS[date.getUTCMonth()]} ${date.getUTCFullYear()}`;
}

function formatDayHeading(iso: string): string {
  return `${WEEKDAYS[new Date(iso).getUTCDay()]} ${formatDay(iso)}`;
}

function formatTime(iso: string): string {
  const date = new Date(iso);
  return `${String(date.getUTCHours()).padStart(2, "0")}:${String(date.getUTCMinutes()).padStart(2, "0")} UTC`;
}

/** One line, no markup: "NATO digest: 3 new releases, 27 Nov 2026". */
export function buildDigestSubject(count: number, date: Date): string {
  return `NATO digest: ${count} new ${count === 1 ? "release" : "releases"}, ${formatDay(date.toISOString())}`;
}

export function buildPreheader(releases: DigestRelease[]): string {
  const titles = sortNewestFirst(releases)
    .slice(0, 3)
    .map((r) => r.title);
  const text = titles.join(" · ");
  return text.length > 140 ? `${text.slice(0, 139)}…` : text;
}

export function sortNewestFirst(releases: DigestRelease[]): DigestRelease[] {
  return [...releases].sort((a, b) => (a.publishedAt < b.publishedAt ? 1 : a.publishedAt > b.publishedAt ? -1 : a.title.localeCompare(b.title)));
}

function groupByDay(releases: DigestRelease[]): { day: string; releases: DigestRelease[] }[] {
  const groups: { day: string; releases: DigestRelease[] }[] = [];
  for (const release of releases) {
    const day = release.publishedAt.slice(0, 10);
    const last = groups[groups.length - 1];
    if (last && last.day === day) last.releases.push(release);
    else groups.push({ day, releases: [release] });
  }
  return groups;
}

const itemTitle = { fontSize: "17px", lineHeight: "1.35", fontWeight: 600, margin: "0 0 4px" } as const;
const dayHeading = {
  fontSize: "13px",
  letterSpacing: "0.06em",
  textTransform: "uppercase",
  color: colors.muted,
  margin: "24px 0 8px",
  fontWeight: 600,
} as const;

export function ReleaseDigestEmail({ releases, unsubscribeUrl, viewInBrowserUrl, signupUrl }: ReleaseDigestEmailProps) {
  const sorted = sortNewestFirst(releases);
  const full = sorted.slice(0, FULL_RELEASES);
  const more = sorted.slice(FULL_RELEASES);
  return (
    <EmailLayout preview={buildPreheader(releases)}>
      <Heading as="h1" style={styles.heading} className={darkClass.text}>
        {`NATO digest: ${releases.length} new ${releases.length === 1 ? "release" : "releases"}`}
      </Heading>
      <Text style={styles.muted} className={darkClass.muted}>
        News and press releases NATO published since the last digest, newest first.
      </Text>
      {groupByDay(full).map((group) => (
        <Section key={group.day}>
          <Heading as="h2" style={dayHeading} className={darkClass.muted}>
            {formatDayHeading(group.day)}
          </Heading>
          {group.releases.map((release) => (
            <Section key={release.id} style={{ margin: "0 0 18px" }}>
              <Heading as="h3" style={itemTitle} className={darkClass.text}>
                <Link href={release.link} style={{ ...styles.link, textDecoration: "none" }} className={darkClass.link}>
                  {release.title}
                </Link>
              </Heading>
              <Text style={{ ...styles.muted, margin: "0 0 4px" }} className={darkClass.muted}>
                {formatTime(release.publishedAt)}
              </Text>
              {release.summary ? (
                <Text style={{ ...styles.text, margin: 0 }} className={darkClass.text}>
                  {release.summary}
                </Text>
              ) : null}
            </Section>
          ))}
        </Section>
      ))}
      {more.length > 0 ? (
        <Section>
          <Heading as="h2" style={dayHeading} className={darkClass.muted}>
            {`${more.length} more ${more.length === 1 ? "release" : "releases"}`}
          </Heading>
          <ul style={{ margin: 0, paddingLeft: "20px" }}>
            {more.map((release) => (
              <li key={release.id} style={{ ...styles.text, margin: "0 0 6px" }} className={darkClass.text}>
                <Link href={release.link} style={styles.link} className={darkClass.link}>
                  {release.title}
                </Link>{" "}
                <span style={{ color: colors.muted, fontSize: "13px" }} className={darkClass.muted}>
                  {formatDay(release.publishedAt)}
                </span>
              </li>
            ))}
          </ul>
        </Section>
      ) : null}
      <EmailFooter
        reason="You get this email because you subscribed to NATO Digest and confirmed your address. It is sent on mornings after NATO publishes something new."
        unsubscribeUrl={unsubscribeUrl}
        viewInBrowserUrl={viewInBrowserUrl}
      />
      <Text style={styles.muted} className={darkClass.muted}>
        Forwarded this?{" "}
        <Link href={signupUrl} style={styles.link} className={darkClass.link}>
          Subscribe here
        </Link>
        .
      </Text>
    </EmailLayout>
  );
}

ReleaseDigestEmail.PreviewProps = {
  releases: [
    {
      id: "a1",
      title: "NATO Ministers Tackle Spending, Industry, Ukraine Aid",
      link: "https://www.nato.int/cps/en/natohq/news_232986.htm",
      summary:
        "Defence Ministers will meet in Brussels tomorrow (13 February 2025) to begin preparations for the NATO Summit in The Hague in June. Previewing the meeting today, NATO Secretary General Mark Rutte highlighted the ongoing progress in defence spending.",
      publishedAt: "2025-02-12T15:30:00.000Z",
    },
    {
      id: "a2",
      title: "NATO Secretary General to attend the Munich Security Conference",
      link: "https://www.nato.int/cps/en/natohq/news_232950.htm",
      summary:
        "On 14 and 15 February 2025, the NATO Secretary General, Mr Mark Rutte, will attend the Munich Security Conference (MSC), together with the Deputy Secretary General, Ms Radmila Shekerinska.",
      publishedAt: "2025-02-12T10:00:00.000Z",
    },
    {
      id: "a3",
      title: "NATO Secretary General meets the Prime Minister of Canada",
      link: "https://www.nato.int/cps/en/natohq/news_232931.htm",
      summary: "On Wednesday, 12 February 2025, the NATO Secretary General, Mr Mark Rutte, will receive the Prime Minister of Canada, Mr Justin Trudeau.",
      publishedAt: "2025-02-11T16:45:00.000Z",
    },
  ],
  unsubscribeUrl: "https://digest.example.org/unsubscribe?token=u.0123456789abcdef0123456789abcdef.signature",
  viewInBrowserUrl: "https://digest.example.org/digests/2025-02-13-abcdef0123",
  signupUrl: "https://digest.example.org/",
} satisfies ReleaseDigestEmailProps;

export default ReleaseDigestEmail;
