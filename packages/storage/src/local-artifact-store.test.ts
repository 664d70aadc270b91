import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { text } from "node:stream/consumers";
import { afterAll, describe, expect, it } from "vitest";
import { createLocalArtifactStore } from "./local-artifact-store.ts";

const root = await mkdtemp(join(tmpdir(), "kiln-artifacts-"));
const store = createLocalArtifactStore({ root });
const owner = {
  companyId: "8c1d2c4e-0000-4000-8000-000000000001",
  jobId: "8c1d2c4e-0000-4000-8000-000000000002",
};

afterAll(() => rm(root, { recursive: true, force: true }));

describe("local artifact store", () => {
  it("stores bytes and reports their size and sha256", async () => {
    const stored = await store.put({ ...owner, name: "a.txt" }, new TextEncoder().encode("hello"));
    expect(stored).toEqual({
      size: 5,
      sha256: "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824",
    });
    const read = await store.get({ ...owner, name: "a.txt" });
    expect(read?.size).toBe(5);
    expect(await text(read!.stream() as NodeJS.ReadableStream & AsyncIterable<Buffer>)).toBe("hello");
  });

  it("answers null for a missing artifact and for names that try to escape", async () => {
    expect(await store.get({ ...owner, name: "missing.txt" })).toBeNull();
    expect(await store.get({ ...owner, name: "../../etc/passwd" })).toBeNull();
    await expect(store.put({ ...owner, name: "../x" }, new Uint8Array())).rejects.toThrow(/invalid/);
    await expect(store.put({ ...owner, jobId: "../x", name: "a" }, new Uint8Array())).rejects.toThrow(
      /invalid/,
    );
  });

  it("leaves no temp files and deletes a job's artifacts", async () => {
    await store.put({ ...owner, name: "b.bin" }, new Uint8Array([1, 2, 3]));
    const files = await readdir(join(root, owner.companyId, owner.jobId));
    expect(files.sort()).toEqual(["a.txt", "b.bin"]);
    await store.deleteJob(owner.companyId, owner.jobId);
    expect(await store.get({ ...owner, name: "b.bin" })).toBeNull();
  });
});
