import { describe, expect, it } from "vitest";
import { compareStreamIds, parseStreamId } from "./stream-id.ts";

describe("parseStreamId", () => {
  it("accepts `<ms>-<seq>` within 64 bits, in canonical form", () => {
    expect(parseStreamId("1764650000000-0")).toBe("1764650000000-0");
    expect(parseStreamId(" 0017-03 ")).toBe("17-3");
    expect(parseStreamId("18446744073709551615-18446744073709551615")).toBe(
      "18446744073709551615-18446744073709551615",
    );
  });

  it("refuses what Redis would reject or what no event carries", () => {
    for (const bad of [
      undefined,
      null,
      "",
      "99999999999999999999-0",
      "1-99999999999999999999",
      "18446744073709551616-0",
      "-1-0",
      "1--1",
      "1e5-0",
      "1.5-0",
      "abc",
      "42",
      "1-2-3",
      "９-0",
      `${"0".repeat(30)}1-0`,
      "9".repeat(10_000),
    ]) {
      expect(parseStreamId(bad), String(bad)).toBeNull();
    }
  });

  it("orders ids numerically, not as text", () => {
    expect(compareStreamIds("9-0", "10-0")).toBe(-1);
    expect(compareStreamIds("10-2", "10-10")).toBe(-1);
    expect(compareStreamIds("10-10", "10-10")).toBe(0);
  });
});
