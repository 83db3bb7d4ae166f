// Every English word a reader sees: emails, text parts and public pages.
// fr.ts has the same shape (the Strings type below), so a missing
// translation is a type error, not a blank on a page.
import type { Cadence, Lang } from "./lang";

const plural = (n: number, one: string, many: string) => (n === 1 ? one : many);

export const en = {
  lang: "en" as Lang,
  serviceName: "NATO Digest",
  notAffiliated: "NATO Digest is an independent service, not affiliated with NATO.",
  runBy: (name: string) => `NATO Digest is run by ${name}.`,
  writeTo: "Write to",
  digest: {
    /** Second half of the subject: "Top release title + 11 more". */
    subjectMore: (n: number) => ` + ${n} more`,
    title: (cadence: Cadence): string => (cadence === "weekly" ? "NATO weekly digest" : "NATO digest"),
    heading: (cadence: Cadence, date: string): string => (cadence === "weekly" ? `NATO's week, to ${date}` : `NATO news, ${date}`),
    intro: (count: number, cadence: Cadence) =>
      cadence === "weekly"
        ? `${count} ${plural(count, "release", "releases")} from the past week, newest first.`
        : `${count} new ${plural(count, "release", "releases")} since the last digest, newest first.`,
    /** The intro of a digest with no new release, only the sections below (translations, revisions). */
    introFollowUps: "Releases you already had, now in your language or revised by NATO.",
    topics: (topics: string[]) => `Only releases about: ${topics.join(", ")}.`,
    inThisDigest: "In this digest",
    andMoreBelow: (n: number) => `and ${n} more below`,
    moreHeading: "More releases",
    andMore: (n: number) => `And ${n} more ${plural(n, "release", "releases")}:`,
    seeAll: "see them all in the web version",
    reason: (cadence: Cadence): string =>
      cadence === "weekly"
        ? "You get this email because you subscribed to NATO Digest's weekly edition and confirmed your address. It comes on Monday mornings when NATO published something that week."
        : "You get this email because you subscribed to NATO Digest and confirmed your address. It comes on mornings after NATO publishes something new.",
    forwarded: "Forwarded this?",
    subscribeHere: "Subscribe here",
    sourceFallback: "NATO",
    /** After a title NATO has not published in the reader's language. */
    inLanguage: (lang: Lang): string => (lang === "fr" ? "(in French)" : "(in English)"),
    /** A translation of a story the reader got in the other language. */
    nowInLanguage: (lang: Lang): string => (lang === "fr" ? "Now in French" : "Now in English"),
    updatedHeading: "Updated since we sent it",
    previously: (title: string) => `Previously: “${title}”`,
  },
  footer: {
    unsubscribe: "Unsubscribe",
    managePreferences: "Manage preferences",
    viewInBrowser: "View in browser",
  },
  confirm: {
    subject: "Confirm your NATO Digest subscription",
    preview: (cadence: Cadence): string =>
      cadence === "weekly"
        ? "One click to start your weekly digest of NATO news and press releases."
        : "One click to start your daily digest of NATO news and press releases.",
    heading: "Confirm your subscription",
    body: (cadence: Cadence): string =>
      `Someone, hopefully you, asked to receive NATO Digest at this address: ${cadence === "weekly" ? "one email a week" : "one email a day"} with NATO's new news and press releases.`,
    button: "Confirm subscription",
    orOpen: "Or open this link:",
    ignore: (hours: number) =>
      `If you did not ask for this, ignore this email: you will not be subscribed and will hear nothing more from us. The link works for ${hours} hours.`,
    reason: "You received this because this address was entered on the NATO Digest sign-up form or mailed to its subscribe address.",
    preferences: "Want it weekly, on some topics only, or in French? You can change that now or later:",
  },
  help: {
    subject: "How to use NATO Digest by email",
    preview: 'Send "subscribe" or "unsubscribe" to manage your NATO Digest subscription.',
    heading: "We could not tell what you wanted",
    intro: "This address understands these words, as the subject or the first line of your message:",
    subscribe: "we send you a link to confirm a daily digest of NATO's news and press releases.",
    subscribeWeekly: "the same, for a weekly digest.",
    unsubscribe: "we stop sending you the digest.",
    writeTo: "Write to",
    orSignup: ", or use the sign-up page:",
    reason: "You received this one reply because you wrote to the NATO Digest address. We answer at most once a day.",
  },
  pages: {
    backToSignup: "Back to the sign-up page",
    goToSignup: "Go to the sign-up page",
    otherLanguage: { label: "Français", href: "/?lang=fr", lang: "fr" as Lang },
    footer: "NATO Digest is an independent service that mails a summary of NATO's public news and press releases. It is not affiliated with NATO.",
    pastDigests: "Past digests",
    archive: {
      empty: "No digest has been sent yet.",
      atom: "Atom feed",
      subscribe: "Subscribe",
      feedTitle: "NATO Digest archive",
      releases: (n: number) => `${n} ${plural(n, "release", "releases")}`,
      otherLanguage: { label: "En français", href: "/digests?lang=fr", lang: "fr" as Lang },
    },
    signup: {
      title: "NATO news by email",
      heading: "NATO's news and press releases, by email",
      intro:
        "NATO Digest sends one email each morning with the news and press releases NATO published since the day before: the headline, the time and a short summary of each, linking to the full text on nato.int. No email on days without news.",
      emailLabel: "Your email address",
      emailHint: "We send a confirmation link first. Nothing else is sent until you click it.",
      options: "Options: how often, topics, language",
      optionsHint: "Leave these as they are for one email a day with everything NATO publishes.",
      cadenceLegend: "How often",
      daily: "Every morning with news (daily)",
      weekly: "Once a week, on Monday (weekly)",
      topicsLabel: "Only releases about these topics (optional)",
      topicsHint: "Up to 10 words, separated by commas. Example: cyber, Ukraine, space. Empty: everything.",
      langLegend: "Language of the emails",
      otherLanguageLegend: "News NATO has not published in your language",
      otherLanguageInclude: "Include it in the other language, marked as such",
      otherLanguageSkip: "Leave it out",
      sourcesLegend: "Feeds",
      sourcesHint: "Tick the feeds you want. None ticked: every feed in the language you chose.",
      submit: "Subscribe",
      honeypot: "Leave this field empty",
      privacy: "Every email has a one-click unsubscribe link and a link to change these choices. Your address is used for the digest and nothing else.",
      latestHeading: "What the latest digest said",
      latestNone: "No digest has been sent yet.",
      archive: "All past digests",
    },
    checkInbox: {
      title: "Check your inbox",
      notice: "If the address can receive the digest, a confirmation email is on its way. Open it and press",
      button: "Confirm subscription",
      notice2: "to start receiving NATO Digest.",
      spam: "Nothing arrived after a few minutes? Look in your spam folder, or",
      tryAgain: "try again",
    },
    confirm: {
      title: "Confirm your subscription",
      text: "Press the button to start receiving NATO Digest.",
      button: "Confirm subscription",
    },
    confirmed: {
      title: "Subscription confirmed",
      heading: "You're subscribed",
      notice: "Your subscription is confirmed. The next digest arrives the next morning NATO has published something new.",
      preferences: "Choose how often, which topics and which language:",
      unsubscribeNote: "Each digest has a link to unsubscribe with one click.",
    },
    unsubscribe: {
      title: "Unsubscribe",
      heading: "Unsubscribe from NATO Digest",
      text: "Press the button and you will receive no more digests.",
      button: "Unsubscribe",
      orPreferences: "Too many emails? You can get one a week instead, or only some topics:",
    },
    unsubscribed: {
      title: "Unsubscribed",
      heading: "You're unsubscribed",
      notice: "You will receive no more digests. Changed your mind?",
      again: "Subscribe again",
    },
    unsubscribeHelp: {
      text: 'Every digest email ends with a personal "Unsubscribe" link: open it from the email you received and press the button. Your mail app\'s own "unsubscribe" button works too.',
      muted: "This page cannot tell who you are, so it cannot unsubscribe you by itself.",
    },
    preferences: {
      title: "Your preferences",
      heading: "Your NATO Digest preferences",
      intro: "Choose what you get and how often. Changes apply from the next digest.",
      save: "Save preferences",
      saved: "Saved. The next digest follows these choices.",
      unsubscribeHeading: "Stop the emails",
      unsubscribeText: "No more digests at all:",
      unsubscribeButton: "Unsubscribe",
      noToken:
        'Every digest email has a personal "Manage preferences" link: open it from the email you received. This page cannot tell who you are without it.',
      help: "This page is for the reader whose email linked to it; the link stays valid, so keep it to yourself.",
    },
    linkProblems: {
      expired: { heading: "This link has expired", text: "Confirmation links work for 48 hours. Sign up again to get a fresh one." },
      unsubscribed: {
        heading: "This link is no longer valid",
        text: "This address was unsubscribed after the link was sent. Sign up again to get a fresh one.",
      },
      suppressed: {
        heading: "We can't send to this address",
        text: "Mail to this address bounced or was reported as spam, so we stopped sending to it. Contact the operator to lift this.",
      },
      unknown: { heading: "This link is no longer valid", text: "We have no pending subscription for this link. Sign up again to get a fresh one." },
      invalid: {
        heading: "This link is not valid",
        text: "The link may have been cut short or changed. Copy the whole link from the email, or sign up again.",
      },
    } as Record<"expired" | "unsubscribed" | "suppressed" | "unknown" | "invalid", { heading: string; text: string }>,
    error: { tooMany: "Too many attempts", generic: "Something is not right", heading: "We could not do that" },
    fieldErrors: {
      email: "Enter a valid email address, like name@example.org.",
      cadence: "Choose daily or weekly.",
      topics: "Topics: at most 10, each 2 to 40 characters, separated by commas.",
      lang: "Choose English or French.",
      sources: "Choose feeds from the list.",
    } as Record<string, string>,
    fixField: "Please correct this:",
    langNames: { en: "English", fr: "Français (French)" },
  },
};

export type Strings = typeof en;
