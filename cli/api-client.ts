import { chmod, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import path from "node:path";
import { UserError } from "./user-error.ts";

/** Where `kt` finds the control API when neither --api-url nor KEEPTRUSTS_API_URL says (the `npm start` port). */
export const DEFAULT_API_URL = "http://127.0.0.1:41003";

/** What `kt login` stores: the control API and the access key checked against it. */
export interface Credentials {
  api_url: string;
  token: string;
}

/** `$XDG_CONFIG_HOME/keeptrusts/credentials.json`, or `~/.config/keeptrusts/credentials.json`. */
export function credentialsPath(environment: NodeJS.ProcessEnv = process.env): string {
  const base = environment.XDG_CONFIG_HOME || path.join(homedir(), ".config");
  return path.join(base, "keeptrusts", "credentials.json");
}

/** The stored credentials, or undefined when `kt login` never ran. */
export async function readCredentials(
  environment: NodeJS.ProcessEnv = process.env,
): Promise<Credentials | undefined> {
  const file = credentialsPath(environment);
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new UserError(`${file}: cannot be read (${(error as NodeJS.ErrnoException).code})`);
  }
  try {
    const parsed = JSON.parse(text) as Partial<Credentials>;
    if (typeof parsed.api_url === "string" && typeof parsed.token === "string")
      return { api_url: parsed.api_url, token: parsed.token };
  } catch {
    // Reported below, like any other malformed file.
  }
  throw new UserError(`${file}: not a credentials file; run kt logout, then kt login`);
}

/** Writes the credentials readable by this user only (0600, in a 0700 folder). */
export async function writeCredentials(
  credentials: Credentials,
  environment: NodeJS.ProcessEnv = process.env,
): Promise<string> {
  const file = credentialsPath(environment);
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  await writeFile(file, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600 });
  await chmod(file, 0o600); // an older file keeps its mode on overwrite
  return file;
}

/** Removes the stored credentials; false when there were none. */
export async function removeCredentials(
  environment: NodeJS.ProcessEnv = process.env,
): Promise<boolean> {
  const file = credentialsPath(environment);
  const existed = (await readFile(file).catch(() => undefined)) !== undefined;
  await rm(file, { force: true });
  return existed;
}

/** A refusal from the control API, as one line: `CODE: DETAIL`. Exit code 1. */
export class ApiError extends UserError {
  readonly status: number;
  readonly code: string;

  constructor(status: number, code: string, detail: string) {
    super(`${code}: ${detail}`, 1);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
  }
}

interface Problem {
  code?: unknown;
  detail?: unknown;
  title?: unknown;
}

/** Turns a failed answer into an ApiError, reading problem+json when there is one. */
async function refusal(response: Response): Promise<ApiError> {
  const text = await response.text();
  let problem: Problem = {};
  try {
    problem = JSON.parse(text) as Problem;
  } catch {
    // Not from the control API (a proxy, another server): say what came back.
  }
  const code = typeof problem.code === "string" ? problem.code : `http_${response.status}`;
  const detail =
    typeof problem.detail === "string"
      ? problem.detail
      : typeof problem.title === "string"
        ? problem.title
        : `HTTP ${response.status} from ${response.url}`;
  const hint = response.status === 401 ? " (set KEEPTRUSTS_API_TOKEN or run kt login)" : "";
  return new ApiError(response.status, code, detail + hint);
}

/** What a request carries besides its method and path. */
export interface RequestOptions {
  body?: unknown;
  headers?: Record<string, string>;
  /** Send the access key (default true). */
  authenticated?: boolean;
}

/** The control API at one base URL, with the access key to use (if any). */
export interface ApiClient {
  baseUrl: URL;
  token: string | undefined;
  /** Calls the API; a refusal becomes an {@link ApiError}, an unreachable API a UserError. */
  request<T>(method: string, pathname: string, options?: RequestOptions): Promise<T>;
}

/** A client for the given base URL and key. */
export function apiClient(
  baseUrl: string,
  token: string | undefined,
  noToken = "no access key: set KEEPTRUSTS_API_TOKEN or run kt login --token kt_ak_…",
): ApiClient {
  let base: URL;
  try {
    base = new URL(baseUrl.endsWith("/") ? baseUrl : `${baseUrl}/`);
  } catch {
    throw new UserError(`${baseUrl} is not a URL (check --api-url and KEEPTRUSTS_API_URL)`);
  }
  return {
    baseUrl: base,
    token,
    async request<T>(method: string, pathname: string, options: RequestOptions = {}): Promise<T> {
      const headers: Record<string, string> = { accept: "application/json", ...options.headers };
      if (options.authenticated !== false) {
        if (!token) throw new UserError(noToken);
        headers.authorization = `Bearer ${token}`;
      }
      if (options.body !== undefined) headers["content-type"] = "application/json";
      const url = new URL(pathname.replace(/^\//, ""), base);
      let response: Response;
      try {
        response = await fetch(url, {
          method,
          headers,
          ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
        });
      } catch (error) {
        const cause = (error as { cause?: { code?: string } }).cause?.code ?? "no answer";
        throw new UserError(`cannot reach the control API at ${base.origin} (${cause})`, 1);
      }
      if (!response.ok) throw await refusal(response);
      try {
        return (await response.json()) as T;
      } catch {
        throw new UserError(
          `${url.href} answered ${response.status} without JSON: is it a control API?`,
          1,
        );
      }
    },
  };
}

/**
 * The client a command uses: the URL from --api-url, KEEPTRUSTS_API_URL, the
 * credentials of `kt login` or the default; the key from KEEPTRUSTS_API_TOKEN or
 * those credentials — stored credentials only for the API they were checked against.
 */
export async function connect(
  options: { apiUrl?: string },
  environment: NodeJS.ProcessEnv = process.env,
): Promise<ApiClient> {
  const fromEnvironment = environment.KEEPTRUSTS_API_TOKEN || undefined;
  // With a key in the environment, a broken credentials file does not matter.
  const stored = await readCredentials(environment).catch((error: unknown) => {
    if (fromEnvironment) return undefined;
    throw error;
  });
  const baseUrl =
    options.apiUrl ?? (environment.KEEPTRUSTS_API_URL || stored?.api_url || DEFAULT_API_URL);
  if (fromEnvironment) return apiClient(baseUrl, fromEnvironment);
  if (stored && sameBaseUrl(stored.api_url, baseUrl)) return apiClient(baseUrl, stored.token);
  return apiClient(
    baseUrl,
    undefined,
    stored
      ? `no access key for ${baseUrl}: kt login stored one for ${stored.api_url} only; set KEEPTRUSTS_API_TOKEN or run kt login --api-url ${baseUrl}`
      : undefined,
  );
}

function sameBaseUrl(first: string, second: string): boolean {
  try {
    return new URL(first).href.replace(/\/$/, "") === new URL(second).href.replace(/\/$/, "");
  } catch {
    return false;
  }
}
