// The per-client sign-up limit's key: IPv4 as is, IPv6 on its /64, every spelling of an address as one.
import { describe, expect, it } from "vitest";
import { buildClientKey } from "../../../src/web/public/client-key";

describe("buildClientKey", () => {
  it.each([
    ["2001:db8:aa:bb::1", "2001:db8:aa:bb::/64"],
    ["2001:0DB8:00AA:00BB:ffff:ffff:ffff:ffff", "2001:db8:aa:bb::/64"],
    ["[2001:db8:aa:bb:0:0:0:7]", "2001:db8:aa:bb::/64"],
    ["fe80::1%eth0", "fe80:0:0:0::/64"],
    ["::ffff:192.0.2.1", "192.0.2.1"],
    ["::ffff:c000:201", "192.0.2.1"],
    ["192.0.2.1", "192.0.2.1"],
    ["::1", "0:0:0:0::/64"],
    ["1:2:3:4:5:6:7:8:9", "unknown"],
    ["2001:db8::1::2", "unknown"],
    ["300.1.1.1", "unknown"],
    ["", "unknown"],
  ])("keys %s as %s", (ip, key) => {
    expect(buildClientKey(ip)).toBe(key);
  });
});
