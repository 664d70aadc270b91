/**
 * Width and height from a PNG's IHDR chunk, or undefined when `bytes` is not a PNG.
 * Lets tests (and anyone storing a PNG) check dimensions without decoding pixels.
 */
export const readPngSize = (bytes: Uint8Array): { width: number; height: number } | undefined => {
  const signature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (bytes.length < 24 || signature.some((byte, index) => bytes[index] !== byte)) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // The first chunk of a valid PNG is IHDR: length (4), type (4), then width and height.
  if (String.fromCharCode(...bytes.subarray(12, 16)) !== "IHDR") return undefined;
  return { width: view.getUint32(16), height: view.getUint32(20) };
};
