import { randomUUID } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, rename, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import {
  type ArtifactStore,
  artifactSegmentsOf,
  isValidArtifactName,
  jobSegmentsOf,
} from "./artifact-store.ts";
import { measureBody } from "./measured-body.ts";
import { ArtifactStorageError } from "./storage-errors.ts";

export interface LocalArtifactStoreOptions {
  /** Root folder; artifacts go to `<root>/<companyId>/<jobId>/<name>`. */
  root: string;
}

/** Artifacts on the local filesystem: written to a temp file, then renamed, so readers never see half a file. */
export const createLocalArtifactStore = ({ root }: LocalArtifactStoreOptions): ArtifactStore => {
  const jobDir = (companyId: string, jobId: string): string => join(root, ...jobSegmentsOf(companyId, jobId));

  return {
    async put(key, body) {
      const target = join(root, ...artifactSegmentsOf(key));
      const temp = `${target}.${randomUUID()}.tmp`;
      const measured = measureBody(body);
      try {
        await mkdir(jobDir(key.companyId, key.jobId), { recursive: true });
        if (measured.body instanceof Uint8Array) await writeFile(temp, measured.body);
        else await pipeline(measured.body, createWriteStream(temp));
        await rename(temp, target);
      } catch (error) {
        await rm(temp, { force: true }).catch(() => {});
        throw measured.sourceError() ?? new ArtifactStorageError(`storing ${key.name}`, error);
      }
      return measured.digest();
    },
    async get(key, range) {
      if (!isValidArtifactName(key.name)) return null;
      const path = join(root, ...artifactSegmentsOf(key));
      try {
        const info = await stat(path);
        if (!info.isFile()) return null;
        return { size: info.size, stream: () => createReadStream(path, range) };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
        throw new ArtifactStorageError(`reading ${key.name}`, error);
      }
    },
    async deleteJob(companyId, jobId) {
      await rm(jobDir(companyId, jobId), { recursive: true, force: true });
    },
    async close() {},
  };
};
