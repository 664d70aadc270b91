import { describe, expect, expectTypeOf, it } from "vitest";
import type { JobInputs, JobType, TypedSubmitBody } from "./job-inputs.ts";
import { createKilnClient, type KilnClient } from "./kiln-client.ts";

// These checks run in the type checker (`tsc --noEmit -p packages/client`): a wrong input type, or a
// `@ts-expect-error` that no longer errors, fails it. The runtime test below keeps vitest honest.
describe("submit() is typed by jobType", () => {
  it("narrows input to the z.input of that job type's schema", () => {
    expectTypeOf<TypedSubmitBody<"canary">["input"]>().toEqualTypeOf<JobInputs["canary"]>();
    expectTypeOf<JobInputs["canary"]>().toEqualTypeOf<{
      durationMs: number;
      steps: number;
      failTimes?: number;
      busyMs?: number;
      allocateMb?: number;
    }>();
    expectTypeOf<JobType>().toEqualTypeOf<
      "canary" | "markdown.html" | "document.pdf" | "image.card" | "chart.vega"
    >();
    expectTypeOf<Parameters<KilnClient["submitDynamic"]>[0]["jobType"]>().toEqualTypeOf<string>();
  });

  it("refuses inputs of another job type, unknown job types and misspelt fields", () => {
    // Type-checked, never called: it only states what must and must not compile.
    const compiles = (client: KilnClient) => [
      client.submit({ jobType: "canary", input: { durationMs: 10, steps: 2 }, priority: 5 }),
      client.submit({ jobType: "image.card", input: { title: "Hello", theme: "dark" } }),
      client.submit({ jobType: "chart.vega", input: { spec: { mark: "bar" }, format: "png" } }),
      // @ts-expect-error canary requires steps
      client.submit({ jobType: "canary", input: { durationMs: 10 } }),
      // @ts-expect-error markdown.html takes markdown, not a canary's fields
      client.submit({ jobType: "markdown.html", input: { durationMs: 10, steps: 2 } }),
      // @ts-expect-error not a job type this client knows (submitDynamic takes any)
      client.submit({ jobType: "video.mp4", input: {} }),
      // @ts-expect-error steps is a number
      client.submit({ jobType: "canary", input: { durationMs: 10, steps: "2" } }),
    ];
    expect(typeof compiles).toBe("function");
    expect(
      Object.keys(createKilnClient({ baseUrl: "http://x", apiKey: "k", companyId: "c" })).sort(),
    ).toEqual(
      [
        "cancel",
        "companyId",
        "downloadArtifact",
        "downloadArtifactStream",
        "followCompany",
        "followJob",
        "getJob",
        "iterateJobs",
        "listJobTypes",
        "listJobs",
        "mintStreamToken",
        "retry",
        "submit",
        "submitDynamic",
        "waitForJob",
      ].sort(),
    );
  });
});
