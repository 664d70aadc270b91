import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { type JobTypeDescription, jobTypeDescriptionSchema, type Renderer } from "@kiln/core";
import { sampleInputs } from "@kiln/renderers";
import { z as zod } from "zod";
import type { AppEnv } from "../services.ts";

const route = createRoute({
  method: "get",
  path: "/api/job-types",
  tags: ["jobs"],
  summary: "The job types and their input JSON Schemas",
  responses: {
    200: {
      description: "Job types",
      content: { "application/json": { schema: z.array(jobTypeDescriptionSchema) } },
    },
  },
});

/**
 * Computed once: the JSON Schemas come from the same zod schemas that validate submits; a type's
 * sample input, when it has one, is the schema's `examples` (the dashboard's form starts from it).
 */
export const describeJobTypes = (renderers: Map<string, Renderer>): JobTypeDescription[] =>
  [...renderers.values()].map((renderer) => {
    const inputSchema = zod.toJSONSchema(renderer.inputSchema, {
      io: "input",
      unrepresentable: "any",
    }) as Record<string, unknown>;
    const example = sampleInputs[renderer.jobType];
    return {
      jobType: renderer.jobType,
      description: renderer.description,
      inputSchema: example === undefined ? inputSchema : { ...inputSchema, examples: [example] },
    };
  });

export const registerListJobTypes = (app: OpenAPIHono<AppEnv>, renderers: Map<string, Renderer>) => {
  const described = describeJobTypes(renderers);
  return app.openapi(route, (c) => c.json(described, 200));
};
