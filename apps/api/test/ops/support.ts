import { expect } from "vitest";

/** Lines of a Prometheus text exposition. */
export const metricLines = async (response: Response): Promise<string[]> => {
  const text = await response.text();
  expect(response.status, text).toBe(200);
  expect(response.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
  return text.split("\n");
};

/**
 * The value of one series, written exactly as Prometheus shows it (`kiln_jobs{status="queued"}`),
 * or `undefined` when it is absent.
 */
export const sampleOf = (lines: string[], series: string): number | undefined => {
  const line = lines.find((candidate) => candidate.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
};

/** A Basic `Authorization` header: any user name, the admin token as password. */
export const basicAuth = (password: string, user = "ops") =>
  `Basic ${Buffer.from(`${user}:${password}`, "utf8").toString("base64")}`;
