import { readFileSync } from "node:fs";
import { jobEventTypes, jobStatusSchema } from "@kiln/core";
import { describe, expect, it } from "vitest";
import { transitions, transitionTableMarkdown } from "./transitions.ts";

describe("the lifecycle table", () => {
  it("is the one docs/guarantees.md shows", () => {
    const doc = readFileSync(new URL("../../../../docs/guarantees.md", import.meta.url), "utf8");
    expect(doc).toContain(transitionTableMarkdown());
  });

  it("names each transition once, with known statuses and events", () => {
    expect(new Set(transitions.map((rule) => rule.on)).size).toBe(transitions.length);
    for (const rule of transitions) {
      for (const status of [...rule.from, rule.to]) {
        if (status !== null) expect(jobStatusSchema.options).toContain(status);
      }
      for (const type of rule.emits) expect(jobEventTypes).toContain(type);
    }
  });

  it("leaves no terminal status except through an API command", () => {
    const terminal = ["done", "failed", "cancelled"];
    for (const rule of transitions.filter((r) => r.from.some((s) => s !== null && terminal.includes(s)))) {
      expect(rule.by).toBe("API");
    }
  });
});
