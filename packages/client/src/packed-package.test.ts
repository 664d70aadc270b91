import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { createTestHarness, type TestHarness } from "@kiln/api/testing";
import { repoRoot } from "@kiln/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// `@kiln/client` as an application outside this repository gets it: `npm pack`, installed into an
// empty project under the OS temp dir, used from plain JavaScript, from TypeScript and as `kiln`.

const run = promisify(execFile);
const packageDir = join(repoRoot, "packages/client");
const tsc = join(repoRoot, "node_modules/typescript/bin/tsc");

let h: TestHarness;
let scratch: string;
let project: string;
let tarball: string;
let env: Record<string, string>;

beforeAll(async () => {
  h = await createTestHarness();
  const [api] = await Promise.all([h.serve(), h.runWorker({ KILN_PROGRESS_INTERVAL_MS: "0" })]);
  const company = await h.createCompany("Packed");
  env = { KILN_URL: api.baseUrl, KILN_API_KEY: company.key, KILN_COMPANY_ID: company.companyId };

  scratch = await mkdtemp(join(tmpdir(), "kiln-client-pack-"));
  // `prepack` builds dist/ first, as it would before a publish.
  const packed = await run("npm", ["pack", "--json", "--pack-destination", scratch], { cwd: packageDir });
  const [info] = JSON.parse(packed.stdout) as { filename: string }[];
  tarball = join(scratch, info!.filename);

  project = join(scratch, "consumer");
  await run("mkdir", [project]);
  await writeFile(
    join(project, "package.json"),
    JSON.stringify({ name: "consumer", private: true, type: "module" }),
  );
  // Its dependencies are packed from this checkout's node_modules and installed alongside, so the
  // install resolves them without the network (a real consumer gets the same from the registry).
  const dependencies = JSON.parse(await readFile(join(packageDir, "package.json"), "utf8")) as {
    dependencies: Record<string, string>;
  };
  const dependencyTarballs: string[] = [];
  for (const name of Object.keys(dependencies.dependencies)) {
    const { stdout } = await run(
      "npm",
      ["pack", join(repoRoot, "node_modules", name), "--json", "--pack-destination", scratch],
      {
        cwd: scratch,
      },
    );
    dependencyTarballs.push(join(scratch, (JSON.parse(stdout) as { filename: string }[])[0]!.filename));
  }
  await run("npm", ["install", tarball, ...dependencyTarballs, "--offline", "--no-audit", "--no-fund"], {
    cwd: project,
  });
}, 180_000);
afterAll(async () => {
  await h?.close();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

describe("the packed @kiln/client", () => {
  it("holds compiled JavaScript and declarations only, and depends on no workspace package or tsx", async () => {
    const listing = (await run("tar", ["-tzf", tarball])).stdout.split("\n").filter(Boolean);
    expect(listing).toContain("package/dist/index.js");
    expect(listing).toContain("package/dist/cli.js");
    expect(listing).toContain("package/bin/kiln.js");
    expect(listing).toContain("package/dist/types/client/src/index.d.ts");
    expect(listing.filter((file) => file.endsWith(".ts") && !file.endsWith(".d.ts"))).toEqual([]);

    const installed = JSON.parse(
      await readFile(join(project, "node_modules/@kiln/client/package.json"), "utf8"),
    ) as { dependencies: Record<string, string> };
    expect(Object.keys(installed.dependencies).sort()).toEqual(["eventsource-parser", "zod"]);
    const tree = (await run("npm", ["ls", "--all", "--parseable"], { cwd: project })).stdout;
    expect(tree).not.toMatch(/node_modules\/(tsx|@kiln\/core)\b/);

    // The SDK module runs in browsers too: it imports nothing from Node.
    const sdk = await readFile(join(project, "node_modules/@kiln/client/dist/index.js"), "utf8");
    expect(sdk).not.toMatch(/from\s*["']node:/);
  });

  it("submits and follows a canary from plain JavaScript", async () => {
    await writeFile(
      join(project, "follow.mjs"),
      `import { createKilnClient, KilnApiError } from "@kiln/client";
const kiln = createKilnClient({
  baseUrl: process.env.KILN_URL,
  apiKey: process.env.KILN_API_KEY,
  companyId: process.env.KILN_COMPANY_ID,
});
const { jobId } = await kiln.submit({ jobType: "canary", input: { durationMs: 300, steps: 3 } });
const types = [];
for await (const event of kiln.followJob(jobId)) types.push(event.type);
const job = await kiln.getJob(jobId);
const artifact = await kiln.downloadArtifact(jobId, "canary.json");
let rejected = null;
try {
  await kiln.submit({ jobType: "canary", input: { steps: "many" } });
} catch (error) {
  rejected = error instanceof KilnApiError ? error.status : String(error);
}
console.log(JSON.stringify({ types, status: job.status, progress: job.progress, bytes: artifact.bytes.byteLength, rejected }));
`,
    );
    const { stdout } = await run(process.execPath, ["follow.mjs"], {
      cwd: project,
      env: { ...process.env, ...env },
    });
    const result = JSON.parse(stdout) as {
      types: string[];
      status: string;
      progress: number;
      bytes: number;
      rejected: number;
    };
    expect(result).toMatchObject({ status: "done", progress: 100, rejected: 400 });
    expect(result.bytes).toBeGreaterThan(0);
    expect(result.types).toContain("content_job.progress");
    expect(result.types.at(-1)).toBe("content_job.done");
  }, 60_000);

  it("type-checks a TypeScript caller against the declarations, typed inputs included", async () => {
    await writeFile(
      join(project, "typed.ts"),
      `import { createKilnClient, type Job, type JobInputs, KilnApiError, type TypedSubmitBody } from "@kiln/client";

const kiln = createKilnClient({ baseUrl: "http://localhost:3000", apiKey: "key", companyId: "company" });
const body: TypedSubmitBody<"canary"> = { jobType: "canary", input: { durationMs: 10, steps: 2 } };
// @ts-expect-error steps is a number: the renderer's schema reached the consumer as a type.
const wrong: TypedSubmitBody<"canary"> = { jobType: "canary", input: { durationMs: 10, steps: "two" } };
const card: JobInputs["image.card"]["title"] = "A title";
export const go = async (): Promise<Job["status"]> => {
  const { jobId } = await kiln.submit(body);
  // @ts-expect-error getJob takes an id string.
  await kiln.getJob(42);
  try {
    return (await kiln.waitForJob(jobId)).status;
  } catch (error) {
    if (error instanceof KilnApiError) return error.status === 404 ? "failed" : "cancelled";
    throw error;
  }
};
export { card, wrong };
`,
    );
    await writeFile(
      join(project, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          target: "ES2022",
          module: "NodeNext",
          moduleResolution: "NodeNext",
          lib: ["ES2022", "DOM"],
          strict: true,
          noEmit: true,
          skipLibCheck: false,
          types: [],
        },
        files: ["typed.ts"],
      }),
    );
    const checked = await run(process.execPath, [tsc, "-p", project], { cwd: project }).catch(
      (error: { stdout: string }) => ({ stdout: error.stdout, failed: true }),
    );
    expect(checked.stdout).toBe("");
  }, 60_000);

  it("runs the kiln CLI from the installed bin", async () => {
    const { stdout } = await run(
      join(project, "node_modules/.bin/kiln"),
      ["submit", "canary", "--input", '{"durationMs":100,"steps":2}', "--wait", "--json"],
      { cwd: project, env: { ...process.env, ...env } },
    );
    expect(JSON.parse(stdout)).toMatchObject({ status: "done", progress: 100, jobType: "canary" });
  }, 60_000);
});
