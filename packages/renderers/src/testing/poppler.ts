import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/** Runs a poppler-utils tool (pdfinfo, pdftotext) on PDF bytes, for assertions on rendered PDFs. */
const withPdfFile = async <T>(pdf: Uint8Array, use: (path: string) => Promise<T>): Promise<T> => {
  const dir = await mkdtemp(join(tmpdir(), "kiln-pdf-"));
  try {
    const path = join(dir, "document.pdf");
    await writeFile(path, pdf);
    return await use(path);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
};

/** `pdfinfo` fields (Pages, Title, Page size…) as a record. */
export const pdfInfo = (pdf: Uint8Array): Promise<Record<string, string>> =>
  withPdfFile(pdf, async (path) => {
    const { stdout } = await run("pdfinfo", [path]);
    return Object.fromEntries(
      stdout
        .split("\n")
        .map((line) => /^([^:]+):\s*(.*)$/.exec(line))
        .filter((match) => match !== null)
        .map((match) => [match[1]!, match[2]!]),
    );
  });

/** The text `pdftotext` extracts, layout kept. */
export const pdfText = (pdf: Uint8Array): Promise<string> =>
  withPdfFile(pdf, async (path) => (await run("pdftotext", ["-layout", path, "-"])).stdout);
