import type { z } from "zod";
import type { canaryInputSchema } from "./schema.ts";

/** A representative input, used by the benchmark and as documentation. */
export const sampleInput: z.input<typeof canaryInputSchema> = { durationMs: 20, steps: 4 };
