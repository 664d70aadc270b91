import { describe, expect, it } from "vitest";
import { z } from "zod";
import { createRendererRegistry } from "./registry.ts";
import { jobInputSchemas } from "./schemas.ts";

const registry = createRendererRegistry();

const sampleInputOf = async (jobType: string): Promise<unknown> => {
  const module: Record<string, unknown> = await import(`./${jobType.replaceAll(".", "-")}/index.ts`);
  return module.sampleInput;
};

describe("renderer registry", () => {
  it("registers the documented job types", () => {
    expect([...registry.keys()]).toEqual(
      expect.arrayContaining(["canary", "markdown.html", "document.pdf", "image.card", "chart.vega"]),
    );
  });

  it("lists every job type's own input schema in the schemas index (what the client's types come from)", () => {
    expect(Object.keys(jobInputSchemas).sort()).toEqual([...registry.keys()].sort());
    for (const renderer of registry.values()) {
      expect(jobInputSchemas[renderer.jobType as keyof typeof jobInputSchemas], renderer.jobType).toBe(
        renderer.inputSchema,
      );
    }
  });

  it.each([...registry.values()])(
    "$jobType: schema converts to JSON Schema and its sample input is valid",
    async (renderer) => {
      expect(renderer.description.length).toBeGreaterThan(10);
      const schema = z.toJSONSchema(renderer.inputSchema, { io: "input" });
      expect(schema.type).toBe("object");
      expect(renderer.inputSchema.safeParse(await sampleInputOf(renderer.jobType)).error).toBeUndefined();
    },
  );
});
