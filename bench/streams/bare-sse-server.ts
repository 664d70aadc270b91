// The baseline of `bench/streams.ts`: the least an SSE broadcast over Redis can do. A bare
// `node:http` server holds every stream in a Set; each message published on its Redis channel
// (Kiln's live envelope, `{id, type, data}` with `data` a JSON string) becomes one frame, encoded
// once and written to every stream; one timer pings them all. No auth, no quota, no replay.
// `/count` says how many streams it holds; `/memory` its `process.memoryUsage()`.
//   BARE_REDIS_URL, BARE_CHANNEL; prints `BARE_SSE_LISTENING port=…`.
import { createServer, type ServerResponse } from "node:http";
import { Redis } from "ioredis";

const streams = new Set<ServerResponse>();
const ping = Buffer.from(": ping\n\n");

const server = createServer((req, res) => {
  if (req.url === "/count") {
    res.end(String(streams.size));
    return;
  }
  if (req.url === "/memory") {
    res.end(JSON.stringify(process.memoryUsage()));
    return;
  }
  if (req.url !== "/events") {
    res.writeHead(404).end();
    return;
  }
  res.writeHead(200, {
    "content-type": "text/event-stream",
    "cache-control": "no-cache",
    "x-accel-buffering": "no",
  });
  res.write(": connected\n\n");
  streams.add(res);
  res.on("close", () => streams.delete(res));
});

const subscriber = new Redis(process.env.BARE_REDIS_URL ?? "redis://127.0.0.1:6379/12");
subscriber.on("message", (_channel: string, message: string) => {
  const { id, type, data } = JSON.parse(message) as { id: string; type: string; data: string };
  const frame = Buffer.from(`event: ${type}\ndata: ${data}\nid: ${id}\n\n`);
  for (const res of streams) res.write(frame);
});
await subscriber.subscribe(process.env.BARE_CHANNEL ?? "bare-sse");

setInterval(() => {
  for (const res of streams) res.write(ping);
}, 15_000).unref();

server.listen({ port: 0, host: "127.0.0.1", backlog: 4096 }, () => {
  const address = server.address();
  process.stdout.write(`BARE_SSE_LISTENING port=${typeof address === "object" ? address?.port : 0}\n`);
});
process.on("SIGTERM", () => {
  for (const res of streams) res.destroy();
  subscriber.disconnect();
  server.close(() => process.exit(0));
});
