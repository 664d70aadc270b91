import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestHarness, type TestHarness } from "../../src/testing/test-harness.ts";
import { canaryInput, expectProblem, jobsPath, listJobs, type TestCompany } from "./support.ts";

const mebibyte = 1024 * 1024;

let h: TestHarness;
let acme: TestCompany;

beforeAll(async () => {
  h = await createTestHarness();
  acme = await h.createCompany("Acme");
});
afterAll(() => h?.close());

/** A valid submit body of exactly `size` bytes: JSON whitespace pads it. */
const bodyOfSize = (size: number): Uint8Array => {
  const json = JSON.stringify({ jobType: "canary", input: canaryInput });
  const padded = `${json.slice(0, -1)}${" ".repeat(size - json.length)}}`;
  const bytes = new TextEncoder().encode(padded);
  expect(bytes.length).toBe(size);
  return bytes;
};

/** The bytes as a stream of 64 KiB chunks, the way a chunked upload (no Content-Length) arrives. */
const chunked = (bytes: Uint8Array): ReadableStream<Uint8Array> => {
  let offset = 0;
  return new ReadableStream({
    pull(controller) {
      if (offset >= bytes.length) return controller.close();
      controller.enqueue(bytes.subarray(offset, offset + 64 * 1024));
      offset += 64 * 1024;
    },
  });
};

const post = (body: Uint8Array | ReadableStream<Uint8Array>, headers: Record<string, string> = {}) =>
  h.app.request(
    new Request(`http://localhost${jobsPath(acme.companyId)}`, {
      method: "POST",
      headers: { authorization: `Bearer ${acme.key}`, "content-type": "application/json", ...headers },
      body,
      duplex: "half",
    } as RequestInit),
  );

describe("the submit body is limited to 1 MiB", () => {
  it("a body of exactly 1 MiB is accepted, with or without Content-Length", async () => {
    const bytes = bodyOfSize(mebibyte);
    expect((await post(bytes, { "content-length": String(bytes.length) })).status).toBe(202);
    expect((await post(chunked(bytes))).status).toBe(202);
    expect(await listJobs(h, acme)).toHaveLength(2);
  });

  it("one byte more, declared in Content-Length → 413 problem, nothing created", async () => {
    const before = (await listJobs(h, acme)).length;
    const bytes = bodyOfSize(mebibyte + 1);
    const problem = await expectProblem(await post(bytes, { "content-length": String(bytes.length) }), 413);
    expect(problem.title).toBe("Payload too large");
    expect(await listJobs(h, acme)).toHaveLength(before);
  });

  it("one byte more, chunked without Content-Length → 413 problem, nothing created", async () => {
    const before = (await listJobs(h, acme)).length;
    await expectProblem(await post(chunked(bodyOfSize(mebibyte + 1))), 413);
    expect(await listJobs(h, acme)).toHaveLength(before);
  });

  it("a much larger chunked body is cut off as well", async () => {
    await expectProblem(await post(chunked(bodyOfSize(5 * mebibyte))), 413);
  });

  it("a large body on an admin route → 413, not a 500", async () => {
    const name = "x".repeat(mebibyte + 10);
    const response = await h.admin("POST", "/api/companies", { name });
    await expectProblem(response, 413);
  });
});
