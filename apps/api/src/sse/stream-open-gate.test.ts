import { describe, expect, it } from "vitest";
import { StreamOpenGate } from "./stream-open-gate.ts";

/** An open that runs until the test lets it finish; records when it started. */
const openings = (gate: StreamOpenGate) => {
  const started: string[] = [];
  const finishers = new Map<string, () => void>();
  const open = (companyId: string, name: string) =>
    gate.run(companyId, async () => {
      started.push(name);
      await new Promise<void>((resolve) => finishers.set(name, resolve));
    });
  const finish = async (name: string) => {
    finishers.get(name)?.();
    // The finished open's release hands its turn on within the same microtask chain.
    for (let i = 0; i < 5; i++) await Promise.resolve();
  };
  return { started, open, finish };
};

describe("stream open gate", () => {
  it("runs at most its limit of opens at once and starts the next as one finishes", async () => {
    const gate = new StreamOpenGate(2);
    const { started, open, finish } = openings(gate);
    const all = ["a1", "a2", "a3", "a4"].map((name) => open("a", name));
    await Promise.resolve();
    expect(started).toEqual(["a1", "a2"]);
    expect(gate.opening).toBe(2);
    expect(gate.waiting).toBe(2);
    await finish("a1");
    expect(started).toEqual(["a1", "a2", "a3"]);
    await finish("a2");
    await finish("a3");
    await finish("a4");
    await Promise.all(all);
    expect(started).toEqual(["a1", "a2", "a3", "a4"]);
    expect(gate.opening).toBe(0);
    expect(gate.waiting).toBe(0);
  });

  it("takes waiting companies in turn: a burst of one company delays another's open by one turn", async () => {
    const gate = new StreamOpenGate(1);
    const { started, open, finish } = openings(gate);
    open("flood", "f1");
    for (let i = 2; i <= 50; i++) open("flood", `f${i}`);
    open("quiet", "q1");
    await Promise.resolve();
    await finish("f1");
    await finish("f2");
    // After the flood's second open comes the quiet company's, not the flood's 48 others.
    expect(started).toEqual(["f1", "f2", "q1"]);
    await finish("q1");
    expect(started.at(-1)).toBe("f3");
  });

  it("frees the turn of an open that fails", async () => {
    const gate = new StreamOpenGate(1);
    await expect(gate.run("a", () => Promise.reject(new Error("redis down")))).rejects.toThrow("redis down");
    expect(gate.opening).toBe(0);
    await expect(gate.run("a", async () => "opened")).resolves.toBe("opened");
  });
});
