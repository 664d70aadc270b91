import { promisify } from "node:util";
import { crc32, deflate } from "node:zlib";

const deflateAsync = promisify(deflate);

/**
 * zlib level 3: on a card (flat colours, anti-aliased text) it compresses about as well as
 * resvg's own encoder (within a few %) in a third of the time; 4 and up switch zlib to its
 * slow matcher for little gain.
 */
const compressionLevel = 3;

const signature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

const isOpaque = (rgba: Uint8Array): boolean => {
  for (let alpha = 3; alpha < rgba.length; alpha += 4) if (rgba[alpha] !== 255) return false;
  return true;
};

/** One PNG chunk: length, type, data, CRC of type and data. */
const chunk = (type: string, data: Uint8Array): Uint8Array => {
  const bytes = new Uint8Array(12 + data.length);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) bytes[4 + i] = type.charCodeAt(i);
  bytes.set(data, 8);
  view.setUint32(8 + data.length, crc32(bytes.subarray(4, 8 + data.length)));
  return bytes;
};

/**
 * An 8-bit RGBA PNG of `rgba` (resvg's pixels, `width` × `height`), compressed on libuv's
 * pool instead of the calling thread; undefined when a pixel is not fully opaque.
 * resvg's pixels are alpha-premultiplied, which only equals the straight alpha PNG stores
 * when every pixel is opaque: other images keep resvg's own encoder, which converts.
 * Rows are stored unfiltered: flat backgrounds compress just as well, and filtering in
 * JavaScript would cost more than it saves.
 */
export const encodeOpaquePng = async (
  rgba: Uint8Array,
  width: number,
  height: number,
): Promise<Uint8Array | undefined> => {
  if (rgba.length !== width * height * 4 || !isOpaque(rgba)) return undefined;
  const stride = width * 4;
  // Each row is preceded by its filter type, 0 (None); every byte is written below.
  const rows = Buffer.allocUnsafe((stride + 1) * height);
  for (let y = 0; y < height; y++) {
    rows[y * (stride + 1)] = 0;
    rows.set(rgba.subarray(y * stride, (y + 1) * stride), y * (stride + 1) + 1);
  }
  const header = new Uint8Array(13);
  const headerView = new DataView(header.buffer);
  headerView.setUint32(0, width);
  headerView.setUint32(4, height);
  // Bit depth 8, colour type 6 (RGBA), default compression and filter methods, no interlace.
  header.set([8, 6, 0, 0, 0], 8);
  const parts = [
    Uint8Array.from(signature),
    chunk("IHDR", header),
    chunk("IDAT", await deflateAsync(rows, { level: compressionLevel })),
    chunk("IEND", new Uint8Array(0)),
  ];
  const png = new Uint8Array(parts.reduce((total, part) => total + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    png.set(part, offset);
    offset += part.length;
  }
  return png;
};
