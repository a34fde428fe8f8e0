import { z } from "zod";
import type { ChatMessage } from "../../policy/types.ts";

/** Token usage as OpenAI reports it. */
export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details?: { cached_tokens?: number };
  [key: string]: unknown;
}

/** The body of `POST /v1/chat/completions` after validation. Unknown fields are kept. */
export interface ChatRequest {
  model: string;
  messages: ChatMessage[];
  stream?: boolean;
  stream_options?: { include_usage?: boolean } | null;
  max_tokens?: number;
  max_completion_tokens?: number;
  temperature?: number;
  top_p?: number;
  stop?: string | string[] | null;
  n?: number;
  tools?: unknown[];
  tool_choice?: unknown;
  [key: string]: unknown;
}

/** One choice of a non-streamed answer. */
export interface ChatChoice {
  index: number;
  message: ChatMessage;
  finish_reason: string | null;
  logprobs?: unknown;
}

/** A non-streamed chat completion in OpenAI's shape. */
export interface ChatCompletion {
  id: string;
  object: "chat.completion";
  created: number;
  model: string;
  choices: ChatChoice[];
  usage?: Usage;
  [key: string]: unknown;
}

/** The delta of one streamed choice. */
export interface ChunkDelta {
  role?: string;
  content?: string | null;
  tool_calls?: unknown[];
  [key: string]: unknown;
}

/** One streamed chunk in OpenAI's shape. */
export interface ChatCompletionChunk {
  id: string;
  object: "chat.completion.chunk";
  created: number;
  model: string;
  choices: Array<{
    index: number;
    delta: ChunkDelta;
    finish_reason: string | null;
    logprobs?: unknown;
  }>;
  usage?: Usage | null;
  [key: string]: unknown;
}

/** `POST /v1/embeddings` body after validation. */
export interface EmbeddingsRequest {
  model: string;
  input: string | string[];
  encoding_format?: "float" | "base64";
  dimensions?: number;
  user?: string;
}

/** An embeddings answer in OpenAI's shape. */
export interface EmbeddingsResponse {
  object: "list";
  data: Array<{ object: "embedding"; index: number; embedding: number[] | string }>;
  model: string;
  usage: { prompt_tokens: number; total_tokens: number };
}

const messageSchema = z.looseObject({
  role: z.enum(["system", "developer", "user", "assistant", "tool", "function"]),
  content: z.union([z.string(), z.array(z.looseObject({ type: z.string() })), z.null()]).optional(),
  name: z.string().optional(),
  tool_calls: z
    .array(
      z.looseObject({
        id: z.string().optional(),
        type: z.string().optional(),
        function: z
          .looseObject({ name: z.string().optional(), arguments: z.string().optional() })
          .optional(),
      }),
    )
    .optional(),
  tool_call_id: z.string().optional(),
});

/** Validates a chat completion request body (client input: strict on what we use). */
export const chatRequestSchema = z.looseObject({
  model: z.string().min(1),
  messages: z.array(messageSchema).min(1),
  stream: z.boolean().optional(),
  stream_options: z.looseObject({ include_usage: z.boolean().optional() }).nullable().optional(),
  max_tokens: z.number().int().positive().optional(),
  max_completion_tokens: z.number().int().positive().optional(),
  n: z.number().int().min(1).max(16).optional(),
  temperature: z.number().min(0).max(2).optional(),
});

/** Validates an embeddings request body. */
export const embeddingsRequestSchema = z.looseObject({
  model: z.string().min(1),
  input: z.union([z.string(), z.array(z.string()).min(1)]),
  encoding_format: z.enum(["float", "base64"]).optional(),
  dimensions: z.number().int().positive().optional(),
  user: z.string().optional(),
});

/** Loose check of an upstream OpenAI-shaped completion (upstreams are parsed loosely). */
export const upstreamCompletionSchema = z.looseObject({
  id: z.string().default(""),
  created: z.number().default(0),
  model: z.string().default(""),
  choices: z.array(
    z.looseObject({
      index: z.number().default(0),
      message: z.looseObject({ role: z.string().default("assistant") }),
      finish_reason: z.string().nullable().default(null),
    }),
  ),
  usage: z.looseObject({}).optional(),
});
