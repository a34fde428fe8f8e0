import { StreamWindow, type Finding, type OutputScanner } from "../../policy/index.ts";
import type { ChatCompletionChunk } from "../providers/openai-shapes.ts";
import type { StreamStage } from "./stage.ts";

/** What the output policies did to a stream, read when it ends. */
export interface StreamOutcome {
  action: "allow" | "redact" | "block" | "log";
  reason?: string;
  findings: Finding[];
  /** The answer as the caller received it (redacted), per choice. */
  text: Map<number, string>;
}

function finalChunk(
  template: ChatCompletionChunk,
  index: number,
  finishReason: string,
  content?: string,
): ChatCompletionChunk {
  return {
    id: template.id,
    object: "chat.completion.chunk",
    created: template.created,
    model: template.model,
    choices: [{ index, delta: content ? { content } : {}, finish_reason: finishReason }],
  };
}

/**
 * Runs the output policies over a stream of chunks. Text deltas go through a
 * holdback window per choice, so a value split across chunks is still redacted,
 * while roles, tool calls, finish reasons and usage pass untouched. When a policy
 * blocks, the stream ends at once with `finish_reason: "content_filter"`: nothing
 * from the offending text on reaches the caller.
 */
export function outputPolicyStream(
  scanner: OutputScanner | undefined,
  outcome: StreamOutcome,
): StreamStage<ChatCompletionChunk, ChatCompletionChunk> {
  const windows = new Map<number, StreamWindow>();
  let template: ChatCompletionChunk | undefined;
  let blocked = false;

  const windowFor = (index: number): StreamWindow | undefined => {
    if (!scanner) return undefined;
    let window = windows.get(index);
    if (!window) {
      window = new StreamWindow(scanner, index);
      windows.set(index, window);
    }
    return window;
  };
  const note = (index: number, release: string, findings: Finding[]) => {
    if (release) outcome.text.set(index, (outcome.text.get(index) ?? "") + release);
    if (findings.length > 0) {
      outcome.findings.push(...findings);
      if (outcome.action === "allow" || outcome.action === "log") outcome.action = "redact";
    }
  };

  return {
    transform(chunk, controller) {
      if (blocked) return;
      template ??= chunk;
      const choices: ChatCompletionChunk["choices"] = [];
      for (const choice of chunk.choices) {
        const window = windowFor(choice.index);
        const delta = { ...choice.delta };
        if (typeof delta.content === "string" && window) {
          const step = window.push(delta.content);
          if (step.blocked) {
            blocked = true;
            outcome.action = "block";
            outcome.reason = step.blocked.reason;
            outcome.findings.push(...step.findings);
            controller.enqueue(finalChunk(chunk, choice.index, "content_filter"));
            controller.terminate();
            return;
          }
          note(choice.index, step.release, step.findings);
          delta.content = step.release;
        } else if (typeof delta.content === "string") {
          note(choice.index, delta.content, []);
        }
        if (choice.finish_reason && window) {
          const rest = window.flush();
          if (rest.blocked) {
            blocked = true;
            outcome.action = "block";
            outcome.reason = rest.blocked.reason;
            outcome.findings.push(...rest.findings);
            controller.enqueue(finalChunk(chunk, choice.index, "content_filter"));
            controller.terminate();
            return;
          }
          note(choice.index, rest.release, rest.findings);
          delta.content = (typeof delta.content === "string" ? delta.content : "") + rest.release;
          if (delta.content === "") delete delta.content;
        }
        const carriesSomething =
          (typeof delta.content === "string" && delta.content !== "") ||
          delta.role !== undefined ||
          delta.tool_calls !== undefined ||
          choice.finish_reason !== null ||
          Object.keys(delta).some((key) => key !== "content");
        if (carriesSomething) choices.push({ ...choice, delta });
      }
      if (choices.length > 0 || chunk.choices.length === 0)
        controller.enqueue({ ...chunk, choices });
    },
    flush(controller) {
      if (blocked || !template) return;
      for (const [index, window] of windows) {
        const rest = window.flush();
        if (rest.blocked) {
          outcome.action = "block";
          outcome.reason = rest.blocked.reason;
          controller.enqueue(finalChunk(template, index, "content_filter"));
          return;
        }
        note(index, rest.release, rest.findings);
        if (rest.release) {
          controller.enqueue({
            ...template,
            choices: [{ index, delta: { content: rest.release }, finish_reason: null }],
            usage: undefined,
          });
        }
      }
    },
  };
}
