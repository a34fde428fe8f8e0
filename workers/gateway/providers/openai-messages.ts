/**
 * Reading an OpenAI chat request for providers that speak another shape
 * (Anthropic, Gemini): the parts every such adapter needs, kept in one place.
 */
import type { EventSourceMessage } from "eventsource-parser";
import { z } from "zod";
import type { ChatMessage } from "../../policy/types.ts";

const DATA_URL = /^data:([^;,]+);base64,(.+)$/s;

/** A content part that has an equivalent outside OpenAI. */
export type ContentPiece =
  | { kind: "text"; text: string }
  | { kind: "inline-image"; mediaType: string; data: string }
  | { kind: "image-url"; url: string };

/** The text of a message's content, its text parts joined by newlines. */
export function textOf(content: ChatMessage["content"]): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content
    .flatMap((part) => (part.type === "text" && typeof part.text === "string" ? [part.text] : []))
    .join("\n");
}

/** Text and image parts (empty text dropped); audio, files and unknown parts are left out. */
export function contentPieces(content: ChatMessage["content"]): ContentPiece[] {
  if (typeof content === "string") return content ? [{ kind: "text", text: content }] : [];
  if (!Array.isArray(content)) return [];
  return content.flatMap((part): ContentPiece[] => {
    if (part.type === "text")
      return typeof part.text === "string" && part.text ? [{ kind: "text", text: part.text }] : [];
    if (part.type !== "image_url") return [];
    const image = part.image_url as { url?: unknown } | string | undefined;
    const url = typeof image === "string" ? image : image?.url;
    if (typeof url !== "string") return [];
    const inline = DATA_URL.exec(url);
    if (inline?.[1] && inline[2])
      return [{ kind: "inline-image", mediaType: inline[1], data: inline[2] }];
    return url.startsWith("https://") ? [{ kind: "image-url", url }] : [];
  });
}

/** Parses text into a JSON object; anything else (invalid, array, scalar) gives undefined. */
export function jsonObject(text: string | undefined): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text ?? "");
    if (typeof value === "object" && value !== null && !Array.isArray(value))
      return value as Record<string, unknown>;
  } catch {
    // not JSON
  }
  return undefined;
}

/** An OpenAI function tool, as the other providers declare tools. */
export interface FunctionTool {
  name: string;
  description?: string;
  parameters?: Record<string, unknown>;
}

const functionToolSchema = z.looseObject({
  type: z.literal("function"),
  function: z.looseObject({
    name: z.string().min(1),
    description: z.string().optional(),
    parameters: z.record(z.string(), z.unknown()).optional(),
  }),
});

/** The request's function tools; other tool types have no equivalent and are left out. */
export function functionTools(tools: readonly unknown[] | undefined): FunctionTool[] {
  return (tools ?? []).flatMap((tool) => {
    const parsed = functionToolSchema.safeParse(tool);
    return parsed.success ? [parsed.data.function] : [];
  });
}

/** The function a `tool_choice` object forces, if it names one. */
export function chosenFunction(choice: unknown): string | undefined {
  const name = (choice as { function?: { name?: unknown } } | null)?.function?.name;
  return typeof name === "string" ? name : undefined;
}

/** `stop` as a list, or undefined when there is none. */
export function stopList(stop: string | string[] | null | undefined): string[] | undefined {
  const list = typeof stop === "string" ? [stop] : stop;
  return list && list.length > 0 ? list : undefined;
}

/** One turn of a conversation that must alternate roles. */
export interface Turn<Role extends string, Item> {
  role: Role;
  items: Item[];
}

/** Appends items as a turn, merged into the previous turn when it has the same role. */
export function appendTurn<Role extends string, Item>(
  turns: Array<Turn<Role, Item>>,
  role: Role,
  items: Item[],
): void {
  if (items.length === 0) return;
  const last = turns.at(-1);
  if (last?.role === role) last.items.push(...items);
  else turns.push({ role, items });
}

/** Parses a stream event's data as JSON; throws (erroring the stream) when it is not. */
export function eventJson(event: EventSourceMessage, provider: string): unknown {
  try {
    return JSON.parse(event.data);
  } catch {
    throw new Error(`${provider} sent a stream event that is not JSON`);
  }
}
