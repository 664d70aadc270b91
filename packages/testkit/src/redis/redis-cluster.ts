import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { freePort } from "../network/free-port.ts";
import { waitUntil } from "../wait/wait-until.ts";

export interface RedisClusterOptions {
  /** Master nodes, each serving an equal share of the 16384 slots (no replicas). Default 3. */
  masters?: number;
  /** The `redis-server` binary (7.0 or later: sharded pub/sub, CLUSTER ADDSLOTSRANGE). Default: on PATH. */
  redisServer?: string;
}

export interface RedisClusterNode {
  host: string;
  port: number;
  /** The node's cluster bus port (gossip between nodes). */
  busPort: number;
}

export interface RedisCluster {
  nodes: RedisClusterNode[];
  /** `redis+cluster://host:port,…`: what `REDIS_URL` takes to name this cluster. */
  url: string;
  /** Stops every node and deletes their folder. */
  stop(): Promise<void>;
}

const host = "127.0.0.1";
const slotCount = 16_384;

/**
 * A real Redis Cluster on loopback for a test: `masters` redis-servers with cluster mode on, on free
 * ports, in memory only (no RDB, no AOF), their cluster files in a temporary folder. Resolves once
 * every node says `cluster_state:ok`.
 *
 * The nodes are joined as `redis-cli --cluster create … --cluster-replicas 0` joins them (each
 * master an equal range of slots, distinct config epochs, then CLUSTER MEET), but directly:
 * redis-cli sleeps a whole second between its checks of the join. What remains is Redis's own
 * floor: a master turns `ok` no sooner than 2 s after it started (CLUSTER_WRITABLE_DELAY).
 */
export const startRedisCluster = async ({
  masters = 3,
  redisServer = "redis-server",
}: RedisClusterOptions = {}): Promise<RedisCluster> => {
  const dir = await mkdtemp(join(tmpdir(), "kiln-redis-cluster-"));
  const servers: ChildProcess[] = [];
  const stop = async () => {
    await Promise.all(servers.map(stopServer));
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const nodes: RedisClusterNode[] = [];
    // The bus port is chosen too: port + 10000, Redis's default, may be taken.
    for (let index = 0; index < masters; index++) {
      nodes.push({ host, port: await freePort(), busPort: await freePort() });
    }
    await Promise.all(
      nodes.map(async ({ port, busPort }) => {
        const server = spawn(
          redisServer,
          [
            ...["--port", String(port), "--bind", host, "--cluster-enabled", "yes"],
            ...["--cluster-port", String(busPort), "--cluster-config-file", `nodes-${port}.conf`],
            ...["--dir", dir, "--save", "", "--appendonly", "no", "--cluster-node-timeout", "5000"],
          ],
          { stdio: ["ignore", "pipe", "ignore"] },
        );
        servers.push(server);
        await waitForLine(server, /Ready to accept connections/, `redis-server on ${port}`);
      }),
    );
    await joinCluster(nodes);
    return {
      nodes,
      url: `redis+cluster://${nodes.map((node) => `${node.host}:${node.port}`).join(",")}`,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
};

/** Gives each node its range of slots, has the first meet the others, and waits for `cluster_state:ok` everywhere. */
const joinCluster = async (nodes: RedisClusterNode[]) => {
  const clients = nodes.map(({ port }) => new Redis({ host, port, lazyConnect: true }));
  try {
    await Promise.all(
      clients.map((client, index) => {
        const first = Math.floor((slotCount * index) / nodes.length);
        const last = Math.floor((slotCount * (index + 1)) / nodes.length) - 1;
        return client.cluster("ADDSLOTSRANGE", first, last);
      }),
    );
    // Distinct config epochs, as redis-cli sets them, so no two masters claim a slot with the same epoch.
    await Promise.all(clients.map((client, index) => client.cluster("SET-CONFIG-EPOCH", index + 1)));
    const [first] = clients;
    await Promise.all(
      nodes.slice(1).map((node) => first?.call("CLUSTER", "MEET", node.host, node.port, node.busPort)),
    );
    await waitUntil(
      async () => {
        const states = await Promise.all(clients.map((client) => client.cluster("INFO")));
        return states.every((info) => String(info).includes("cluster_state:ok"));
      },
      10_000,
      "every node of the cluster in state ok",
    );
  } finally {
    for (const client of clients) client.disconnect();
  }
};

const waitForLine = (server: ChildProcess, pattern: RegExp, what: string): Promise<void> =>
  new Promise((resolve, reject) => {
    let output = "";
    const onData = (chunk: Buffer) => {
      output += chunk.toString("utf8");
      if (!pattern.test(output)) return;
      server.stdout?.off("data", onData);
      server.off("exit", onExit);
      // Still read, or a full pipe would stop the server at its next log line.
      server.stdout?.resume();
      resolve();
    };
    const onExit = () => reject(new Error(`${what} exited before it was ready:\n${output.slice(-2000)}`));
    server.stdout?.on("data", onData);
    server.once("exit", onExit);
    server.once("error", reject);
  });

const stopServer = (server: ChildProcess): Promise<void> =>
  new Promise((resolve) => {
    if (server.exitCode !== null || server.signalCode !== null) return resolve();
    server.once("exit", () => resolve());
    server.kill("SIGKILL");
  });
