import type { z } from "zod";
import type { chartVegaInputSchema } from "./schema.ts";

/** A representative input, used by the benchmark and as documentation. */
export const sampleInput: z.input<typeof chartVegaInputSchema> = {
  format: "svg",
  spec: {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: "Jobs rendered per day",
    width: 480,
    height: 240,
    data: {
      values: [
        { day: "Mon", jobs: 1280 },
        { day: "Tue", jobs: 1730 },
        { day: "Wed", jobs: 1510 },
        { day: "Thu", jobs: 2120 },
        { day: "Fri", jobs: 1940 },
        { day: "Sat", jobs: 760 },
        { day: "Sun", jobs: 640 },
      ],
    },
    mark: { type: "bar", cornerRadiusEnd: 3 },
    encoding: {
      x: { field: "day", type: "ordinal", sort: null, title: null, axis: { labelAngle: 0 } },
      y: { field: "jobs", type: "quantitative", title: "Jobs" },
    },
  },
};
