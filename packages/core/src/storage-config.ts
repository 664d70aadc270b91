import { z } from "zod";
import { envBool } from "./config.ts";

/** Where artifacts live: a folder on this machine, or a bucket of an S3-compatible store. */
export type StorageLocation =
  | { kind: "local"; root: string }
  | {
      kind: "s3";
      bucket: string;
      /** Key prefix without leading or trailing `/` (may be empty): keys are `prefix/companyId/jobId/name`. */
      prefix: string;
      region: string;
      /** Unset: AWS S3 itself. */
      endpoint?: string;
      /** The endpoint presigned URLs name, when callers reach the store by another address. */
      publicEndpoint?: string;
      forcePathStyle: boolean;
      /** Unset: the AWS SDK's default chain (AWS_ACCESS_KEY_ID…, AWS_PROFILE, web identity, instance role). */
      credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
    };

/** An unset variable and an empty one (`VAR=`, or compose's `${VAR:-}`) mean the same. */
const optionalText = <S extends z.ZodType>(schema: S) =>
  z.preprocess((value) => (value === "" ? undefined : value), schema);

/** S3 bucket naming rules: 3–63 lowercase letters, digits, dots and hyphens, alphanumeric at both ends. */
const bucketPattern = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
/** Prefix segments: a conservative subset of S3's safe key characters, no `.` or `..` segments. */
const prefixSegmentPattern = /^(?!\.{1,2}$)[A-Za-z0-9._-]{1,128}$/;
const storageUrlHint = "must be s3://bucket[/prefix] or file:///absolute/path";

/** `KILN_STORAGE_URL`, read as a location (its S3 connection settings come from the other variables). */
type StorageUrl = { kind: "local"; root: string } | { kind: "s3"; bucket: string; prefix: string };

const parseStorageUrl = (value: string): StorageUrl | string => {
  if (value.startsWith("file:")) {
    try {
      const url = new URL(value);
      if (url.host !== "" || url.search !== "" || url.hash !== "") return storageUrlHint;
      const root = decodeURIComponent(url.pathname);
      return root === "/" || root === "" ? storageUrlHint : { kind: "local", root };
    } catch {
      return storageUrlHint;
    }
  }
  const match = /^s3:\/\/([^/?#@]+)(?:\/([^?#]*))?$/.exec(value);
  if (!match) {
    return value.startsWith("s3://")
      ? `${storageUrlHint}; credentials go in KILN_S3_ACCESS_KEY_ID / KILN_S3_SECRET_ACCESS_KEY`
      : storageUrlHint;
  }
  const [, bucket = "", path = ""] = match;
  if (!bucketPattern.test(bucket) || bucket.includes("..")) {
    return `"${bucket}" is not a valid bucket name (3–63 lowercase letters, digits, dots, hyphens)`;
  }
  const segments = path.split("/").filter((segment) => segment !== "");
  if (!segments.every((segment) => prefixSegmentPattern.test(segment)) || path.length > 512) {
    return "the prefix may hold letters, digits, . _ - and / only (no . or .. segments, at most 512 characters)";
  }
  return { kind: "s3", bucket, prefix: segments.join("/") };
};

const envStorageUrl = () =>
  optionalText(
    z
      .string()
      .transform((value, ctx) => {
        const parsed = parseStorageUrl(value);
        if (typeof parsed === "string") {
          ctx.addIssue({ code: "custom", message: parsed });
          return z.NEVER;
        }
        return parsed;
      })
      .optional(),
  );

const envHttpUrl = () =>
  optionalText(
    z
      .string()
      .refine((value) => {
        try {
          const url = new URL(value);
          return (url.protocol === "http:" || url.protocol === "https:") && url.pathname === "/";
        } catch {
          return false;
        }
      }, "must be an http:// or https:// URL without a path, such as http://127.0.0.1:9000")
      .transform((value) => value.replace(/\/$/, ""))
      .optional(),
  );

const envText = () => optionalText(z.string().optional());

/**
 * Where artifacts live, shared by the API and workers. Local disk (`STORAGE_DIR`) is the default for
 * one machine; `KILN_STORAGE_URL=s3://bucket/prefix` puts them in an S3-compatible store, which every
 * host reaches. The `KILN_S3_*` settings are read only for an `s3://` URL.
 */
export const storageConfigShape = {
  /** Artifact folder when `KILN_STORAGE_URL` is unset. Default `.data/artifacts`. */
  STORAGE_DIR: z.string().default(".data/artifacts"),
  /** `s3://bucket[/prefix]` or `file:///absolute/path`; wins over `STORAGE_DIR`. Default: unset. */
  KILN_STORAGE_URL: envStorageUrl(),
  /** An S3-compatible endpoint (MinIO, R2, Ceph…). Default: unset, AWS S3. */
  KILN_S3_ENDPOINT: envHttpUrl(),
  /** The endpoint presigned URLs name, when callers reach the store by another address. Default: `KILN_S3_ENDPOINT`. */
  KILN_S3_PUBLIC_ENDPOINT: envHttpUrl(),
  /** The bucket's region. Default: `AWS_REGION`, else `us-east-1`. */
  KILN_S3_REGION: optionalText(
    z
      .string()
      .regex(/^[a-z0-9-]{1,32}$/, "must be a region name such as eu-west-1")
      .optional(),
  ),
  AWS_REGION: envText(),
  /** Path-style URLs (`endpoint/bucket/key`), which MinIO and most S3-compatible stores need. Default false. */
  KILN_S3_FORCE_PATH_STYLE: envBool(false),
  /** Static credentials (both or neither). Default: unset, the AWS SDK's default chain. */
  KILN_S3_ACCESS_KEY_ID: envText(),
  KILN_S3_SECRET_ACCESS_KEY: envText(),
  KILN_S3_SESSION_TOKEN: envText(),
};

export type StorageConfig = z.output<z.ZodObject<typeof storageConfigShape>>;

/** Rules across storage variables, for a schema's `superRefine`. */
export const checkStorageConfig = (config: StorageConfig, ctx: z.RefinementCtx): void => {
  const keyId = config.KILN_S3_ACCESS_KEY_ID !== undefined;
  const secret = config.KILN_S3_SECRET_ACCESS_KEY !== undefined;
  if (keyId !== secret) {
    ctx.addIssue({
      code: "custom",
      path: [keyId ? "KILN_S3_SECRET_ACCESS_KEY" : "KILN_S3_ACCESS_KEY_ID"],
      message: "KILN_S3_ACCESS_KEY_ID and KILN_S3_SECRET_ACCESS_KEY go together: set both, or neither",
    });
  }
  if (config.KILN_S3_SESSION_TOKEN !== undefined && !keyId) {
    ctx.addIssue({
      code: "custom",
      // Named by the variable that is missing: an error never shows a secret's value.
      path: ["KILN_S3_ACCESS_KEY_ID"],
      message: "KILN_S3_SESSION_TOKEN needs KILN_S3_ACCESS_KEY_ID and KILN_S3_SECRET_ACCESS_KEY",
    });
  }
};

/** The artifact store a parsed configuration names. */
export const storageLocationOf = (config: StorageConfig): StorageLocation => {
  const url = config.KILN_STORAGE_URL;
  if (url === undefined) return { kind: "local", root: config.STORAGE_DIR };
  if (url.kind === "local") return url;
  const { KILN_S3_ACCESS_KEY_ID: accessKeyId, KILN_S3_SECRET_ACCESS_KEY: secretAccessKey } = config;
  return {
    ...url,
    region: config.KILN_S3_REGION ?? config.AWS_REGION ?? "us-east-1",
    ...(config.KILN_S3_ENDPOINT && { endpoint: config.KILN_S3_ENDPOINT }),
    ...(config.KILN_S3_PUBLIC_ENDPOINT && { publicEndpoint: config.KILN_S3_PUBLIC_ENDPOINT }),
    forcePathStyle: config.KILN_S3_FORCE_PATH_STYLE,
    ...(accessKeyId &&
      secretAccessKey && {
        credentials: {
          accessKeyId,
          secretAccessKey,
          ...(config.KILN_S3_SESSION_TOKEN && { sessionToken: config.KILN_S3_SESSION_TOKEN }),
        },
      }),
  };
};

/** Where artifacts go, for a startup log line: never a credential. */
export const describeStorageLocation = (location: StorageLocation): string => {
  if (location.kind === "local") return `local disk ${location.root}`;
  const url = `s3://${location.bucket}${location.prefix ? `/${location.prefix}` : ""}`;
  const where = location.endpoint ?? `AWS ${location.region}`;
  const keys = location.credentials ? "KILN_S3_* keys" : "the AWS SDK's credential chain";
  return `${url} at ${where}${location.forcePathStyle ? " (path-style)" : ""}, with ${keys}`;
};
