import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import S3rver from "s3rver";

/** A real S3-compatible server (s3rver) on a loopback port, its data in a temp folder. */
export interface S3Server {
  /** `http://127.0.0.1:<port>` (path-style addressing). */
  endpoint: string;
  port: number;
  /** A bucket that exists and takes writes. */
  bucket: string;
  /**
   * A bucket that exists but refuses every write (`403 AccessDenied`), as one whose policy denies
   * `s3:PutObject` to Kiln's credentials; reads work.
   */
  readOnlyBucket: string;
  /** Every request it got, in arrival order. */
  requests: S3Request[];
  /** The credentials s3rver accepts. */
  accessKeyId: string;
  secretAccessKey: string;
  /** What Kiln reads to use this server: `KILN_STORAGE_URL` (`bucket` by default) and the `KILN_S3_*` settings. */
  env(options?: { bucket?: string; prefix?: string }): Record<string, string>;
  /** Closes the server (connections too) and deletes its data. */
  stop(): Promise<void>;
}

export interface S3Request {
  method: string;
  /** `/bucket/key?query` */
  url: string;
  /** The `Range` header, when there was one. */
  range?: string;
}

const writeMethods = new Set(["PUT", "POST", "DELETE"]);

/** Answers like S3 does to a write a bucket policy denies, once the request's body has arrived. */
const denyWrite = (request: IncomingMessage, response: ServerResponse) => {
  request.resume();
  request.on("end", () => {
    response
      .writeHead(403, { "content-type": "application/xml" })
      .end(
        '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>',
      );
  });
};

/** Starts s3rver on a free loopback port with two buckets: `bucket` and a `readOnlyBucket`. */
export const startS3Server = async (): Promise<S3Server> => {
  const directory = await mkdtemp(join(tmpdir(), "kiln-s3-"));
  const bucket = "kiln-test";
  const readOnlyBucket = "kiln-read-only";
  const s3rver = new S3rver({
    silent: true,
    directory,
    vhostBuckets: false,
    configureBuckets: [
      { name: bucket, configs: [] },
      { name: readOnlyBucket, configs: [] },
    ],
  });
  await s3rver.configureBuckets();
  const handle = s3rver.callback();
  // s3rver has no bucket policies: its requests pass through this server, which denies the writes.
  const requests: S3Request[] = [];
  const server = createServer((request, response) => {
    const { method = "", url = "", headers } = request;
    requests.push({ method, url, ...(headers.range && { range: headers.range }) });
    const target = url.split(/[/?]/)[1];
    if (target === readOnlyBucket && writeMethods.has(method)) denyWrite(request, response);
    else handle(request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  const credentials = { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" };

  return {
    endpoint,
    port,
    bucket,
    readOnlyBucket,
    requests,
    ...credentials,
    env: ({ bucket: name = bucket, prefix = "" } = {}) => ({
      KILN_STORAGE_URL: `s3://${name}${prefix ? `/${prefix}` : ""}`,
      KILN_S3_ENDPOINT: endpoint,
      KILN_S3_REGION: "us-east-1",
      KILN_S3_FORCE_PATH_STYLE: "true",
      KILN_S3_ACCESS_KEY_ID: credentials.accessKeyId,
      KILN_S3_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    }),
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      );
      await rm(directory, { recursive: true, force: true });
    },
  };
};
