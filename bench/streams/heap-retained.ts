// What a server's idle streams keep alive, read from two V8 heap snapshots (taken after a full
// collection: only reachable objects): the one before a burst of connects and the one once its
// streams are idle. Unlike RSS, which also counts heap pages V8 has not handed back since the burst,
// this is what the streams themselves retain, by kind of object.
//   npx tsx bench/streams/heap-retained.ts before.heapsnapshot idle.heapsnapshot <streams>
import { readFileSync } from "node:fs";

interface HeapSnapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

/** Self sizes (bytes) and counts by kind: the constructor's name for objects, else the node type. */
export const heapByKind = (path: string) => {
  const heap = JSON.parse(readFileSync(path, "utf8")) as HeapSnapshot;
  const fields = heap.snapshot.meta.node_fields;
  const types = heap.snapshot.meta.node_types[0];
  const [typeAt, nameAt, sizeAt] = ["type", "name", "self_size"].map((field) => fields.indexOf(field));
  const byKind = new Map<string, { bytes: number; count: number }>();
  let total = 0;
  for (let at = 0; at < heap.nodes.length; at += fields.length) {
    const type = types[heap.nodes[at + typeAt!]!]!;
    const bytes = heap.nodes[at + sizeAt!]!;
    // Strings and code are grouped by type: their "name" is their content.
    const kind =
      type === "object" || type === "native" || type === "closure"
        ? `${type} ${heap.strings[heap.nodes[at + nameAt!]!]}`
        : type;
    const entry = byKind.get(kind) ?? { bytes: 0, count: 0 };
    entry.bytes += bytes;
    entry.count += 1;
    byKind.set(kind, entry);
    total += bytes;
  }
  return { total, byKind };
};

/** Bytes retained per stream, in total and by the kinds that grew most. */
export const retainedPerStream = (beforePath: string, idlePath: string, streams: number, top = 15) => {
  const before = heapByKind(beforePath);
  const idle = heapByKind(idlePath);
  const grown = [...idle.byKind]
    .map(([kind, { bytes, count }]) => {
      const was = before.byKind.get(kind) ?? { bytes: 0, count: 0 };
      return {
        kind,
        bytesPerStream: Math.round((bytes - was.bytes) / streams),
        perStream: Math.round(((count - was.count) / streams) * 100) / 100,
      };
    })
    .sort((a, b) => b.bytesPerStream - a.bytesPerStream);
  return {
    heapBeforeMiB: Math.round((before.total / 2 ** 20) * 10) / 10,
    heapIdleMiB: Math.round((idle.total / 2 ** 20) * 10) / 10,
    retainedPerStreamKiB: Math.round(((idle.total - before.total) / streams / 1024) * 100) / 100,
    largest: grown.slice(0, top),
  };
};

if (import.meta.url === `file://${process.argv[1]}`) {
  const [beforePath, idlePath, streams] = process.argv.slice(2);
  if (!beforePath || !idlePath || !streams) {
    console.error("usage: heap-retained.ts before.heapsnapshot idle.heapsnapshot <streams>");
    process.exit(2);
  }
  console.log(JSON.stringify(retainedPerStream(beforePath, idlePath, Number(streams)), null, 2));
}
