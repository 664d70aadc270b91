import { constants } from "node:fs";
import { access, stat } from "node:fs/promises";

export type ChromiumCheck = { ok: true } | { ok: false; problem: string };

/**
 * Whether `executablePath` can be a browser: an executable file. Cheap (no launch), so a worker can
 * say at start-up what is missing, and a render can fail at once rather than after every retry.
 */
export const checkChromiumExecutable = async (executablePath: string): Promise<ChromiumCheck> => {
  const found = await stat(executablePath).catch(() => undefined);
  if (!found) return { ok: false, problem: `${executablePath} does not exist` };
  if (!found.isFile()) return { ok: false, problem: `${executablePath} is not a file` };
  const executable = await access(executablePath, constants.X_OK).then(
    () => true,
    () => false,
  );
  return executable ? { ok: true } : { ok: false, problem: `${executablePath} is not executable` };
};

/**
 * What to do about a missing browser, in one line. It names the worker's variable: an operator reads
 * it in a job's error or a worker's log, and that is the knob they turn.
 */
export const chromiumMissingMessage = (problem: string): string =>
  `no browser for document.pdf: ${problem}. Install Chromium (Debian/Ubuntu: apt-get install chromium; macOS: brew install --cask chromium, then KILN_CHROMIUM_PATH=/Applications/Chromium.app/Contents/MacOS/Chromium) or point KILN_CHROMIUM_PATH at any Chrome or Chromium binary`;
