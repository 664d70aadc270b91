import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { type JobTypeDescription, jobTypeDescriptionSchema, type Renderer } from "@kiln/core";
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

/** Computed once: the JSON Schemas come from the same zod schemas that validate submits. */
export const describeJobTypes = (renderers: Map<string, Renderer>): JobTypeDescription[] =>
  [...renderers.values()].map((renderer) => ({
    jobType: renderer.jobType,
    description: renderer.description,
    inputSchema: zod.toJSONSchema(renderer.inputSchema, { io: "input", unrepresentable: "any" }) as Record<
      string,
      unknown
    >,
  }));

export const registerListJobTypes = (app: OpenAPIHono<AppEnv>, renderers: Map<string, Renderer>) => {
  const described = describeJobTypes(renderers);
  return app.openapi(route, (c) => c.json(described, 200));
};
