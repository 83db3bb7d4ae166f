// The reader-facing pages: sign-up, check your inbox, confirm, unsubscribe,
// and the clear pages shown for expired or forged links. No JavaScript is
// needed anywhere; Turnstile's script is added only when it is enabled.
import { html } from "hono/html";
import { page } from "./layout";

export function signupPage(options: { turnstileSiteKey: string | null; error?: string; email?: string }) {
  const describedBy = options.error ? "email-hint email-error" : "email-hint";
  return page({
    title: "Daily NATO news by email",
    head: options.turnstileSiteKey ? html`<script src="https://challenges.cloudflare.com/turnstile/v0/api.js" async defer></script>` : undefined,
    body: html`<h1>NATO's news and press releases, once a day</h1>
      <p>
        NATO Digest sends one email each morning with the news and press releases NATO published since the day before: the headline, the date and a short
        summary of each, linking to the full text on nato.int. No email on days without news.
      </p>
      <form method="post" action="/subscribe" novalidate>
        <label for="email">Your email address</label>
        <p id="email-hint" class="muted">We send a confirmation link first. Nothing else is sent until you click it.</p>
        ${options.error ? html`<p id="email-error" class="notice error" role="alert">${options.error}</p>` : ""}
        <input
          id="email"
          name="email"
          type="email"
          autocomplete="email"
          inputmode="email"
          required
          maxlength="254"
          aria-describedby="${describedBy}"
          ${options.error ? html`aria-invalid="true"` : ""}
          value="${options.email ?? ""}"
        />
        <div class="hp" aria-hidden="true">
          <label for="website">Leave this field empty</label>
          <input id="website" name="website" type="text" tabindex="-1" autocomplete="off" />
        </div>
        ${options.turnstileSiteKey ? html`<div class="cf-turnstile" data-sitekey="${options.turnstileSiteKey}"></div>` : ""}
        <button type="submit">Subscribe</button>
      </form>
      <p class="muted">Every email has a one-click unsubscribe link. Your address is used for the digest and nothing else.</p>`,
  });
}

export function checkInboxPage() {
  return page({
    title: "Check your inbox",
    body: html`<h1>Check your inbox</h1>
      <p class="notice" role="status">
        If the address can receive the digest, a confirmation email is on its way. Open it and press <strong>Confirm subscription</strong> to start receiving
        NATO Digest.
      </p>
      <p class="muted">Nothing arrived after a few minutes? Look in your spam folder, or <a href="/">try again</a>.</p>`,
  });
}

export function confirmPage(token: string) {
  return page({
    title: "Confirm your subscription",
    body: html`<h1>Confirm your subscription</h1>
      <p>Press the button to start receiving NATO Digest, one email a day.</p>
      <form method="post" action="/confirm">
        <input type="hidden" name="token" value="${token}" />
        <button type="submit">Confirm subscription</button>
      </form>`,
  });
}

export function confirmedPage() {
  return page({
    title: "Subscription confirmed",
    body: html`<h1>You're subscribed</h1>
      <p class="notice" role="status">Your subscription is confirmed. The next digest arrives the next morning NATO has published something new.</p>
      <p class="muted">Each digest has a link to unsubscribe with one click.</p>`,
  });
}

export function unsubscribePage(token: string) {
  return page({
    title: "Unsubscribe",
    body: html`<h1>Unsubscribe from NATO Digest</h1>
      <p>Press the button and you will receive no more digests.</p>
      <form method="post" action="/unsubscribe?token=${token}">
        <button type="submit">Unsubscribe</button>
      </form>`,
  });
}

export function unsubscribedPage() {
  return page({
    title: "Unsubscribed",
    body: html`<h1>You're unsubscribed</h1>
      <p class="notice" role="status">You will receive no more digests. Changed your mind? <a href="/">Subscribe again</a>.</p>`,
  });
}

const LINK_PROBLEMS: Record<string, { heading: string; text: string }> = {
  expired: { heading: "This link has expired", text: "Confirmation links work for 48 hours. Sign up again to get a fresh one." },
  unsubscribed: { heading: "This link is no longer valid", text: "This address was unsubscribed after the link was sent. Sign up again to get a fresh one." },
  suppressed: {
    heading: "We can't send to this address",
    text: "Mail to this address bounced or was reported as spam, so we stopped sending to it. Contact the operator to lift this.",
  },
  unknown: { heading: "This link is no longer valid", text: "We have no pending subscription for this link. Sign up again to get a fresh one." },
  invalid: { heading: "This link is not valid", text: "The link may have been cut short or changed. Copy the whole link from the email, or sign up again." },
};

export function linkProblemPage(reason: string) {
  const problem = LINK_PROBLEMS[reason] ?? LINK_PROBLEMS.invalid!;
  return page({
    title: problem.heading,
    body: html`<h1>${problem.heading}</h1>
      <p class="notice error" role="alert">${problem.text}</p>
      <p><a href="/">Go to the sign-up page</a></p>`,
  });
}

export function errorPage(status: number, message: string) {
  return page({
    title: status === 429 ? "Too many attempts" : "Something is not right",
    body: html`<h1>${status === 429 ? "Too many attempts" : "We could not do that"}</h1>
      <p class="notice error" role="alert">${message}</p>
      <p><a href="/">Back to the sign-up page</a></p>`,
  });
}

export function unsubscribeHelpPage() {
  return page({
    title: "Unsubscribe",
    body: html`<h1>Unsubscribe from NATO Digest</h1>
      <p>
        Every digest email ends with a personal <strong>Unsubscribe</strong> link: open it from the email you received and press the button. Your mail app's own
        "unsubscribe" button works too.
      </p>
      <p class="muted">This page cannot tell who you are, so it cannot unsubscribe you by itself.</p>`,
  });
}
