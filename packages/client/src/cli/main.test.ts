import { spawn } from "node:child_process";
import { createHash, randomUUID } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTestHarness, type TestHarness } from "@kiln/api/testing";
import type { Job } from "@kiln/core";
import { repoRoot } from "@kiln/testkit";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "./run-cli.ts";

let h: TestHarness;
let env: Record<string, string>;
let scratch: string;
/** The CLI built from these sources as the package builds it (scripts/build.mjs), self-contained. */
let cliBundle: string;

beforeAll(async () => {
  h = await createTestHarness();
  const [api] = await Promise.all([h.serve(), h.runWorker({ KILN_PROGRESS_INTERVAL_MS: "0" })]);
  const company = await h.createCompany();
  env = { KILN_URL: api.baseUrl, KILN_API_KEY: company.key, KILN_COMPANY_ID: company.companyId };
  scratch = await mkdtemp(join(tmpdir(), "kiln-cli-test-"));
  // Plain Node runs it in a fraction of what Node + tsx takes to start on every invocation.
  cliBundle = join(scratch, "cli.mjs");
  await build({
    entryPoints: [join(repoRoot, "packages/client/src/cli/main.ts")],
    outfile: cliBundle,
    bundle: true,
    format: "esm",
    platform: "node",
    target: "node20",
    logLevel: "warning",
  });
}, 120_000);
afterAll(async () => {
  await h?.close();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

/** Runs `kiln` the way a user does, as a child process from the repo root (by default, this source's bundle). */
const kiln = (args: string[], extraEnv: Record<string, string> = {}, entry = cliBundle) =>
  new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, [entry, ...args], {
      cwd: repoRoot,
      env: { ...process.env, KILN_URL: "", KILN_API_KEY: "", KILN_COMPANY_ID: "", ...env, ...extraEnv },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString("utf8");
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString("utf8");
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });

// Each case spawns Node, a second or more on a loaded machine.
const slow = { timeout: 120_000 };

describe("kiln submit", slow, () => {
  it("--wait follows the job (events on stderr), prints the final job, exits 0; --out downloads artifacts", async () => {
    const out = join(scratch, "artifacts");
    const result = await kiln([
      "submit",
      "canary",
      "--input",
      '{"durationMs":200,"steps":2}',
      "--wait",
      "--out",
      out,
    ]);
    expect(result.stderr).toMatch(/^submitted [0-9a-f-]{36}$/m);
    expect(result.stderr).toMatch(/^\d+-\d+ progress \d+% working step 2\/2$/m);
    expect(result.stderr).toMatch(/^\d+-\d+ done canary\.json$/m);
    expect(result.code).toBe(0);
    const job = JSON.parse(result.stdout) as Job;
    expect(job).toMatchObject({ status: "done", progress: 100, jobType: "canary" });
    const bytes = await readFile(join(out, "canary.json"));
    expect(createHash("sha256").update(bytes).digest("hex")).toBe(job.artifacts[0]!.sha256);
  });

  it("without --wait prints the accepted job; --input @file reads the file", async () => {
    const file = join(scratch, "input.json");
    await writeFile(file, JSON.stringify({ durationMs: 0, steps: 1 }));
    const result = await kiln(["submit", "canary", "--input", `@${file}`, "--source-task-id", "cli-test"]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ jobId: expect.any(String), status: "queued" });
  });

  it("--wait on a job that fails exits 3 with the job's error", async () => {
    const input = JSON.stringify({ durationMs: 0, steps: 1, failTimes: 1 });
    const result = await kiln(["submit", "canary", "--input", input, "--max-attempts", "1", "--wait"]);
    expect(result.code).toBe(3);
    expect(JSON.parse(result.stdout)).toMatchObject({ status: "failed" });
    expect(result.stderr).toMatch(/failed: canary_failure: /);
  });

  it("an invalid input exits 1 with the problem and one line per field error", async () => {
    const result = await kiln(["submit", "canary", "--input", '{"durationMs":-1,"steps":0}']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error: 400 Validation failed: /m);
    expect(result.stderr).toMatch(/^ {2}input\.durationMs: .+$/m);
    expect(result.stderr).toMatch(/^ {2}input\.steps: .+$/m);
    expect(result.stdout).toBe("");
  });
});

describe("kiln get, follow, list, download, job-types", slow, () => {
  it("get prints the job as JSON; an unknown job exits 1 with the 404", async () => {
    const submitted = await kiln(["submit", "canary", "--input", '{"durationMs":0,"steps":1}', "--wait"]);
    const { id } = JSON.parse(submitted.stdout) as Job;
    const result = await kiln(["get", id]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ id, status: "done" });

    const missing = await kiln(["get", randomUUID()]);
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim()).toBe("error: 404 Not found: No such job");
  });

  it("follow prints one line per event, ends after the terminal one; download writes the artifact", async () => {
    const submitted = await kiln(["submit", "canary", "--input", '{"durationMs":0,"steps":1}', "--wait"]);
    const { id, artifacts } = JSON.parse(submitted.stdout) as Job;
    const followed = await kiln(["follow", id]);
    expect(followed.code).toBe(0);
    expect(followed.stdout).toMatch(/^\d+-\d+ status done 100% /);
    expect(followed.stdout.trim().split("\n")).toHaveLength(1);

    const file = join(scratch, "downloaded.json");
    const downloaded = await kiln(["download", id, "canary.json", "-o", file]);
    expect(downloaded.code).toBe(0);
    expect(
      createHash("sha256")
        .update(await readFile(file))
        .digest("hex"),
    ).toBe(artifacts[0]!.sha256);
  });

  it("list --source-task-id prints one line per job; --json one JSON job per line", async () => {
    const sourceTaskId = `cli-${randomUUID()}`;
    await kiln([
      "submit",
      "canary",
      "--input",
      '{"durationMs":0,"steps":1}',
      "--source-task-id",
      sourceTaskId,
    ]);
    const listed = await kiln(["list", "--source-task-id", sourceTaskId]);
    expect(listed.code).toBe(0);
    expect(listed.stdout.trim().split("\n")).toHaveLength(1);
    expect(listed.stdout).toMatch(/canary/);
    const json = await kiln(["list", "--source-task-id", sourceTaskId, "--json", "--all"]);
    expect(JSON.parse(json.stdout)).toMatchObject({ jobType: "canary", sourceTaskId });
    expect(JSON.parse(json.stdout)).not.toHaveProperty("input");
    const whole = await kiln(["list", "--source-task-id", sourceTaskId, "--json", "--include-input"]);
    expect(JSON.parse(whole.stdout)).toMatchObject({ sourceTaskId, input: { durationMs: 0, steps: 1 } });
  });

  it("job-types works without credentials, through the package's bin (compiled, no tsx)", async () => {
    const result = await kiln(
      ["job-types"],
      { KILN_API_KEY: "", KILN_COMPANY_ID: "" },
      "packages/client/bin/kiln.js",
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^canary +Synthetic pipeline check/m);
  });
});

describe("usage errors exit 2", slow, () => {
  /** The same entry point in-process: usage errors need no server, and spawning costs seconds. */
  const runInProcess = async (args: string[]) => {
    let stderr = "";
    const io = {
      stdout: { write: () => true },
      stderr: { write: (text: string) => (stderr += text) },
      env: { KILN_API_KEY: "kiln_x", KILN_COMPANY_ID: "c" },
      readStdin: async () => "",
    };
    return { code: await runCli(args, io), stderr };
  };

  it.each([
    [["submit", "canary"], /--input is required/],
    [["submit", "canary", "--input", "{nope"], /--input is not valid JSON/],
    [
      ["submit", "canary", "--input", "{}", "--priority", "high"],
      /--priority must be a whole number from 0 to 100/,
    ],
    [["get"], /missing <jobId>/],
    [["get", "a", "b"], /unexpected argument "b"/],
    [["list", "--status", "lost"], /--status must be one of queued, running, done, failed, cancelled/],
    [["get", "x", "--bogus"], /Unknown option '--bogus'/],
    [["get", "x", "--url", "ftp://kiln"], /must start with http:\/\/ or https:\/\//],
    [["frobnicate"], /unknown command "frobnicate"/],
    [[], /Usage: kiln <command>/],
  ])("kiln %j", async (args, message) => {
    const result = await runInProcess(args as string[]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  });

  it("a missing API key names the variable to set (as a process)", async () => {
    const result = await kiln(["get", randomUUID()], { KILN_API_KEY: "" });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/set KILN_API_KEY or pass --api-key/);
  });
});
