import { describe, expect, it } from "vitest";
import { compareEventIds, parseEventId } from "./event-ids.ts";

describe("parseEventId", () => {
  it("accepts `<ms>-<seq>` within 64 bits, in canonical form", () => {
    expect(parseEventId("1764650000000-0")).toBe("1764650000000-0");
    expect(parseEventId(" 0017-03 ")).toBe("17-3");
    expect(parseEventId("18446744073709551615-18446744073709551615")).toBe(
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
      expect(parseEventId(bad), String(bad)).toBeNull();
    }
  });

  it("orders ids numerically, not as text", () => {
    expect(compareEventIds("9-0", "10-0")).toBe(-1);
    expect(compareEventIds("10-2", "10-10")).toBe(-1);
    expect(compareEventIds("10-10", "10-10")).toBe(0);
  });

  it("orders ids exactly past 2^53, where floating point would call them equal", () => {
    expect(compareEventIds("18446744073709551615-0", "18446744073709551614-0")).toBe(1);
    expect(compareEventIds("1-9007199254740993", "1-9007199254740992")).toBe(1);
  });
});
