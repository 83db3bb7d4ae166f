// A console user inside workerd: signs in, keeps the session cookie, reads
// the CSRF token from each page and posts forms from the console's own
// origin, as a browser would. The worker runs with its real bindings plus a
// console-strength ADMIN_TOKEN (the shared test token is too short for the
// console, which is itself a tested rule).
import { call as callWorker, ORIGIN, randomIp } from "./worker";

export { ORIGIN };
export const CONSOLE_TOKEN = "console-test-admin-token-0123456789abcdef";

/** call() with the console-strength ADMIN_TOKEN (overrides may replace it). */
export function call(path: string, init: RequestInit = {}, overrides: Record<string, string | undefined> = {}): Promise<Response> {
  return callWorker(path, { redirect: "manual", ...init }, { ADMIN_TOKEN: CONSOLE_TOKEN, ...overrides });
}

export function form(fields: Record<string, string>): { body: string; headers: Record<string, string> } {
  return { body: new URLSearchParams(fields).toString(), headers: { "Content-Type": "application/x-www-form-urlencoded" } };
}

export function csrfIn(page: string): string {
  const match = /name="csrf" value="([^"]+)"/.exec(page);
  if (!match) throw new Error(`no CSRF field in: ${page.slice(0, 300)}`);
  return match[1]!;
}

export class ConsoleClient {
  cookie = "";
  csrf = "";
  readonly ip = randomIp();

  constructor(readonly overrides: Record<string, string | undefined> = {}) {}

  async signIn(token = CONSOLE_TOKEN): Promise<Response> {
    const { body, headers } = form({ token });
    const response = await call(
      "/console/login",
      { method: "POST", body, headers: { ...headers, Origin: ORIGIN, "CF-Connecting-IP": this.ip } },
      this.overrides,
    );
    const setCookie = response.headers.get("Set-Cookie");
    if (response.status === 303 && setCookie) {
      this.cookie = setCookie.split(";")[0]!;
      await this.get("/console");
    }
    return response;
  }

  async get(path: string, headers: Record<string, string> = {}): Promise<Response> {
    const response = await call(path, { headers: { Cookie: this.cookie, ...headers } }, this.overrides);
    if ((response.headers.get("Content-Type") ?? "").startsWith("text/html")) {
      const text = await response.clone().text();
      const match = /name="csrf" value="([^"]+)"/.exec(text);
      if (match) this.csrf = match[1]!;
    }
    return response;
  }

  async page(path: string): Promise<string> {
    const response = await this.get(path);
    if (response.status !== 200) throw new Error(`GET ${path} answered ${response.status}`);
    return response.text();
  }

  async post(path: string, fields: Record<string, string> = {}, headers: Record<string, string> = {}): Promise<Response> {
    const encoded = form({ csrf: this.csrf, ...fields });
    return call(path, { method: "POST", body: encoded.body, headers: { ...encoded.headers, Cookie: this.cookie, Origin: ORIGIN, ...headers } }, this.overrides);
  }

  async postMultipart(path: string, data: FormData): Promise<Response> {
    data.set("csrf", this.csrf);
    return call(path, { method: "POST", body: data, headers: { Cookie: this.cookie, Origin: ORIGIN } }, this.overrides);
  }
}
