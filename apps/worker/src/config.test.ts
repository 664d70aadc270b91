import { ConfigError } from "@kiln/core";
import { describe, expect, it } from "vitest";
import { loadWorkerConfig } from "./config.ts";

describe("worker configuration: render limits", () => {
  it("defaults to no overrides and no warm threads", () => {
    const config = loadWorkerConfig({});
    expect(config.KILN_RENDER_LIMITS).toEqual({});
    expect(config.KILN_RENDER_WARM_THREADS).toBe(0);
  });

  it("reads per job type overrides from JSON", () => {
    const config = loadWorkerConfig({
      KILN_RENDER_LIMITS: '{"chart.vega":{"timeoutMs":5000,"memoryMb":256},"canary":{"timeoutMs":1000}}',
    });
    expect(config.KILN_RENDER_LIMITS).toEqual({
      "chart.vega": { timeoutMs: 5000, memoryMb: 256 },
      canary: { timeoutMs: 1000 },
    });
  });

  it.each([
    ["not JSON", "{chart.vega: 1}", /must be JSON/],
    ["a limit out of range", '{"canary":{"memoryMb":8}}', /memoryMb/],
    ["an unknown setting", '{"canary":{"cpuMs":8}}', /KILN_RENDER_LIMITS/],
  ])("refuses %s, naming the variable", (_, value, message) => {
    const load = () => loadWorkerConfig({ KILN_RENDER_LIMITS: value });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(/KILN_RENDER_LIMITS/);
    expect(load).toThrow(message);
  });
});
