import http, {
  type IncomingMessage,
  type OutgoingHttpHeaders,
  type ServerResponse,
} from "node:http";
import type { AddressInfo } from "node:net";

/** A running gateway the proxy can send requests to (one per config version). */
export interface Backend {
  url: URL;
  close(): Promise<void>;
}

/** An answer the proxy gives itself, without a backend (`/health`). */
export interface LocalAnswer {
  status: number;
  body: unknown;
}

/** Where to listen and what to answer locally. */
export interface SwitchingProxyOptions {
  host: string;
  port: number;
  /** Answers a request itself, or returns undefined to forward it. */
  intercept?(request: IncomingMessage): LocalAnswer | undefined;
  /** Bodies up to this size are buffered, so a request on a stale pooled connection can be retried. */
  bufferBytes: number;
  /** How long an old backend may take to finish its requests (long streams) before it is closed anyway. */
  drainTimeoutMs?: number;
}

interface Generation {
  backend: Backend;
  agent: http.Agent;
  inFlight: number;
  idle: Array<() => void>;
}

const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-authenticate",
  "proxy-authorization",
  "proxy-connection",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
]);

function endToEnd(headers: http.IncomingHttpHeaders): OutgoingHttpHeaders {
  const kept: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !HOP_BY_HOP.has(name)) kept[name] = value;
  }
  return kept;
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
    "cache-control": "no-store",
  });
  response.end(text);
}

/** The body read so far: all of it, or (past `limit` bytes) its start, the rest still unread. */
interface ReadBody {
  chunks: Buffer[];
  complete: boolean;
}

/** Reads a request body, stopping (paused, not destroyed) once it passes `limit` bytes. */
function readBody(request: IncomingMessage, limit: number): Promise<ReadBody> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const settle = (outcome: () => void): void => {
      request.off("data", onData).off("end", onEnd).off("error", onError).off("close", onClose);
      outcome();
    };
    const onData = (chunk: Buffer): void => {
      chunks.push(chunk);
      size += chunk.length;
      if (size > limit) {
        request.pause();
        settle(() => resolve({ chunks, complete: false }));
      }
    };
    const onEnd = (): void => settle(() => resolve({ chunks, complete: true }));
    const onError = (error: Error): void => settle(() => reject(error));
    const onClose = (): void => settle(() => reject(new Error("the client went away")));
    request.on("data", onData).on("end", onEnd).on("error", onError).on("close", onClose);
  });
}

/**
 * A small HTTP proxy in front of the gateway's workerd processes, so a new config
 * version can take over without dropping a request: restarting workerd in place
 * (miniflare's setOptions) resets the connections in flight and refuses new ones
 * for about a second. Instead the new version starts beside the old one; once it
 * is ready, new requests go to it, and the old one is closed when its last request
 * (or stream) has ended. Responses, SSE streams included, are piped as they arrive.
 */
export class SwitchingProxy {
  readonly #server: http.Server;
  readonly #options: SwitchingProxyOptions;
  #current: Generation;
  #url: URL | undefined;
  /** Old backends still finishing their requests, and when they will be closed. */
  readonly #retiring = new Map<Generation, Promise<void>>();

  constructor(options: SwitchingProxyOptions, first: Backend) {
    this.#options = options;
    this.#current = SwitchingProxy.#generation(first);
    this.#server = http.createServer((request, response) => this.#handle(request, response));
    this.#server.keepAliveTimeout = 65_000;
  }

  static #generation(backend: Backend): Generation {
    return {
      backend,
      agent: new http.Agent({ keepAlive: true, maxSockets: 256 }),
      inFlight: 0,
      idle: [],
    };
  }

  /** Starts listening; resolves with the address (port 0 picks a free one). */
  listen(): Promise<URL> {
    return new Promise((resolve, reject) => {
      this.#server.once("error", reject);
      this.#server.listen(this.#options.port, this.#options.host, () => {
        this.#server.off("error", reject);
        const address = this.#server.address() as AddressInfo;
        const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
        this.#url = new URL(`http://${host}:${address.port}`);
        resolve(this.#url);
      });
    });
  }

  /** The backend new requests go to. */
  get backend(): Backend {
    return this.#current.backend;
  }

  /**
   * Sends new requests to `next` from now on, then waits for the old backend's
   * requests to end and closes it.
   */
  async switchTo(next: Backend): Promise<void> {
    const old = this.#current;
    this.#current = SwitchingProxy.#generation(next);
    const retired = this.#retire(old, this.#options.drainTimeoutMs ?? 600_000);
    this.#retiring.set(old, retired);
    try {
      await retired;
    } finally {
      this.#retiring.delete(old);
    }
  }

  /**
   * Stops accepting connections, lets requests in flight end (up to `timeoutMs`,
   * on older backends still draining too), closes every backend.
   */
  async close(timeoutMs: number): Promise<void> {
    const closed = new Promise((resolve) => this.#server.close(resolve));
    this.#server.closeIdleConnections();
    const deadline = setTimeout(() => {
      for (const generation of this.#retiring.keys()) {
        for (const resolve of generation.idle.splice(0)) resolve();
      }
    }, timeoutMs);
    await Promise.all([this.#retire(this.#current, timeoutMs), ...this.#retiring.values()]);
    clearTimeout(deadline);
    this.#server.closeAllConnections();
    await closed;
  }

  async #retire(generation: Generation, timeoutMs: number): Promise<void> {
    if (generation.inFlight > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, timeoutMs);
        generation.idle.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    generation.agent.destroy();
    await generation.backend.close();
  }

  #handle(request: IncomingMessage, response: ServerResponse): void {
    const local = this.#options.intercept?.(request);
    if (local) {
      request.resume();
      sendJson(response, local.status, local.body);
      return;
    }
    const generation = this.#current;
    generation.inFlight += 1;
    let done = false;
    response.once("close", () => {
      if (done) return;
      done = true;
      generation.inFlight -= 1;
      if (generation.inFlight === 0) for (const resolve of generation.idle.splice(0)) resolve();
    });
    this.#forward(generation, request, response).catch(() => {
      if (!response.headersSent) {
        sendJson(response, 502, {
          error: {
            message: "the gateway could not handle this request; try again",
            type: "server_error",
            param: null,
            code: "gateway_unavailable",
          },
        });
      } else {
        response.destroy();
      }
    });
  }

  async #forward(
    generation: Generation,
    request: IncomingMessage,
    response: ServerResponse,
  ): Promise<void> {
    const body = await readBody(request, this.#options.bufferBytes);
    const attempt = (retry: boolean): Promise<void> =>
      new Promise((resolve, reject) => {
        const { url } = generation.backend;
        const upstream = http.request({
          host: url.hostname,
          port: url.port,
          method: request.method,
          path: request.url,
          headers: endToEnd(request.headers),
          agent: generation.agent,
        });
        upstream.on("response", (answer) => {
          response.writeHead(answer.statusCode ?? 502, endToEnd(answer.headers));
          answer.pipe(response);
          answer.on("end", resolve);
          answer.on("error", reject);
          response.once("close", () => {
            if (!answer.readableEnded) answer.destroy();
            resolve();
          });
        });
        upstream.on("error", (error: NodeJS.ErrnoException) => {
          // A pooled connection the backend closed while idle: nothing reached it, send again.
          if (retry && body.complete && upstream.reusedSocket && error.code === "ECONNRESET") {
            attempt(false).then(resolve, reject);
          } else {
            reject(error);
          }
        });
        if (body.complete) {
          upstream.end(Buffer.concat(body.chunks));
        } else {
          upstream.write(Buffer.concat(body.chunks));
          request.pipe(upstream);
        }
      });
    await attempt(true);
  }
}
