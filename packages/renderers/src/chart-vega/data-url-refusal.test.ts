import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestRenderContext } from "../testing/index.ts";
import { createChartVegaRenderer } from "./chart-vega-renderer.ts";
import type { ChartVegaInput } from "./schema.ts";

const chart = createChartVegaRenderer();

// A trap: any request reaching it proves a fetch happened. It answers with valid data so
// that a fetch, if one slipped through, would render instead of failing for another reason.
let server: Server;
let requests = 0;
let trapUrl: string;

beforeAll(async () => {
  server = createServer((_request, response) => {
    requests += 1;
    response.setHeader("content-type", "application/json");
    response.end(JSON.stringify([{ category: "A", amount: 1 }]));
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  trapUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/data.json`;
});

afterAll(async () => {
  server.close();
  await once(server, "close");
});

const encoding = { x: { field: "category", type: "nominal" }, y: { field: "amount", type: "quantitative" } };

const specsWithUrls = () => ({
  "top-level data": { data: { url: trapUrl }, mark: "bar", encoding },
  "a nested layer": { layer: [{ data: { url: trapUrl }, mark: "bar", encoding }] },
  "a lookup transform": {
    data: { values: [{ category: "A" }] },
    transform: [
      { lookup: "category", from: { data: { url: trapUrl }, key: "category", fields: ["amount"] } },
    ],
    mark: "bar",
    encoding,
  },
  "an image mark": {
    data: { values: [{ x: 1, picture: trapUrl }] },
    mark: { type: "image", width: 20, height: 20 },
    encoding: { x: { field: "x", type: "quantitative" }, url: { field: "picture" } },
  },
});

describe("chart.vega never fetches", () => {
  it("refuses data.url at submit time with the path of the url", () => {
    const result = chart.inputSchema.safeParse({ spec: { data: { url: trapUrl }, mark: "bar" } });
    expect(result.success).toBe(false);
    const issue = result.error!.issues.find((candidate) => candidate.path.join(".") === "spec.data.url");
    expect(issue?.message).toMatch(/not allowed.*data\.values/);
  });

  it("refuses urls nested anywhere at submit time, one issue per url", () => {
    const paths = Object.values(specsWithUrls()).flatMap((spec) =>
      chart.inputSchema.safeParse({ spec }).error!.issues.map((issue) => issue.path.join(".")),
    );
    expect(paths).toEqual([
      "spec.data.url",
      "spec.layer.0.data.url",
      "spec.transform.0.from.data.url",
      "spec.encoding.url",
    ]);
  });

  // The render path is the last line of defence: call it with input the schema never saw.
  it.each(Object.keys(specsWithUrls()))(
    "fails a render whose spec loads from %s with data_url_forbidden, sending no request",
    async (name) => {
      const spec = specsWithUrls()[name as keyof ReturnType<typeof specsWithUrls>];
      for (const format of ["svg", "png"] as const) {
        const { ctx, artifacts } = createTestRenderContext();
        const input: ChartVegaInput = { spec, format, scale: 1 };
        await expect(chart.render(input, ctx)).rejects.toMatchObject({
          name: "RenderError",
          code: "data_url_forbidden",
          retryable: false,
        });
        expect(artifacts).toHaveLength(0);
      }
      // Give a stray request time to arrive before counting.
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(requests).toBe(0);
    },
  );
});
