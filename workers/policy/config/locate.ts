import { isMap, isNode, LineCounter, parseDocument, type Document } from "yaml";
import { z } from "zod";

/** A path into the YAML document, as zod reports it. */
export type ConfigPath = readonly PropertyKey[];

/** Finds the line and column (1-based) of the node at `path`, or of its nearest ancestor. */
export function locate(
  document: Document,
  lines: LineCounter,
  path: ConfigPath,
  key?: string,
): { line: number; column: number } {
  for (let depth = path.length; depth >= 0; depth -= 1) {
    const prefix = path.slice(0, depth) as (string | number)[];
    const node = prefix.length === 0 ? document.contents : document.getIn(prefix, true);
    if (!isNode(node)) continue;
    let offset = node.range?.[0];
    const wanted = depth === path.length ? key : String(path[depth]);
    if (wanted !== undefined && isMap(node)) {
      const pair = node.items.find(
        (item) => isNode(item.key) && String((item.key as { value?: unknown }).value) === wanted,
      );
      if (pair && isNode(pair.key)) offset = pair.key.range?.[0];
    }
    if (offset !== undefined) {
      const position = lines.linePos(offset);
      return { line: position.line, column: position.col };
    }
  }
  return { line: 1, column: 1 };
}

/** Renders a path the way a person reads it: `providers.targets[0].model`. */
export function formatPath(path: ConfigPath): string {
  return path
    .map((part, index) =>
      typeof part === "number" ? `[${part}]` : `${index === 0 ? "" : "."}${String(part)}`,
    )
    .join("");
}

/** The keys an object schema accepts at `path`, for "did you mean" on unknown keys. */
export function knownKeys(schema: z.ZodType, path: ConfigPath): string[] {
  let current: z.ZodType | undefined = schema;
  const unwrap = (value: z.ZodType): z.ZodType => {
    let node = value;
    while (
      node instanceof z.ZodOptional ||
      node instanceof z.ZodDefault ||
      node instanceof z.ZodNullable
    ) {
      node = node.unwrap() as z.ZodType;
    }
    return node;
  };
  for (const part of path) {
    if (!current) return [];
    const node = unwrap(current);
    if (node instanceof z.ZodObject) current = node.shape[String(part)] as z.ZodType | undefined;
    else if (node instanceof z.ZodArray) current = node.element as z.ZodType;
    else if (node instanceof z.ZodRecord) current = node.valueType as z.ZodType;
    else return [];
  }
  const last = current ? unwrap(current) : undefined;
  return last instanceof z.ZodObject ? Object.keys(last.shape) : [];
}

/** A YAML text parsed with positions, or its syntax errors, each with line and column. */
export function parseYaml(
  text: string,
  options: { uniqueKeys?: boolean } = {},
):
  | { ok: true; document: Document; lines: LineCounter }
  | { ok: false; errors: Array<{ path: string; line: number; column: number; message: string }> } {
  const lines = new LineCounter();
  const document = parseDocument(text, {
    lineCounter: lines,
    prettyErrors: false,
    uniqueKeys: options.uniqueKeys ?? true,
  });
  if (document.errors.length === 0) return { ok: true, document, lines };
  return {
    ok: false,
    errors: document.errors.map((error) => {
      const position = lines.linePos(error.pos[0]);
      return {
        path: "",
        line: position.line,
        column: position.col,
        message: error.message.split("\n")[0] ?? error.message,
      };
    }),
  };
}
