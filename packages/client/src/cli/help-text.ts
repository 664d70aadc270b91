import type { Command } from "./command.ts";

const globalFlagHelp = [
  "--url <url>                 the API (env KILN_URL, default http://localhost:3000)",
  "--api-key <key>             an API key (env KILN_API_KEY)",
  "--company-id <id>           its company (env KILN_COMPANY_ID)",
  "--timeout-ms <ms>           time allowed per request (default 30000)",
  "--json                      machine-readable output",
  "-h, --help                  this help",
];

const indent = (lines: string[]) => lines.map((line) => `  ${line}`).join("\n");

export const mainHelp = (commands: readonly Command[]) => {
  const width = Math.max(...commands.map((command) => `${command.name} ${command.args}`.length));
  const rows = commands.map(
    (command) => `${`${command.name} ${command.args}`.padEnd(width)}  ${command.summary}`,
  );
  return `kiln: submit and follow Kiln render jobs

Usage: kiln <command> [arguments] [flags]

Commands:
${indent(rows)}

Flags of every command:
${indent(globalFlagHelp)}

Exit codes: 0 ok, 1 API or network error, 2 usage error, 3 the waited job failed or was cancelled.
Run 'kiln <command> --help' for a command's flags.
`;
};

export const commandHelp = (command: Command) => `Usage: kiln ${command.name} ${command.args} [flags]

${command.summary}.
${command.flagHelp.length > 0 ? `\nFlags:\n${indent(command.flagHelp)}\n` : ""}
Flags of every command:
${indent(globalFlagHelp)}
`;
