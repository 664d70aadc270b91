import { describe, expect, it } from "vitest";
import { z } from "zod";
import { ConfigError, parseEnv } from "./config.ts";
import {
  checkStorageConfig,
  describeStorageLocation,
  storageConfigShape,
  storageLocationOf,
} from "./storage-config.ts";

const schema = z.object(storageConfigShape).superRefine(checkStorageConfig);
const locationOf = (env: Record<string, string>) => storageLocationOf(parseEnv(schema, env));
const refusal = (env: Record<string, string>): string => {
  try {
    parseEnv(schema, env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error("accepted");
};

describe("where artifacts live (KILN_STORAGE_URL, STORAGE_DIR, KILN_S3_*)", () => {
  it("defaults to local disk: STORAGE_DIR, or a file:// URL; an empty URL is unset", () => {
    expect(locationOf({})).toEqual({ kind: "local", root: ".data/artifacts" });
    expect(locationOf({ STORAGE_DIR: "/srv/kiln" })).toEqual({ kind: "local", root: "/srv/kiln" });
    expect(locationOf({ KILN_STORAGE_URL: "file:///var/lib/kiln%20artifacts" })).toEqual({
      kind: "local",
      root: "/var/lib/kiln artifacts",
    });
    expect(locationOf({ KILN_STORAGE_URL: "", STORAGE_DIR: "/x" })).toEqual({ kind: "local", root: "/x" });
  });

  it("s3://bucket/prefix, with the S3 settings beside it; the URL wins over STORAGE_DIR", () => {
    expect(
      locationOf({
        KILN_STORAGE_URL: "s3://kiln-artifacts/prod/eu/",
        STORAGE_DIR: "/ignored",
        KILN_S3_ENDPOINT: "http://127.0.0.1:9000/",
        KILN_S3_PUBLIC_ENDPOINT: "https://files.example.com",
        KILN_S3_FORCE_PATH_STYLE: "true",
        KILN_S3_ACCESS_KEY_ID: "AKIAEXAMPLE",
        KILN_S3_SECRET_ACCESS_KEY: "secret",
      }),
    ).toEqual({
      kind: "s3",
      bucket: "kiln-artifacts",
      prefix: "prod/eu",
      region: "us-east-1",
      endpoint: "http://127.0.0.1:9000",
      publicEndpoint: "https://files.example.com",
      forcePathStyle: true,
      credentials: { accessKeyId: "AKIAEXAMPLE", secretAccessKey: "secret" },
    });
  });

  it("without keys, the AWS SDK's default chain; the region from KILN_S3_REGION, else AWS_REGION", () => {
    const bare = locationOf({ KILN_STORAGE_URL: "s3://kiln", AWS_REGION: "eu-west-3" });
    expect(bare).toEqual({
      kind: "s3",
      bucket: "kiln",
      prefix: "",
      region: "eu-west-3",
      forcePathStyle: false,
    });
    expect(
      locationOf({ KILN_STORAGE_URL: "s3://kiln", AWS_REGION: "eu-west-3", KILN_S3_REGION: "us-west-2" }),
    ).toMatchObject({ region: "us-west-2" });
  });

  it.each([
    [
      "a bucket name S3 refuses",
      { KILN_STORAGE_URL: "s3://Kiln_Bucket" },
      /KILN_STORAGE_URL=.*not a valid bucket name/,
    ],
    [
      "credentials in the URL",
      { KILN_STORAGE_URL: "s3://key:secret@kiln/x" },
      /credentials go in KILN_S3_ACCESS_KEY_ID/,
    ],
    ["a prefix that climbs", { KILN_STORAGE_URL: "s3://kiln/a/../b" }, /no \. or \.\. segments/],
    [
      "another scheme",
      { KILN_STORAGE_URL: "gs://kiln" },
      /must be s3:\/\/bucket\[\/prefix\] or file:\/\/\/absolute\/path/,
    ],
    ["a file URL with a host", { KILN_STORAGE_URL: "file://server/share" }, /KILN_STORAGE_URL/],
    [
      "an endpoint without a scheme",
      { KILN_S3_ENDPOINT: "minio:9000" },
      /KILN_S3_ENDPOINT="minio:9000": must be an http/,
    ],
    ["an endpoint with a path", { KILN_S3_ENDPOINT: "http://minio:9000/kiln" }, /KILN_S3_ENDPOINT/],
    ["a region that is not one", { KILN_S3_REGION: "EU West" }, /KILN_S3_REGION/],
  ])("refuses %s, naming the variable", (_, env, message) => {
    expect(refusal(env)).toMatch(message);
  });

  it("refuses half a key pair without ever printing the secret", () => {
    expect(refusal({ KILN_S3_ACCESS_KEY_ID: "AKIAEXAMPLE" })).toMatch(
      /KILN_S3_SECRET_ACCESS_KEY=\(unset\): KILN_S3_ACCESS_KEY_ID and KILN_S3_SECRET_ACCESS_KEY go together/,
    );
    const secretOnly = refusal({
      KILN_S3_SECRET_ACCESS_KEY: "very-secret",
      KILN_S3_SESSION_TOKEN: "token-value",
    });
    expect(secretOnly).toMatch(/KILN_S3_ACCESS_KEY_ID=\(unset\)/);
    expect(secretOnly).not.toMatch(/very-secret|token-value/);
  });
});

describe("the startup log line of the store", () => {
  it("names where, never a key", () => {
    const s3 = locationOf({
      KILN_STORAGE_URL: "s3://kiln/prod",
      KILN_S3_ENDPOINT: "http://minio:9000",
      KILN_S3_FORCE_PATH_STYLE: "true",
      KILN_S3_ACCESS_KEY_ID: "AKIAEXAMPLE",
      KILN_S3_SECRET_ACCESS_KEY: "very-secret",
    });
    expect(describeStorageLocation(s3)).toBe(
      "s3://kiln/prod at http://minio:9000 (path-style), with KILN_S3_* keys",
    );
    expect(describeStorageLocation(locationOf({ KILN_STORAGE_URL: "s3://kiln" }))).toBe(
      "s3://kiln at AWS us-east-1, with the AWS SDK's credential chain",
    );
    expect(describeStorageLocation(locationOf({}))).toBe("local disk .data/artifacts");
  });
});
