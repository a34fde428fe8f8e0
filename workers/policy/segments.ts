import type { ChatMessage } from "./types.ts";

/**
 * One inspectable piece of text in a conversation: a string content, one text
 * part of a multi-part content, or the arguments of one tool call. Policies read
 * and rewrite segments, so every role and every place text can hide is covered.
 */
export interface Segment {
  messageIndex: number;
  role: string;
  field: string;
  text: string;
}

/** Lists every text segment of the conversation, in order. */
export function extractSegments(messages: readonly ChatMessage[]): Segment[] {
  const segments: Segment[] = [];
  messages.forEach((message, messageIndex) => {
    const { role, content } = message;
    if (typeof content === "string") {
      segments.push({ messageIndex, role, field: "content", text: content });
    } else if (Array.isArray(content)) {
      content.forEach((part, partIndex) => {
        if (part.type === "text" && typeof part.text === "string") {
          segments.push({ messageIndex, role, field: `content[${partIndex}]`, text: part.text });
        }
      });
    }
    message.tool_calls?.forEach((call, callIndex) => {
      const args = call.function?.arguments;
      if (typeof args === "string") {
        segments.push({
          messageIndex,
          role,
          field: `tool_calls[${callIndex}].arguments`,
          text: args,
        });
      }
    });
  });
  return segments;
}

/** Returns a copy of the messages with the segments' (possibly rewritten) text put back. */
export function applySegments(
  messages: readonly ChatMessage[],
  segments: readonly Segment[],
): ChatMessage[] {
  const copy: ChatMessage[] = messages.map((message) => ({
    ...message,
    content: Array.isArray(message.content)
      ? message.content.map((part) => ({ ...part }))
      : message.content,
    tool_calls: message.tool_calls?.map((call) => ({
      ...call,
      function: call.function ? { ...call.function } : undefined,
    })),
  }));
  for (const segment of segments) {
    const message = copy[segment.messageIndex];
    if (!message) continue;
    if (segment.field === "content") {
      message.content = segment.text;
      continue;
    }
    const part = /^content\[(\d+)\]$/.exec(segment.field);
    if (part && Array.isArray(message.content)) {
      const target = message.content[Number(part[1])];
      if (target) target.text = segment.text;
      continue;
    }
    const call = /^tool_calls\[(\d+)\]\.arguments$/.exec(segment.field);
    const fn = call ? message.tool_calls?.[Number(call[1])]?.function : undefined;
    if (fn) fn.arguments = segment.text;
  }
  for (const message of copy) {
    if (message.tool_calls === undefined) delete message.tool_calls;
  }
  return copy;
}
