import { Fragment } from "react";
import { buildDigestModel, type DigestModel, type ShownRelease } from "./digest-model";
import { EmailFooter, type OperatorInfo } from "./components/email-footer";
import { EmailLayout } from "./components/email-layout";
import { colors, darkClass, fontFamily, styles } from "./components/theme";

export type { DigestRelease } from "./digest-model";

export interface ReleaseDigestEmailProps {
  model: DigestModel;
  unsubscribeUrl: string;
  preferencesUrl: string;
  viewInBrowserUrl: string;
  signupUrl: string;
  operator?: OperatorInfo;
}

/**
 * Where the template puts the reader's personal links: the footer's "Manage
 * preferences" and "Unsubscribe". src/digest/render-digest.ts checks a render
 * has exactly this many, so feed text can never create another.
 */
export const DIGEST_TOKEN_SLOTS = 2;

// Every style a reader needs is inline (Gmail's mobile web drops <style>);
// the classes only add dark mode.
const sectionHeading = {
  fontSize: "15px",
  lineHeight: "1.4",
  fontWeight: 700,
  color: colors.text,
  margin: "28px 0 12px",
  padding: "0 0 6px",
  borderBottom: `2px solid ${colors.rule}`,
  fontFamily,
} as const;
// Its own colour and dark class: the "(en anglais)" marker after the link is plain title text.
const itemTitle = { fontSize: "17px", lineHeight: "1.35", fontWeight: 600, color: colors.text, margin: "0 0 3px", fontFamily } as const;
const titleLink = { color: colors.accent, textDecoration: "underline", textUnderlineOffset: "2px" } as const;
const meta = { fontSize: "13px", lineHeight: "1.4", color: colors.muted, margin: "0 0 6px", fontFamily } as const;
const summary = { fontSize: "15px", lineHeight: "1.5", color: colors.text, margin: "0 0 22px", fontFamily } as const;
const list = { margin: "0 0 12px", padding: "0 0 0 20px" } as const;
const listItem = { fontSize: "15px", lineHeight: "1.45", color: colors.text, margin: "0 0 6px", fontFamily } as const;
// The headline list is a table of contents: compact, so the first story still shows early.
const headlineItem = { fontSize: "14px", lineHeight: "1.4", color: colors.text, margin: "0 0 4px", fontFamily } as const;

/** One release in full: its title (marked when in the other language), the "time · source" line, what it was called before, its summary. */
function FullRelease({ release }: { release: ShownRelease }) {
  return (
    <>
      <h3 style={itemTitle} className={darkClass.text}>
        <a href={release.link} style={titleLink} className={darkClass.link} lang={release.titleLang ?? undefined}>
          {release.title}
        </a>
        {release.marker ? ` ${release.marker}` : null}
      </h3>
      <p style={release.summary || release.previously ? meta : { ...meta, margin: "0 0 22px" }} className={darkClass.muted}>
        {release.meta}
      </p>
      {release.previously ? (
        <p style={release.summary ? meta : { ...meta, margin: "0 0 22px" }} className={darkClass.muted}>
          {release.previously}
        </p>
      ) : null}
      {release.summary ? (
        <p style={summary} className={darkClass.text} lang={release.titleLang ?? undefined}>
          {release.summary}
        </p>
      ) : null}
    </>
  );
}

export function ReleaseDigestEmail({ model, unsubscribeUrl, preferencesUrl, viewInBrowserUrl, signupUrl, operator }: ReleaseDigestEmailProps) {
  const { t } = model;
  return (
    <EmailLayout lang={model.lang} title={model.title} preview={model.preheader}>
      <h1 style={styles.heading} className={darkClass.text}>
        {model.heading}
      </h1>
      <p style={{ ...styles.muted, fontSize: "14px" }} className={darkClass.muted}>
        {model.intro}
        {model.topicsLine ? ` ${model.topicsLine}` : null}
      </p>
      {model.headlines.length > 0 ? (
        <>
          <h2 style={sectionHeading} className={`${darkClass.text} ${darkClass.hr}`}>
            {t.digest.inThisDigest}
          </h2>
          <ul style={list}>
            {model.headlines.map((headline, i) => (
              <li key={i} style={headlineItem} className={darkClass.text}>
                <a href={headline.link} style={styles.link} className={darkClass.link}>
                  {headline.title}
                </a>
              </li>
            ))}
          </ul>
          {model.headlinesMore > 0 ? (
            <p style={styles.muted} className={darkClass.muted}>
              {t.digest.andMoreBelow(model.headlinesMore)}
            </p>
          ) : null}
        </>
      ) : null}
      {model.days.map((day) => (
        <Fragment key={day.key}>
          <h2 style={sectionHeading} className={`${darkClass.text} ${darkClass.hr}`}>
            {day.label}
          </h2>
          {day.releases.map((release) => (
            <FullRelease key={release.id} release={release} />
          ))}
        </Fragment>
      ))}
      {model.sections.map((section) => (
        <Fragment key={section.key}>
          <h2 style={sectionHeading} className={`${darkClass.text} ${darkClass.hr}`}>
            {section.heading}
          </h2>
          {section.releases.map((release) => (
            <FullRelease key={release.id} release={release} />
          ))}
        </Fragment>
      ))}
      {model.titles.length > 0 ? (
        <>
          <h2 style={sectionHeading} className={`${darkClass.text} ${darkClass.hr}`}>
            {t.digest.moreHeading}
          </h2>
          <ul style={list}>
            {model.titles.map((release) => (
              <li key={release.id} style={listItem} className={darkClass.text}>
                <a href={release.link} style={styles.link} className={darkClass.link} lang={release.titleLang ?? undefined}>
                  {release.title}
                </a>
                {release.marker ? ` ${release.marker}` : null}
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {model.hidden > 0 ? (
        <p style={styles.text} className={darkClass.text}>
          {`${t.digest.andMore(model.hidden)} `}
          <a href={viewInBrowserUrl} style={styles.link} className={darkClass.link}>
            {t.digest.seeAll}
          </a>
          .
        </p>
      ) : null}
      <EmailFooter
        t={t}
        reason={t.digest.reason(model.cadence)}
        preferencesUrl={preferencesUrl}
        unsubscribeUrl={unsubscribeUrl}
        viewInBrowserUrl={viewInBrowserUrl}
        operator={operator}
      />
      <p style={styles.muted} className={darkClass.muted}>
        {`${t.digest.forwarded} `}
        <a href={signupUrl} style={styles.link} className={darkClass.link}>
          {t.digest.subscribeHere}
        </a>
        .
      </p>
    </EmailLayout>
  );
}

export const PREVIEW_RELEASES = [
  {
    id: "a1",
    title: "NATO Ministers Tackle Spending, Industry, Ukraine Aid",
    link: "https://www.nato.int/cps/en/natohq/news_232986.htm",
    summary:
      "Defence Ministers will meet in Brussels tomorrow (13 February 2025) to begin preparations for the NATO Summit in The Hague in June. Previewing the meeting today, NATO Secretary General Mark Rutte highlighted the ongoing progress in defence spending.",
    publishedAt: "2025-02-12T15:30:00.000Z",
    source: "NATO News",
  },
  {
    id: "a2",
    title: "NATO Secretary General to attend the Munich Security Conference",
    link: "https://www.nato.int/cps/en/natohq/news_232950.htm",
    summary:
      "On 14 and 15 February 2025, the NATO Secretary General, Mr Mark Rutte, will attend the Munich Security Conference (MSC), together with the Deputy Secretary General, Ms Radmila Shekerinska.",
    publishedAt: "2025-02-12T10:00:00.000Z",
    source: "NATO News",
  },
  {
    id: "a3",
    title: "NATO Secretary General meets the Prime Minister of Canada",
    link: "https://www.nato.int/cps/en/natohq/news_232931.htm",
    summary:
      "On Wednesday, 12 February 2025, the NATO Secretary General, Mr Mark Rutte, will receive the Prime Minister of Canada, Mr Justin Trudeau. Read more",
    publishedAt: "2025-02-11T16:45:00.000Z",
    source: "NATO News",
  },
];

ReleaseDigestEmail.PreviewProps = {
  model: buildDigestModel(PREVIEW_RELEASES, { lang: "en", cadence: "daily", date: new Date("2025-02-13T07:00:00Z"), topics: [] }),
  unsubscribeUrl: "https://digest.example.org/unsubscribe?token=p1.ExampleToken",
  preferencesUrl: "https://digest.example.org/preferences?token=p1.ExampleToken",
  viewInBrowserUrl: "https://digest.example.org/digests/2025-02-13-abcdef0123",
  signupUrl: "https://digest.example.org/",
  operator: { name: "Example Association", postalAddress: "1 Example Street, 1000 Brussels, Belgium", email: "digest@example.org" },
} satisfies ReleaseDigestEmailProps;

export default ReleaseDigestEmail;
