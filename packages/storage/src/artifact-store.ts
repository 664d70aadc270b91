/** Where artifact bytes live. The local filesystem is the default; object stores implement the same. */
export interface ArtifactStore {
  /** Writes (or replaces) one artifact; returns its size and SHA-256 (hex). */
  put(key: ArtifactKey, body: Uint8Array): Promise<{ size: number; sha256: string }>;
  /** Opens one artifact for reading, or `null` when it does not exist. */
  get(key: ArtifactKey): Promise<StoredArtifact | null>;
  /** Removes every artifact of a job (a retry starts clean). */
  deleteJob(companyId: string, jobId: string): Promise<void>;
}

export interface ArtifactKey {
  companyId: string;
  jobId: string;
  name: string;
}

export interface StoredArtifact {
  size: number;
  stream(): NodeJS.ReadableStream;
}

/** Artifact names are file names chosen by renderers; anything else is refused. */
export const artifactNamePattern = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
export const isValidArtifactName = (name: string): boolean =>
  artifactNamePattern.test(name) && !name.includes("..");
