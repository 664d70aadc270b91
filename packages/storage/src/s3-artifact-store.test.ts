import { createHash, randomBytes } from "node:crypto";
import { Readable } from "node:stream";
import { buffer } from "node:stream/consumers";
import { ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { freePort } from "@kiln/testkit";
import { type S3Server, startS3Server } from "@kiln/testkit/s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ArtifactStore } from "./artifact-store.ts";
import { createArtifactStore } from "./create-artifact-store.ts";
import { createS3ArtifactStore, type S3ArtifactStoreOptions } from "./s3-artifact-store.ts";
import { ArtifactStorageError } from "./storage-errors.ts";

let s3: S3Server;
let store: ArtifactStore;
let inspect: S3Client;
const owner = {
  companyId: "8c1d2c4e-0000-4000-8000-000000000001",
  jobId: "8c1d2c4e-0000-4000-8000-000000000002",
};
const sha256Of = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");
const readAll = async (stream: NodeJS.ReadableStream) => buffer(stream as Readable);
const settingsFor = (server: S3Server, bucket = server.bucket): S3ArtifactStoreOptions => ({
  bucket,
  prefix: "tenants/artifacts",
  region: "us-east-1",
  endpoint: server.endpoint,
  forcePathStyle: true,
  credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
});
const keysIn = async (prefix: string) =>
  ((await inspect.send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: prefix }))).Contents ?? []).map(
    (object) => object.Key,
  );

beforeAll(async () => {
  s3 = await startS3Server();
  store = await createArtifactStore({ kind: "s3", ...settingsFor(s3) });
  const { bucket: _, prefix: __, ...connection } = settingsFor(s3);
  inspect = new S3Client(connection);
});
afterAll(async () => {
  await store?.close();
  inspect?.destroy();
  await s3?.stop();
});

describe("S3 artifact store", () => {
  it("stores bytes under prefix/companyId/jobId/name and reports their size and sha256", async () => {
    const stored = await store.put({ ...owner, name: "a.txt" }, new TextEncoder().encode("hello"), {
      contentType: "text/plain",
    });
    expect(stored).toEqual({
      size: 5,
      sha256: "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824",
    });
    expect(await keysIn("tenants/")).toEqual([`tenants/artifacts/${owner.companyId}/${owner.jobId}/a.txt`]);
    const read = await store.get({ ...owner, name: "a.txt" });
    expect(read?.size).toBe(5);
    expect((await readAll(read!.stream())).toString()).toBe("hello");
  });

  it("streams a 12 MiB artifact up in parts, measuring it on the way", async () => {
    const bytes = randomBytes(12 * 1024 * 1024);
    const chunks = Array.from({ length: 12 }, (_, index) =>
      bytes.subarray(index * 1024 ** 2, (index + 1) * 1024 ** 2),
    );
    const seen = s3.requests.length;
    const stored = await store.put({ ...owner, name: "big.bin" }, Readable.from(chunks));
    expect(stored).toEqual({ size: bytes.byteLength, sha256: sha256Of(bytes) });
    // 12 MiB in parts of 8 MiB: a multipart upload of two parts, never one 12 MiB PUT.
    const uploads = s3.requests
      .slice(seen)
      .map(({ method, url }) =>
        `${method} ${url}`.replace(/uploadId=[^&]+/, "uploadId=…").replace(/&x-id=\w+/, ""),
      );
    const objectPath = `/${s3.bucket}/tenants/artifacts/${owner.companyId}/${owner.jobId}/big.bin`;
    expect(uploads.sort()).toEqual(
      [
        `POST ${objectPath}?uploads=`,
        `PUT ${objectPath}?partNumber=1&uploadId=…`,
        `PUT ${objectPath}?partNumber=2&uploadId=…`,
        `POST ${objectPath}?uploadId=…`,
      ].sort(),
    );
    const read = await store.get({ ...owner, name: "big.bin" });
    expect(read?.size).toBe(bytes.byteLength);
    expect(sha256Of(await readAll(read!.stream()))).toBe(sha256Of(bytes));
  });

  it("reads a range with a ranged GET, reporting the whole size", async () => {
    await store.put({ ...owner, name: "digits.txt" }, new TextEncoder().encode("0123456789"));
    const seen = s3.requests.length;
    const read = await store.get({ ...owner, name: "digits.txt" }, { start: 2, end: 5 });
    expect(s3.requests.slice(seen)).toMatchObject([{ method: "GET", range: "bytes=2-5" }]);
    expect(read?.size).toBe(10);
    expect((await readAll(read!.stream())).toString()).toBe("2345");
  });

  it("answers null for a missing artifact and for names that try to escape", async () => {
    expect(await store.get({ ...owner, name: "missing.txt" })).toBeNull();
    expect(await store.get({ ...owner, name: "../../etc/passwd" })).toBeNull();
    await expect(store.put({ ...owner, name: "../x" }, new Uint8Array())).rejects.toThrow(/invalid/);
    await expect(store.put({ ...owner, jobId: "../x", name: "a" }, new Uint8Array())).rejects.toThrow(
      /invalid/,
    );
  });

  it("signs a GET URL that downloads the bytes with the type and disposition asked for", async () => {
    const url = await store.presignGet!(
      { ...owner, name: "a.txt" },
      { expiresInSeconds: 60, contentType: "text/plain", contentDisposition: 'inline; filename="a.txt"' },
    );
    expect(url.startsWith(`${s3.endpoint}/${s3.bucket}/tenants/artifacts/`)).toBe(true);
    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/plain");
    expect(response.headers.get("content-disposition")).toBe('inline; filename="a.txt"');
    expect(await response.text()).toBe("hello");
  });

  it("signs URLs for the public endpoint when callers reach the store by another address", async () => {
    const other = createS3ArtifactStore({ ...settingsFor(s3), publicEndpoint: "https://files.example.com" });
    const url = await other.presignGet!(
      { ...owner, name: "a.txt" },
      { expiresInSeconds: 60, contentType: "text/plain", contentDisposition: "inline" },
    );
    await other.close();
    expect(url).toMatch(/^https:\/\/files\.example\.com\/kiln-test\/tenants\/artifacts\/.*X-Amz-Expires=60/);
  });

  it("deletes every artifact of a job, and only that job's", async () => {
    const sibling = { ...owner, jobId: "8c1d2c4e-0000-4000-8000-000000000003" };
    await store.put({ ...sibling, name: "keep.txt" }, new TextEncoder().encode("keep"));
    await store.deleteJob(owner.companyId, owner.jobId);
    expect(await store.get({ ...owner, name: "a.txt" })).toBeNull();
    expect(await keysIn(`tenants/artifacts/${owner.companyId}/`)).toEqual([
      `tenants/artifacts/${owner.companyId}/${sibling.jobId}/keep.txt`,
    ]);
    await store.deleteJob(owner.companyId, owner.jobId); // nothing left: still fine
  });

  it("a stream that fails is the writer's error, not the store's, and leaves no object", async () => {
    const failing = (async function* () {
      yield new Uint8Array([1, 2, 3]);
      throw new Error("the renderer broke");
    })();
    await expect(store.put({ ...owner, name: "broken.bin" }, failing)).rejects.toThrow("the renderer broke");
    expect(await store.get({ ...owner, name: "broken.bin" })).toBeNull();
  });
});

describe("S3 artifact store that refuses or cannot be reached", () => {
  const expectStorageError = async (attempt: Promise<unknown>, reason: RegExp, action?: string) => {
    const error = await attempt.then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(ArtifactStorageError);
    expect((error as ArtifactStorageError).message).toBe("artifact storage is unavailable");
    expect((error as ArtifactStorageError).reason).toMatch(reason);
    if (action) expect((error as ArtifactStorageError).action).toBe(action);
  };

  it("a bucket that refuses writes: ArtifactStorageError naming AccessDenied, small or multipart", async () => {
    const readOnly = createS3ArtifactStore(settingsFor(s3, s3.readOnlyBucket));
    await expectStorageError(
      readOnly.put({ ...owner, name: "a.txt" }, new Uint8Array([1])),
      /^AccessDenied \(HTTP 403\): Access Denied$/,
      "storing a.txt",
    );
    await expectStorageError(
      readOnly.put({ ...owner, name: "big.bin" }, Readable.from([randomBytes(9 * 1024 * 1024)])),
      /AccessDenied/,
    );
    await readOnly.close();
  });

  it("a missing bucket: NoSuchBucket on write and on read (not a missing artifact)", async () => {
    const missing = createS3ArtifactStore(settingsFor(s3, "no-such-bucket"));
    await expectStorageError(missing.put({ ...owner, name: "a.txt" }, new Uint8Array([1])), /NoSuchBucket/);
    await expectStorageError(missing.get({ ...owner, name: "a.txt" }), /^NoSuchBucket/, "reading a.txt");
    await missing.close();
  });

  it("an endpoint that is down: ArtifactStorageError naming the socket error, fast", async () => {
    const down = createS3ArtifactStore({
      ...settingsFor(s3),
      endpoint: `http://127.0.0.1:${await freePort()}`,
    });
    const started = performance.now();
    await expectStorageError(down.put({ ...owner, name: "a.txt" }, new Uint8Array([1])), /ECONNREFUSED/);
    await expectStorageError(down.get({ ...owner, name: "a.txt" }), /ECONNREFUSED/);
    await expectStorageError(down.deleteJob(owner.companyId, owner.jobId), /ECONNREFUSED/);
    expect(performance.now() - started).toBeLessThan(5_000);
    await down.close();
  });
});
