import { Agent, request as httpRequest } from "node:http";
import { connect, type Socket } from "node:net";
import { type ServerType, serve } from "@hono/node-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestHarness, type TestHarness } from "../../src/testing/test-harness.ts";
import { canaryInput, jobsPath, type TestCompany } from "./support.ts";

const mebibyte = 1024 * 1024;

let h: TestHarness;
let acme: TestCompany;
let server: ServerType;
let port: number;

beforeAll(async () => {
  h = await createTestHarness();
  acme = await h.createCompany("Acme");
  // Over a real socket: what happens to the connection after a 413 is the point here.
  await new Promise<void>((resolve) => {
    server = serve({ fetch: h.app.fetch, port: 0, hostname: "127.0.0.1" }, (info) => {
      port = info.port;
      resolve();
    });
  });
});
afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  await h?.close();
});

interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Reads one HTTP/1.1 response with a Content-Length from a raw socket. */
const readResponse = (socket: Socket): Promise<RawResponse> =>
  new Promise((resolve, reject) => {
    let buffered = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      const end = buffered.indexOf("\r\n\r\n");
      if (end === -1) return;
      const [statusLine = "", ...lines] = buffered.subarray(0, end).toString("latin1").split("\r\n");
      const headers = Object.fromEntries(
        lines.map((line) => {
          const colon = line.indexOf(":");
          return [line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()];
        }),
      );
      const length = Number(headers["content-length"]);
      if (buffered.length < end + 4 + length) return;
      socket.off("data", onData);
      socket.off("error", reject);
      const body = buffered.subarray(end + 4, end + 4 + length).toString("utf8");
      resolve({ status: Number(statusLine.split(" ")[1]), headers, body });
    };
    socket.on("data", onData);
    socket.once("error", reject);
  });

const submitHead = (contentLength: number) =>
  `POST ${jobsPath(acme.companyId)} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${acme.key}\r\n` +
  `Content-Type: application/json\r\nContent-Length: ${contentLength}\r\n\r\n`;

describe("a 413 and the connection it came on", () => {
  it("a client that stops sending after an early 413 gets the problem, `Connection: close` and a clean close", async () => {
    const socket = connect(port, "127.0.0.1");
    await new Promise((resolve) => socket.once("connect", resolve));
    const errors: Error[] = [];
    socket.on("error", (error) => errors.push(error));
    const closed = new Promise((resolve) => socket.once("close", resolve));
    const ended = new Promise((resolve) => socket.once("end", resolve));

    // Declares more than the limit, sends a little of it, then waits for the answer.
    socket.write(submitHead(2 * mebibyte) + "{".padEnd(1000, " "));
    const response = await readResponse(socket);
    expect(response.status).toBe(413);
    expect(response.headers["content-type"]).toBe("application/problem+json");
    expect(JSON.parse(response.body)).toMatchObject({ status: 413, title: "Payload too large" });
    expect(response.headers.connection).toBe("close");

    await ended;
    await closed;
    expect(errors).toEqual([]);
  });

  it("over a keep-alive agent, the request after a 413 succeeds", async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const send = (method: string, path: string, body?: Buffer, contentLength?: number) =>
        new Promise<{ status: number; headers: Record<string, unknown>; body: string }>((resolve, reject) => {
          const req = httpRequest(
            {
              host: "127.0.0.1",
              port,
              method,
              path,
              agent,
              headers: {
                authorization: `Bearer ${acme.key}`,
                "content-type": "application/json",
                ...(contentLength !== undefined && { "content-length": contentLength }),
              },
            },
            (res) => {
              let text = "";
              res.setEncoding("utf8");
              res.on("data", (chunk: string) => {
                text += chunk;
              });
              res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
              res.on("error", reject);
            },
          );
          req.on("error", reject);
          req.end(body);
        });

      // An over-limit body that the client cuts short, as clients do on an early error answer.
      const rejected = await send("POST", jobsPath(acme.companyId), Buffer.alloc(1000, " "), 2 * mebibyte);
      expect(rejected.status).toBe(413);

      const body = Buffer.from(JSON.stringify({ jobType: "canary", input: canaryInput }));
      const accepted = await send("POST", jobsPath(acme.companyId), body, body.length);
      expect(accepted.status, accepted.body).toBe(202);
      expect((await send("GET", "/healthz")).status).toBe(200);
    } finally {
      agent.destroy();
    }
  });

  it("a whole over-limit body sent chunked → 413, and the next request on the agent succeeds", async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const rejected = await new Promise<number>((resolve, reject) => {
        const req = httpRequest(
          {
            host: "127.0.0.1",
            port,
            method: "POST",
            path: jobsPath(acme.companyId),
            agent,
            headers: { authorization: `Bearer ${acme.key}`, "content-type": "application/json" },
          },
          (res) => {
            res.resume();
            res.on("end", () => resolve(res.statusCode ?? 0));
          },
        );
        // The server may stop reading once it has answered; the write's EPIPE is not the point.
        req.on("error", (error: NodeJS.ErrnoException) =>
          error.code === "EPIPE" ? undefined : reject(error),
        );
        req.end(Buffer.alloc(2 * mebibyte, " "));
      });
      expect(rejected).toBe(413);
      const healthy = await new Promise<number>((resolve, reject) => {
        const req = httpRequest({ host: "127.0.0.1", port, path: "/healthz", agent }, (res) => {
          res.resume();
          res.on("end", () => resolve(res.statusCode ?? 0));
        });
        req.on("error", reject);
        req.end();
      });
      expect(healthy).toBe(200);
    } finally {
      agent.destroy();
    }
  });
});
