import { createHash, randomUUID } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdir, rename, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { type ArtifactKey, type ArtifactStore, isValidArtifactName } from "./artifact-store.ts";

export interface LocalArtifactStoreOptions {
  /** Root folder; artifacts go to `<root>/<companyId>/<jobId>/<name>`. */
  root: string;
}

const idPattern = /^[A-Za-z0-9-]{1,64}$/;

/** Artifacts on the local filesystem: written to a temp file, then renamed, so readers never see half a file. */
export const createLocalArtifactStore = ({ root }: LocalArtifactStoreOptions): ArtifactStore => {
  const jobDir = (companyId: string, jobId: string): string => {
    if (!idPattern.test(companyId) || !idPattern.test(jobId)) throw new Error("invalid artifact owner id");
    return join(root, companyId, jobId);
  };
  const pathOf = ({ companyId, jobId, name }: ArtifactKey): string => {
    if (!isValidArtifactName(name)) throw new Error(`invalid artifact name: ${name}`);
    return join(jobDir(companyId, jobId), name);
  };

  return {
    async put(key, body) {
      const target = pathOf(key);
      await mkdir(jobDir(key.companyId, key.jobId), { recursive: true });
      const temp = `${target}.${randomUUID()}.tmp`;
      await writeFile(temp, body);
      await rename(temp, target);
      return { size: body.byteLength, sha256: createHash("sha256").update(body).digest("hex") };
    },
    async get(key) {
      if (!isValidArtifactName(key.name)) return null;
      const path = pathOf(key);
      try {
        const info = await stat(path);
        if (!info.isFile()) return null;
        return { size: info.size, stream: () => createReadStream(path) };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
        throw error;
      }
    },
    async deleteJob(companyId, jobId) {
      await rm(jobDir(companyId, jobId), { recursive: true, force: true });
    },
  };
};
