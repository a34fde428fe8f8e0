import { Agent, request } from "node:http";
import { percentile } from "./stats.ts";
import { ID_PLACEHOLDER, uniqueId } from "./workload.ts";

/**
 * A small streaming client: autocannon times whole responses only, so time to
 * first token is measured here, on node:http with keep-alive, as the time from
 * sending the request to the first SSE event that carries non-empty content.
 */

/** One closed-loop streaming run. */
export interface StreamLoadOptions {
  url: string;
  body: string;
  connections: number;
  seconds: number;
  /** Stops starting new streams after this many. */
  maxStreams: number;
}

/** What a streaming run measured. Times in milliseconds. */
export interface StreamResult {
  ok: number;
  failed: number;
  ttftP50: number;
  ttftP99: number;
  totalP50: number;
  totalP99: number;
}

const FIRST_CONTENT = /"content":"[^"]/;
/** Ids stay unique over the whole process, across runs and targets. */
let streamCounter = 0;
const PER_STREAM_TIMEOUT_MS = 10_000;

interface OneStream {
  ttft: number;
  total: number;
}

function oneStream(url: URL, body: Buffer, agent: Agent): Promise<OneStream> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    let ttft = Number.NaN;
    let head = "";
    let tail = "";
    const call = request(
      url,
      {
        agent,
        method: "POST",
        headers: { "content-type": "application/json", "content-length": body.length },
      },
      (response) => {
        if (response.statusCode !== 200) {
          response.resume();
          reject(new Error(`status ${response.statusCode}`));
          return;
        }
        response.setEncoding("utf8");
        response.on("data", (text: string) => {
          if (Number.isNaN(ttft)) {
            head += text;
            if (FIRST_CONTENT.test(head)) {
              ttft = performance.now() - started;
              head = "";
            }
          }
          tail = (tail + text).slice(-64);
        });
        response.on("end", () => {
          if (!tail.includes("data: [DONE]")) reject(new Error("stream ended without [DONE]"));
          else if (Number.isNaN(ttft)) reject(new Error("stream carried no content"));
          else resolve({ ttft, total: performance.now() - started });
        });
        response.on("error", reject);
      },
    );
    call.setTimeout(PER_STREAM_TIMEOUT_MS, () => call.destroy(new Error("stream timed out")));
    call.on("error", reject);
    call.end(body);
  });
}

/** Runs `connections` clients in a closed loop of streamed requests, bounded in time and count. */
export async function runStreamLoad(options: StreamLoadOptions): Promise<StreamResult> {
  const url = new URL(options.url);
  const agent = new Agent({ keepAlive: true, maxSockets: options.connections });
  const ttfts: number[] = [];
  const totals: number[] = [];
  let failed = 0;
  let started = 0;
  const deadline = performance.now() + options.seconds * 1000;
  const client = async () => {
    while (performance.now() < deadline && started < options.maxStreams) {
      started += 1;
      try {
        streamCounter += 1;
        const body = Buffer.from(options.body.replace(ID_PLACEHOLDER, uniqueId(streamCounter)));
        const result = await oneStream(url, body, agent);
        ttfts.push(result.ttft);
        totals.push(result.total);
      } catch {
        failed += 1;
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: options.connections }, client));
  } finally {
    agent.destroy();
  }
  ttfts.sort((a, b) => a - b);
  totals.sort((a, b) => a - b);
  return {
    ok: ttfts.length,
    failed,
    ttftP50: percentile(ttfts, 0.5),
    ttftP99: percentile(ttfts, 0.99),
    totalP50: percentile(totals, 0.5),
    totalP99: percentile(totals, 0.99),
  };
}
