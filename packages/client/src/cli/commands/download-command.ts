import { createWriteStream } from "node:fs";
import { basename } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as NodeReadableStream } from "node:stream/web";
import { requirePositionals, stringFlag } from "../cli-flags.ts";
import { type Command, exitCodes, printLine } from "../command.ts";

export const downloadCommand: Command = {
  name: "download",
  args: "<jobId> <name>",
  summary: "Download an artifact (to ./<name> by default)",
  flagHelp: ["-o, --output <file>         where to write it; - for standard output"],
  options: { output: { type: "string", short: "o" } },
  needsCredentials: true,
  async run({ client, values, positionals, io, signal }) {
    const [jobId, name] = requirePositionals(positionals, ["jobId", "name"]);
    const output = stringFlag(values, "output") ?? basename(name!);
    const artifact = await client.downloadArtifactStream(jobId!, name!, { signal });
    if (output === "-") {
      const reader = artifact.body.getReader();
      for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read())
        io.stdout.write(chunk.value);
      return exitCodes.ok;
    }
    const source = Readable.fromWeb(artifact.body as NodeReadableStream<Uint8Array>, { signal });
    const file = createWriteStream(output);
    await pipeline(source, file);
    printLine(io, "stderr", `wrote ${output} (${file.bytesWritten} bytes, ${artifact.contentType})`);
    return exitCodes.ok;
  },
};
