import type { Logger } from "@kiln/core";
import { checkChromiumExecutable, chromiumMissingMessage } from "@kiln/renderers";

export interface CheckChromiumOptions {
  /** Job types this worker serves; only document.pdf needs a browser. */
  served: string[];
  executablePath: string;
  logger: Logger;
}

/**
 * Says at start-up, in one line, that this worker has no browser, rather than at the first
 * document.pdf job. The worker still serves document.pdf: such a job fails at once with
 * `browser_unavailable` and the same words, so a caller is not left waiting on a queue no worker
 * can empty. Answers whether the browser is there.
 */
export const checkChromium = async ({
  served,
  executablePath,
  logger,
}: CheckChromiumOptions): Promise<boolean> => {
  if (!served.includes("document.pdf")) return true;
  const check = await checkChromiumExecutable(executablePath);
  if (!check.ok) logger.warn({ executablePath }, chromiumMissingMessage(check.problem));
  return check.ok;
};
