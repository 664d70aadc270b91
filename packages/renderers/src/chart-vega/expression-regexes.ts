import { parseExpression } from "vega-expression";

/**
 * Keys whose string values vega-lite hands to vega as expressions: `calculate` and `filter`
 * transforms, ExprRefs (`{expr}`), condition tests, parameter updates and raw signals.
 */
export const expressionKeys: ReadonlySet<string> = new Set([
  "calculate",
  "filter",
  "expr",
  "test",
  "update",
  "signal",
]);

export const expressionRegexMessage =
  "regular expressions (/…/ literals and regexp()) are not allowed in chart expressions: a pattern can take exponential time on a long string";

const isNode = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && typeof (value as { type?: unknown }).type === "string";

/**
 * True when `expression` builds a regular expression. Vega compiles regex literals straight
 * into the generated code, where nothing can bound their backtracking (`test(/(a+)+$/, …)`
 * blocks for minutes on 40 characters), so they are refused before vega sees the spec.
 * An expression that does not parse is left to vega, which reports it as an invalid spec.
 */
export const buildsRegex = (expression: string): boolean => {
  let root: unknown;
  try {
    root = parseExpression(expression);
  } catch {
    return false;
  }
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const node = stack.pop();
    if (!isNode(node)) continue;
    if (node.type === "Literal" && "regex" in node) return true;
    const callee = node.callee;
    if (
      node.type === "CallExpression" &&
      isNode(callee) &&
      callee.type === "Identifier" &&
      callee.name === "regexp"
    ) {
      return true;
    }
    for (const child of Object.values(node)) {
      if (Array.isArray(child)) stack.push(...child);
      else if (isNode(child)) stack.push(child);
    }
  }
  return false;
};
