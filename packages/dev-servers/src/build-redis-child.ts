// The download and build of Redis, in a process of its own that build-redis.ts spawns: there it can
// be bounded by a deadline and stopped together with the make and compilers it started, and
// redis-memory-server's console output lands in the build log instead of the terminal.
import { rm } from "node:fs/promises";
import { Agent as HttpAgent } from "node:http";
import { Agent as HttpsAgent } from "node:https";
import type { Duplex } from "node:stream";
import RedisBinaryDownloadModule from "redis-memory-server/lib/util/RedisBinaryDownload.js";

/** What build-redis.ts passes as the one argument (JSON). */
export interface BuildRedisRequest {
  downloadDir: string;
  version: string;
  downloadIdleTimeoutMs: number;
}

/** The one IPC message this process sends before it exits. */
export type BuildRedisResult = { ok: true; executable: string } | { ok: false; reason: string };

// A CommonJS module: its class is the `default` of what Node imports.
const RedisBinaryDownload = RedisBinaryDownloadModule.default;
type HttpDownloadOptions = Parameters<InstanceType<typeof RedisBinaryDownload>["httpDownload"]>[0];

/** Sockets that fail after `idleMs` without traffic, connecting included: the library sets no timeout. */
const withIdleTimeout = <A extends HttpAgent>(agent: A, idleMs: number): A => {
  const connect = agent.createConnection.bind(agent);
  agent.createConnection = (options, callback) => {
    const socket = connect(options, callback) as Duplex & {
      setTimeout(ms: number, listener: () => void): void;
    };
    socket.setTimeout(idleMs, () =>
      socket.destroy(new Error(`no answer from ${options.host ?? "the server"} for ${idleMs / 1000} s`)),
    );
    return socket;
  };
  return agent;
};

class BoundedRedisDownload extends RedisBinaryDownload {
  step = "preparing the download";

  constructor(private readonly request: BuildRedisRequest) {
    super({ downloadDir: request.downloadDir, version: request.version });
  }

  override download(url: string): Promise<string> {
    this.step = `downloading ${url}`;
    return super.download(url);
  }

  override httpDownload(options: HttpDownloadOptions, location: string, temporary: string): Promise<string> {
    const idleMs = this.request.downloadIdleTimeoutMs;
    const agent =
      options.agent ??
      withIdleTimeout(options.protocol === "http:" ? new HttpAgent() : new HttpsAgent(), idleMs);
    // The library checks certificates only when npm_config_strict_ssl=true: source we compile and run
    // comes from a server whose certificate was checked, always.
    return super.httpDownload(
      { ...options, agent, rejectUnauthorized: true } as HttpDownloadOptions,
      location,
      temporary,
    );
  }

  override async extract(archive: string): Promise<string> {
    this.step = `unpacking ${archive}`;
    try {
      return await super.extract(archive);
    } catch (error) {
      // Not an archive (a captive portal's page): the library would reuse it on every later start.
      await rm(archive, { force: true });
      throw error;
    }
  }

  override makeInstall(extractDir: string): Promise<void> {
    this.step = `building in ${extractDir} with make`;
    return super.makeInstall(extractDir);
  }
}

/** The line a reader needs: what was being done and the error's first line (the log has the rest). */
const reasonOf = (step: string, error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  const lines = message.split("\n").filter((line) => line.trim() !== "");
  // make's failure starts with the command; its last line (make: *** ... Error n) says more.
  const line = lines[0]?.startsWith("Command failed:") ? (lines.at(-1) ?? "") : (lines[0] ?? "");
  return `${step} failed: ${line.trim()}`;
};

const send = (result: BuildRedisResult) =>
  new Promise<void>((resolve) => (process.send ? process.send(result, () => resolve()) : resolve()));

const main = async () => {
  const request = JSON.parse(process.argv[2] ?? "{}") as BuildRedisRequest;
  const download = new BoundedRedisDownload(request);
  const fail = async (error: unknown) => {
    console.error(error);
    await send({ ok: false, reason: reasonOf(download.step, error) });
    process.exit(1);
  };
  // npm start gone (killed, crashed): the build goes too, make and the compilers with it (this
  // process leads their process group).
  process.once("disconnect", () => process.kill(-process.pid, "SIGKILL"));
  // The library leaves some errors unhandled (a response stream that breaks): they fail the build too.
  process.on("uncaughtException", (error) => void fail(error));
  try {
    const executable = await download.getRedisServerPath();
    await send({ ok: true, executable });
    process.exit(0);
  } catch (error) {
    await fail(error);
  }
};

void main();
