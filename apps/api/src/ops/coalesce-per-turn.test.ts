import { describe, expect, it } from "vitest";
import { coalescePerTurn } from "./coalesce-per-turn.ts";

describe("lookups coalesced per turn of the event loop", () => {
  it("callers of one turn share one lookup per key, made after the last of them asked", async () => {
    const calls: { key: string; version: number }[] = [];
    let version = 0;
    const lookup = coalescePerTurn(async (key) => {
      calls.push({ key, version });
      return `${key}@${version}`;
    });

    const first = lookup("a");
    const other = lookup("b");
    version = 1; // what changed before the turn ended is seen by every caller of that turn
    const second = lookup("a");
    expect(await Promise.all([first, other, second])).toEqual(["a@1", "b@1", "a@1"]);
    expect(calls).toEqual([
      { key: "a", version: 1 },
      { key: "b", version: 1 },
    ]);

    // A later turn looks up again.
    version = 2;
    expect(await lookup("a")).toBe("a@2");
    expect(calls).toHaveLength(3);
  });

  it("a failed lookup fails every caller that shares it, and the next turn tries again", async () => {
    let fail = true;
    const lookup = coalescePerTurn(async (key) => {
      if (fail) throw new Error(`${key} unavailable`);
      return key;
    });
    const answers = await Promise.allSettled([lookup("a"), lookup("a")]);
    expect(answers.map((answer) => answer.status)).toEqual(["rejected", "rejected"]);
    fail = false;
    expect(await lookup("a")).toBe("a");
  });
});
