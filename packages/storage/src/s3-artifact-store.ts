import type { Readable } from "node:stream";
import {
  DeleteObjectsCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  S3Client,
  type S3ClientConfig,
} from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import type { StorageLocation } from "@kiln/core";
import {
  type ArtifactKey,
  type ArtifactStore,
  artifactSegmentsOf,
  isValidArtifactName,
  jobSegmentsOf,
} from "./artifact-store.ts";
import { measureBody } from "./measured-body.ts";
import { ArtifactStorageError } from "./storage-errors.ts";

export type S3ArtifactStoreOptions = Omit<Extract<StorageLocation, { kind: "s3" }>, "kind"> & {
  /**
   * Size of a multipart upload's parts; an artifact up to this size is one `PutObject`.
   * Default 8 MiB (S3's minimum part is 5 MiB).
   */
  partSizeBytes?: number;
  /** Parts of one artifact uploaded at once. Default 4. */
  partsInFlight?: number;
  /** Connections to the store per process; every download streamed through the API holds one. Default 256. */
  maxSockets?: number;
  /** How long connecting to the store may take. Default 5000 ms. */
  connectTimeoutMs?: number;
  /** A connection idle this long (a stalled transfer) is closed. Default 60000 ms. */
  idleTimeoutMs?: number;
};

/** S3's answer for a key that does not exist (GET), or a range past the end of what is stored. */
const isMissing = (error: unknown): boolean =>
  error instanceof Error && (error.name === "NoSuchKey" || error.name === "InvalidRange");

/** `bytes 0-9/1234` → 1234. */
const totalOfContentRange = (header: string | undefined): number | undefined => {
  const total = header?.split("/")[1];
  return total === undefined || total === "*" ? undefined : Number(total);
};

/**
 * Artifacts in an S3-compatible bucket under `prefix/companyId/jobId/name`. Uploads stream
 * (multipart beyond `partSizeBytes`; an upload that fails is aborted, and S3 only shows an object
 * once it is complete); downloads are ranged GETs; presigned GET URLs are signed locally.
 */
export const createS3ArtifactStore = (options: S3ArtifactStoreOptions): ArtifactStore => {
  const { bucket, prefix } = options;
  const maxSockets = options.maxSockets ?? 256;
  const clientConfig = (endpoint: string | undefined): S3ClientConfig => ({
    region: options.region,
    ...(endpoint && { endpoint }),
    forcePathStyle: options.forcePathStyle,
    ...(options.credentials && { credentials: options.credentials }),
    requestHandler: {
      connectionTimeout: options.connectTimeoutMs ?? 5_000,
      socketTimeout: options.idleTimeoutMs ?? 60_000,
      httpAgent: { keepAlive: true, maxSockets },
      httpsAgent: { keepAlive: true, maxSockets },
    },
    // Checksums only where S3 requires them: the SDK's default (a CRC on every upload) is not
    // understood by every S3-compatible store.
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
  });
  const client = new S3Client(clientConfig(options.endpoint));
  // Presigning is local (no request): a client naming the address callers reach the store by.
  const publicEndpoint = options.publicEndpoint ?? options.endpoint;
  const signer = publicEndpoint === options.endpoint ? client : new S3Client(clientConfig(publicEndpoint));

  const under = (segments: string[]): string => [prefix, ...segments].filter(Boolean).join("/");
  const objectKey = (key: ArtifactKey): string => under(artifactSegmentsOf(key));

  const deleteKeys = async (keys: string[]) => {
    const answer = await client.send(
      new DeleteObjectsCommand({
        Bucket: bucket,
        Delete: { Objects: keys.map((Key) => ({ Key })), Quiet: true },
      }),
    );
    const failed = answer.Errors?.[0];
    if (failed) throw Object.assign(new Error(failed.Message ?? "delete refused"), { name: failed.Code });
  };

  return {
    async put(key, body, putOptions = {}) {
      const Key = objectKey(key);
      const measured = measureBody(body);
      try {
        await new Upload({
          client,
          params: {
            Bucket: bucket,
            Key,
            Body: measured.body,
            ...(putOptions.contentType && { ContentType: putOptions.contentType }),
          },
          partSize: options.partSizeBytes ?? 8 * 1024 * 1024,
          queueSize: options.partsInFlight ?? 4,
        }).done();
      } catch (error) {
        throw measured.sourceError() ?? new ArtifactStorageError(`storing ${key.name}`, error);
      }
      return measured.digest();
    },

    async get(key, range) {
      if (!isValidArtifactName(key.name)) return null;
      try {
        const answer = await client.send(
          new GetObjectCommand({
            Bucket: bucket,
            Key: objectKey(key),
            ...(range && { Range: `bytes=${range.start}-${range.end}` }),
          }),
        );
        const body = answer.Body as Readable | undefined;
        const size = range ? totalOfContentRange(answer.ContentRange) : answer.ContentLength;
        if (!body || size === undefined) {
          body?.destroy();
          throw new Error("the store answered without a body or a size");
        }
        return { size, stream: () => body };
      } catch (error) {
        if (isMissing(error)) return null;
        throw new ArtifactStorageError(`reading ${key.name}`, error);
      }
    },

    async deleteJob(companyId, jobId) {
      const Prefix = `${under(jobSegmentsOf(companyId, jobId))}/`;
      try {
        let ContinuationToken: string | undefined;
        do {
          const page = await client.send(
            new ListObjectsV2Command({ Bucket: bucket, Prefix, ContinuationToken }),
          );
          const keys = (page.Contents ?? []).flatMap((object) => (object.Key ? [object.Key] : []));
          if (keys.length > 0) await deleteKeys(keys);
          ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
        } while (ContinuationToken);
      } catch (error) {
        throw new ArtifactStorageError(`deleting the artifacts of job ${jobId}`, error);
      }
    },

    async presignGet(key, { expiresInSeconds, contentType, contentDisposition }) {
      const command = new GetObjectCommand({
        Bucket: bucket,
        Key: objectKey(key),
        ResponseContentType: contentType,
        ResponseContentDisposition: contentDisposition,
      });
      try {
        return await getSignedUrl(signer, command, { expiresIn: expiresInSeconds });
      } catch (error) {
        // No request is made: only credentials that cannot be loaded fail here.
        throw new ArtifactStorageError(`signing a URL for ${key.name}`, error);
      }
    },

    async close() {
      client.destroy();
      if (signer !== client) signer.destroy();
    },
  };
};
