import { RenderError } from "@kiln/core";
import type { Loader } from "vega";

/** A vega loader that can load nothing, and remembers what was asked of it. */
export interface RefusingLoader {
  loader: Loader;
  /** Every URI vega tried to load or resolve, in order. */
  attempts: string[];
  /** The error a render must fail with when `attempts` is not empty. */
  error(): RenderError;
}

const forbidden = (uri: string) =>
  new RenderError(
    "data_url_forbidden",
    `the chart tried to load "${uri.slice(0, 200)}": URLs are not allowed, put the data inline in data.values`,
    { retryable: false },
  );

/**
 * Replaces vega's default loader (which would fetch over HTTP and read local files) so
 * that no spec — data URLs, lookups, nested layers, image marks — can reach the network or
 * the disk, whatever got past the input schema. Vega only logs a failed data load and
 * carries on with empty data, so the render checks `attempts` afterwards and fails.
 */
export const createRefusingLoader = (): RefusingLoader => {
  const attempts: string[] = [];
  const refuse = async (uri: string): Promise<never> => {
    attempts.push(uri);
    throw forbidden(uri);
  };
  const loader: Loader = {
    load: refuse,
    http: refuse,
    file: refuse,
    sanitize: async (uri, options) => {
      // Hyperlinks (the `href` channel) are not fetched. vega's SVG renderer dereferences
      // the result of this promise without a null check, so rejecting here would crash the
      // process with an unhandled rejection; answering with no link drops it instead.
      if (options && "context" in options && options.context === "href") return { href: "" };
      return refuse(uri);
    },
  };
  return {
    loader,
    attempts,
    error: () => forbidden(attempts[0] ?? ""),
  };
};
