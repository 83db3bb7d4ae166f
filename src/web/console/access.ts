// Optional: Cloudflare Access in front of the console. When ACCESS_TEAM_DOMAIN
// (https://<team>.cloudflareaccess.com) and ACCESS_AUD (the application's
// audience tag) are both set (read and checked in readConfig), a request carrying Access's signed JWT
// (Cf-Access-Jwt-Assertion) is signed in as that Access user, with no token
// login. The JWT is verified with jose against the team's published keys:
// signature, issuer, audience and expiry. Anything less is no session, and
// the sign-in form stays available for the admin token.
import { createRemoteJWKSet, jwtVerify } from "jose";
import type { AccessConfig } from "../../config";

// Keys are fetched once per isolate and team, and refreshed by jose when a token names an unknown key.
const keySets = new Map<string, ReturnType<typeof createRemoteJWKSet>>();

/** The Access user's identity (email, else subject) when the request carries a valid Access JWT; null otherwise. */
export async function verifyAccessRequest(access: AccessConfig, headers: Headers): Promise<string | null> {
  const token = headers.get("Cf-Access-Jwt-Assertion");
  if (!token || token.length > 8192) return null;
  let keys = keySets.get(access.teamDomain);
  if (!keys) {
    keys = createRemoteJWKSet(new URL(`${access.teamDomain}/cdn-cgi/access/certs`));
    keySets.set(access.teamDomain, keys);
  }
  try {
    const { payload } = await jwtVerify(token, keys, { issuer: access.teamDomain, audience: access.audience, algorithms: ["RS256"] });
    const identity = typeof payload.email === "string" ? payload.email : payload.sub;
    return identity ? identity : null;
  } catch {
    return null;
  }
}
