/**
 * Counts the pages of a PDF by its page objects (`/Type /Page`, not the `/Pages` tree nodes).
 * Chromium writes page dictionaries uncompressed, so a scan suffices; should that change, the
 * largest `/Count` of a `/Pages` node (the root's) is the fallback.
 */
export const countPdfPages = (pdf: Uint8Array): number => {
  const text = Buffer.from(pdf.buffer, pdf.byteOffset, pdf.byteLength).toString("latin1");
  const pageObjects = text.match(/\/Type\s{0,32}\/Page(?![A-Za-z])/g)?.length ?? 0;
  if (pageObjects > 0) return pageObjects;
  let count = 0;
  for (const match of text.matchAll(/\/Type\s{0,32}\/Pages(?![A-Za-z])/g)) {
    // The dictionary around this /Type entry (page-tree nodes hold no nested dictionaries).
    const start = text.lastIndexOf("<<", match.index);
    const end = text.indexOf(">>", match.index);
    const nodeCount = /\/Count\s{1,32}(\d{1,9})/.exec(text.slice(start, end))?.[1];
    if (nodeCount !== undefined) count = Math.max(count, Number(nodeCount));
  }
  return count;
};
