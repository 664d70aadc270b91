import type { z } from "zod";
import type { imageCardInputSchema } from "./schema.ts";

/** A representative input, used by the benchmark and as documentation. */
export const sampleInput: z.input<typeof imageCardInputSchema> = {
  eyebrow: "Kiln · Release notes",
  title: "Queue-backed rendering that streams its progress live",
  subtitle: "Submit a job, follow it over Server-Sent Events, download the artifact.",
  theme: "light",
  size: "og",
  format: "png",
};
