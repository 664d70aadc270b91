import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { text } from "node:stream/consumers";
import { afterAll, describe, expect, it } from "vitest";
import { createArtifactStore } from "./create-artifact-store.ts";
import { ArtifactStorageError } from "./storage-errors.ts";

const root = await mkdtemp(join(tmpdir(), "kiln-artifacts-"));
const store = await createArtifactStore({ kind: "local", root });
const read = async (stream: NodeJS.ReadableStream) =>
  text(stream as NodeJS.ReadableStream & AsyncIterable<Buffer>);
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
    const stored2 = await store.get({ ...owner, name: "a.txt" });
    expect(stored2?.size).toBe(5);
    expect(await read(stored2!.stream())).toBe("hello");
  });

  it("stores a stream the same way, and reads a range of it", async () => {
    const stored = await store.put(
      { ...owner, name: "digits.txt" },
      Readable.from([Buffer.from("01234"), Buffer.from("56789")]),
    );
    expect(stored.size).toBe(10);
    expect(stored.sha256).toBe("84d89877f0d4041efb6bf91a16f0248f2fd573e6af05c19f96bedb9f882f7882");
    const range = await store.get({ ...owner, name: "digits.txt" }, { start: 2, end: 5 });
    expect(range?.size).toBe(10);
    expect(await read(range!.stream())).toBe("2345");
  });

  it("a folder it cannot write: ArtifactStorageError naming the cause", async () => {
    const blocked = await createArtifactStore({ kind: "local", root: join(root, "a.file") });
    await writeFile(join(root, "a.file"), "not a folder");
    const error = await blocked
      .put({ ...owner, name: "x.txt" }, new Uint8Array([1]))
      .catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(ArtifactStorageError);
    expect((error as ArtifactStorageError).action).toBe("storing x.txt");
    expect((error as ArtifactStorageError).reason).toMatch(/^(ENOTDIR|EEXIST)/);
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
    expect(files.sort()).toEqual(["a.txt", "b.bin", "digits.txt"]);
    await store.deleteJob(owner.companyId, owner.jobId);
    expect(await store.get({ ...owner, name: "b.bin" })).toBeNull();
  });
});
