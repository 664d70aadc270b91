/**
 * Where Redis is: one node (`redis://[user:password@]host:port[/db]`, `rediss://` for TLS), or a
 * Redis Cluster named by some of its nodes (`redis+cluster://[user:password@]host:port,host:port…`,
 * `rediss+cluster://` for TLS). A cluster's other nodes are discovered from those named; its
 * credentials and TLS apply to every node. A cluster has only database 0, so it takes no `/db`.
 */
export type RedisTarget =
  | { kind: "node"; url: string }
  | {
      kind: "cluster";
      nodes: { host: string; port: number }[];
      username?: string;
      password?: string;
      tls: boolean;
    };

const clusterUrl = /^(rediss?)\+cluster:\/\/(?:([^@/]*)@)?([^/?#]+)\/?$/;
// `host:port`, the host a name or an IPv4 address, or an IPv6 address in brackets.
const hostPort = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})$/;

/** `true` when the URL names a cluster (its form is checked by `parseRedisUrl`). */
export const namesRedisCluster = (url: string): boolean => /^rediss?\+cluster:/.test(url);

/** Reads a Redis URL; throws an error saying what is wrong with it. */
export const parseRedisUrl = (url: string): RedisTarget => {
  if (!namesRedisCluster(url)) {
    let protocol: string;
    try {
      protocol = new URL(url).protocol;
    } catch {
      throw new Error("must be a redis://, rediss://, redis+cluster:// or rediss+cluster:// URL");
    }
    if (protocol !== "redis:" && protocol !== "rediss:") {
      throw new Error("must be a redis://, rediss://, redis+cluster:// or rediss+cluster:// URL");
    }
    return { kind: "node", url };
  }
  const match = clusterUrl.exec(url);
  if (!match) {
    throw new Error(
      "a cluster is named redis+cluster://[user:password@]host:port[,host:port…] (no database)",
    );
  }
  const [, scheme, userInfo, hostList] = match;
  const nodes = (hostList ?? "").split(",").map((entry) => {
    const node = hostPort.exec(entry.trim());
    const port = Number(node?.[3]);
    if (!node || port < 1 || port > 65535) throw new Error(`"${entry}" is not host:port`);
    return { host: node[1] ?? node[2] ?? "", port };
  });
  const [username = "", password] = userInfo === undefined ? [] : splitOnce(userInfo, ":");
  return {
    kind: "cluster",
    nodes,
    ...(username && { username: decodeURIComponent(username) }),
    ...(password !== undefined && { password: decodeURIComponent(password) }),
    tls: scheme === "rediss",
  };
};

const splitOnce = (value: string, separator: string): [string, string | undefined] => {
  const at = value.indexOf(separator);
  return at < 0 ? [value, undefined] : [value.slice(0, at), value.slice(at + 1)];
};

/** The URL without its password, for logs and messages. */
export const describeRedisUrl = (url: string): string => {
  try {
    const target = parseRedisUrl(url);
    if (target.kind === "cluster") {
      return `cluster ${target.nodes.map(({ host, port }) => (host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`)).join(",")}`;
    }
    const parsed = new URL(url);
    return `${parsed.hostname}:${parsed.port || 6379}${parsed.pathname === "/" ? "" : parsed.pathname}`;
  } catch {
    return "(not a valid URL)";
  }
};
