/**
 * Where artifact bytes live: the local filesystem (one machine) or an S3-compatible store (any
 * number of hosts). Both lay artifacts out as `companyId/jobId/name` under their root or prefix.
 */
export interface ArtifactStore {
  /**
   * Writes (or replaces) one artifact, streamed: bytes, or a stream read once. Readers never see
   * half an artifact. Returns its size and SHA-256 (hex), measured while writing.
   * Throws `ArtifactStorageError` when the store refuses or cannot be reached.
   */
  put(key: ArtifactKey, body: ArtifactBody, options?: PutOptions): Promise<{ size: number; sha256: string }>;
  /**
   * Opens one artifact (or `range` of it) for reading, or `null` when it does not exist.
   * Throws `ArtifactStorageError` when the store cannot answer.
   */
  get(key: ArtifactKey, range?: ByteRange): Promise<StoredArtifact | null>;
  /** Removes every artifact of a job (a retry starts clean). */
  deleteJob(companyId: string, jobId: string): Promise<void>;
  /**
   * A URL that downloads the artifact without other credentials until it expires; only stores that
   * can sign one (S3) have it.
   */
  presignGet?(key: ArtifactKey, options: PresignOptions): Promise<string>;
  /** Releases connections; the store is not used after. */
  close(): Promise<void>;
}

export interface ArtifactKey {
  companyId: string;
  jobId: string;
  name: string;
}

/** An artifact's bytes: all at once, or a stream of chunks read once. */
export type ArtifactBody = Uint8Array | AsyncIterable<Uint8Array>;

export interface PutOptions {
  /** Stored with the object where the store keeps one (S3's `Content-Type`). */
  contentType?: string;
}

/** Bytes `start` to `end`, both included, as HTTP ranges count them. */
export interface ByteRange {
  start: number;
  end: number;
}

export interface PresignOptions {
  expiresInSeconds: number;
  /** The `Content-Type` and `Content-Disposition` the store answers the URL with. */
  contentType: string;
  contentDisposition: string;
}

export interface StoredArtifact {
  /** The whole artifact's size, even when a range was asked for. */
  size: number;
  /** The bytes (of the range, when one was asked for); the caller must read it to the end or destroy it. */
  stream(): NodeJS.ReadableStream;
}

/** Artifact names are file names chosen by renderers; anything else is refused. */
export const artifactNamePattern = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
export const isValidArtifactName = (name: string): boolean =>
  artifactNamePattern.test(name) && !name.includes("..");

const ownerIdPattern = /^[A-Za-z0-9-]{1,64}$/;

/** The path segments of a job's folder, checked: no id or name can climb out of it. */
export const jobSegmentsOf = (companyId: string, jobId: string): [string, string] => {
  if (!ownerIdPattern.test(companyId) || !ownerIdPattern.test(jobId)) {
    throw new Error("invalid artifact owner id");
  }
  return [companyId, jobId];
};

/** The path segments of one artifact, checked. */
export const artifactSegmentsOf = ({ companyId, jobId, name }: ArtifactKey): [string, string, string] => {
  if (!isValidArtifactName(name)) throw new Error(`invalid artifact name: ${name}`);
  return [...jobSegmentsOf(companyId, jobId), name];
};
