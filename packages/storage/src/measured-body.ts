import { createHash } from "node:crypto";
import { Readable } from "node:stream";
import type { ArtifactBody } from "./artifact-store.ts";

export interface MeasuredBody {
  /** What to write: the same bytes, or a stream that measures what is read through it. */
  body: Uint8Array | Readable;
  /** Size and SHA-256 (hex) of the body; complete once `body` was read to its end. */
  digest(): { size: number; sha256: string };
  /** The error the body's own stream threw, if it did: the writer's fault, not the store's. */
  sourceError(): unknown;
}

/** Measures an artifact while it is written, so a stream is read once and never held whole. */
export const measureBody = (source: ArtifactBody): MeasuredBody => {
  const hash = createHash("sha256");
  if (source instanceof Uint8Array) {
    const digest = { size: source.byteLength, sha256: hash.update(source).digest("hex") };
    return { body: source, digest: () => digest, sourceError: () => undefined };
  }
  const chunks: AsyncIterable<Uint8Array> = source;
  let size = 0;
  let failure: { error: unknown } | undefined;
  let digest: { size: number; sha256: string } | undefined;
  async function* measured() {
    try {
      for await (const chunk of chunks) {
        hash.update(chunk);
        size += chunk.byteLength;
        yield chunk;
      }
    } catch (error) {
      failure = { error };
      throw error;
    }
  }
  return {
    body: Readable.from(measured(), { objectMode: false }),
    digest: () => {
      digest ??= { size, sha256: hash.digest("hex") };
      return digest;
    },
    sourceError: () => failure?.error,
  };
};
