import type { StorageLocation } from "@kiln/core";
import type { ArtifactStore } from "./artifact-store.ts";
import { createLocalArtifactStore } from "./local-artifact-store.ts";

/**
 * The store a configuration names (`storageLocationOf(config)` in @kiln/core). The AWS SDK is
 * loaded only for an S3 store: a process on local disk does not pay for it.
 */
export const createArtifactStore = async (location: StorageLocation): Promise<ArtifactStore> => {
  if (location.kind === "local") return createLocalArtifactStore({ root: location.root });
  const { kind: _, ...s3 } = location;
  const { createS3ArtifactStore } = await import("./s3-artifact-store.ts");
  return createS3ArtifactStore(s3);
};
