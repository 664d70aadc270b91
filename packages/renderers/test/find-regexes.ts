import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import ts from "typescript";

/** One regular expression written in the source: a literal, or a `RegExp(…)` call. */
export interface SourceRegex {
  /** `path:line`, relative to the scanned root. */
  location: string;
  /** The pattern, or undefined when it is computed at run time (a `RegExp` call with a non-literal). */
  source: string | undefined;
  flags: string;
  /** The code as written, for messages. */
  text: string;
}

const skippedDirectories = new Set(["node_modules", "generated", "dist", "build"]);

/** Every .ts file under `directory`, skipping dependencies and generated code. */
export const listTypeScriptFiles = (directory: string): string[] =>
  readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) return skippedDirectories.has(entry.name) ? [] : listTypeScriptFiles(path);
    return entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts") ? [path] : [];
  });

const literalText = (node: ts.Node | undefined): string | undefined =>
  node !== undefined && (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node))
    ? node.text
    : undefined;

/** Finds regex literals and `new RegExp(…)` / `RegExp(…)` calls with the TypeScript parser. */
export const findRegexes = (file: string, root: string): SourceRegex[] => {
  const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true);
  const found: SourceRegex[] = [];
  const locate = (node: ts.Node) =>
    `${relative(root, file)}:${source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1}`;
  const visit = (node: ts.Node): void => {
    if (node.kind === ts.SyntaxKind.RegularExpressionLiteral) {
      const text = node.getText(source);
      const end = text.lastIndexOf("/");
      found.push({ location: locate(node), source: text.slice(1, end), flags: text.slice(end + 1), text });
    } else if (
      (ts.isNewExpression(node) || ts.isCallExpression(node)) &&
      ts.isIdentifier(node.expression) &&
      node.expression.text === "RegExp"
    ) {
      const [pattern, flags] = node.arguments ?? [];
      found.push({
        location: locate(node),
        source: literalText(pattern),
        flags: literalText(flags) ?? "",
        text: node.getText(source).slice(0, 200),
      });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
};
