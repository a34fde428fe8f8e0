import type { ChatMessage, ToolCall } from "../../policy/types.ts";
import {
  appendTurn,
  chosenFunction,
  contentPieces,
  functionTools,
  jsonObject,
  stopList,
  textOf,
  type Turn,
} from "./openai-messages.ts";
import type { ChatRequest } from "./openai-shapes.ts";

/** The request half of the Gemini adapter: OpenAI's chat request in Gemini's shape. */

type Part = Record<string, unknown>;

function contentParts(content: ChatMessage["content"]): Part[] {
  return contentPieces(content).flatMap((piece): Part[] => {
    if (piece.kind === "text") return [{ text: piece.text }];
    if (piece.kind === "inline-image")
      return [{ inlineData: { mimeType: piece.mediaType, data: piece.data } }];
    return [];
  });
}

/** Google's OpenAI-compatible convention for carrying a call's thought signature. */
function thoughtSignatureOf(call: ToolCall): string | undefined {
  const extra = call.extra_content as { google?: { thought_signature?: unknown } } | undefined;
  const signature = extra?.google?.thought_signature;
  return typeof signature === "string" ? signature : undefined;
}

/**
 * OpenAI messages as Gemini `contents`. Tool calls become `functionCall` parts
 * (arguments that are not a JSON object are sent as `{}`); tool results become
 * `functionResponse` parts named after the call they answer, with the result
 * object as `response` or, when it is not a JSON object, `{content: <text>}`.
 */
function toContents(messages: readonly ChatMessage[]) {
  const system: string[] = [];
  const turns: Array<Turn<"user" | "model", Part>> = [];
  const toolNames = new Map<string, string>();
  for (const message of messages) {
    if (message.role === "system" || message.role === "developer") {
      const text = textOf(message.content);
      if (text) system.push(text);
    } else if (message.role === "assistant") {
      const calls = (message.tool_calls ?? []).map((call): Part => {
        const name = call.function?.name ?? "";
        if (call.id) toolNames.set(call.id, name);
        const signature = thoughtSignatureOf(call);
        return {
          functionCall: { name, args: jsonObject(call.function?.arguments) ?? {} },
          ...(signature ? { thoughtSignature: signature } : {}),
        };
      });
      appendTurn(turns, "model", [...contentParts(message.content), ...calls]);
    } else if (message.role === "tool") {
      const text = textOf(message.content);
      const name = toolNames.get(message.tool_call_id ?? "") ?? message.name ?? "";
      const response = jsonObject(text) ?? { content: text };
      appendTurn(turns, "user", [{ functionResponse: { name, response } }]);
    } else {
      appendTurn(turns, "user", contentParts(message.content));
    }
  }
  const contents = turns.map(({ role, items }) => ({ role, parts: items }));
  return { system: system.join("\n\n"), contents };
}

/** Function tools as declarations, parameters passed as JSON Schema (`parametersJsonSchema`). */
function toTools(tools: readonly unknown[] | undefined): Part[] {
  const declarations = functionTools(tools).map(({ name, description, parameters }) => ({
    name,
    ...(description ? { description } : {}),
    ...(parameters ? { parametersJsonSchema: parameters } : {}),
  }));
  return declarations.length > 0 ? [{ functionDeclarations: declarations }] : [];
}

const CALLING_MODES: Readonly<Record<string, string>> = {
  auto: "AUTO",
  none: "NONE",
  required: "ANY",
};

function toToolConfig(choice: unknown): Part | undefined {
  const name = chosenFunction(choice);
  if (name !== undefined)
    return { functionCallingConfig: { mode: "ANY", allowedFunctionNames: [name] } };
  const mode = typeof choice === "string" ? CALLING_MODES[choice] : undefined;
  return mode ? { functionCallingConfig: { mode } } : undefined;
}

function toGenerationConfig(body: ChatRequest): Part {
  const stop = stopList(body.stop);
  const format = body.response_format as
    { type?: unknown; json_schema?: { schema?: unknown } } | undefined;
  const json = format?.type === "json_object" || format?.type === "json_schema";
  const schema = format?.type === "json_schema" ? format.json_schema?.schema : undefined;
  const maxTokens = body.max_completion_tokens ?? body.max_tokens;
  return {
    ...(maxTokens !== undefined ? { maxOutputTokens: maxTokens } : {}),
    ...(body.temperature !== undefined ? { temperature: body.temperature } : {}),
    ...(body.top_p !== undefined ? { topP: body.top_p } : {}),
    ...(stop ? { stopSequences: stop } : {}),
    ...(body.n !== undefined ? { candidateCount: body.n } : {}),
    ...(json ? { responseMimeType: "application/json" } : {}),
    ...(schema ? { responseJsonSchema: schema } : {}),
  };
}

/** An OpenAI chat request as a Gemini `generateContent` body (contents, tools, generation config). */
export function toGenerateContentBody(body: ChatRequest): Record<string, unknown> {
  const { system, contents } = toContents(body.messages);
  const tools = toTools(body.tools);
  const toolConfig = tools.length > 0 ? toToolConfig(body.tool_choice) : undefined;
  const generationConfig = toGenerationConfig(body);
  return {
    contents,
    ...(system ? { systemInstruction: { parts: [{ text: system }] } } : {}),
    ...(tools.length > 0 ? { tools } : {}),
    ...(toolConfig ? { toolConfig } : {}),
    ...(Object.keys(generationConfig).length > 0 ? { generationConfig } : {}),
  };
}
