// Octokit with retries and GitHub's rate-limit rules, configured so that no write is repeated blindly.
import { retry } from "@octokit/plugin-retry";
import { throttling } from "@octokit/plugin-throttling";
import { Octokit } from "@octokit/rest";

export interface GitHubClientOptions {
  /** REST root, `GITHUB_API_URL` in Actions. @default "https://api.github.com" */
  readonly baseUrl?: string;
  readonly token?: string;
  /** Retries per request for 5xx/timeouts (GET, PATCH, DELETE) and for rate limits. @default 3 */
  readonly retries?: number;
  /**
   * Milliseconds per unit of back-off: plugin-retry waits (n+1)² units, rate limits wait `retry-after`
   * units. Tests pass 1 to keep waits tiny. @default 1000
   */
  readonly retryUnitMs?: number;
  /** Longest rate-limit wait (seconds) we accept before failing instead. @default 120 */
  readonly maxRateLimitWaitSeconds?: number;
  /** Abort a request that has not answered in this time; it counts as a 5xx. @default 30000 */
  readonly requestTimeoutMs?: number;
  /**
   * GitHub asks integrations to pace writes (1 s apart, 3 s for ones that notify) and to limit
   * concurrent requests. Tests against a local server turn both off. @default true
   */
  readonly pacing?: boolean;
  /** Throttling limiter id; clients with the same id share pacing. @default "gitops" */
  readonly limiterId?: string;
  readonly fetch?: typeof globalThis.fetch;
  /** Progress messages (retries, waits); stderr in the CLI. */
  readonly log?: (message: string) => void;
}

const GitOpsOctokit = Octokit.plugin(retry, throttling);

export function createGitHubClient(options: GitHubClientOptions = {}): Octokit {
  const retries = options.retries ?? 3;
  const unit = options.retryUnitMs ?? 1000;
  const maxWait = options.maxRateLimitWaitSeconds ?? 120;
  const log = options.log ?? (() => undefined);
  const baseFetch = options.fetch ?? globalThis.fetch;
  const timeoutMs = options.requestTimeoutMs ?? 30000;

  const onLimit =
    (kind: string) =>
    (retryAfter: number, request: { method: string; url: string }, _octokit: unknown, retryCount: number): boolean => {
      if (retryCount >= retries || retryAfter > maxWait) {
        log(`GitHub ${kind} on ${request.method} ${request.url}: giving up after ${retryCount} retries (retry-after ${retryAfter}s)`);
        return false;
      }
      log(`GitHub ${kind} on ${request.method} ${request.url}: retrying after ${retryAfter}s`);
      return true;
    };

  const octokit = new GitOpsOctokit({
    baseUrl: options.baseUrl ?? "https://api.github.com",
    ...(options.token ? { auth: options.token } : {}),
    userAgent: "gitops-cli",
    request: {
      // A request that hangs is aborted and surfaces as status 500, like a network error.
      fetch: (url: string | URL | Request, init?: RequestInit) =>
        baseFetch(url, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, AbortSignal.timeout(timeoutMs)]) : AbortSignal.timeout(timeoutMs) }),
    },
    retry: {
      retries,
      retryAfterBaseValue: unit,
      // 403 and 429 are rate limits (or real refusals): the throttling plugin, which honours
      // retry-after, decides. Left to plugin-retry, 429 would be retried on its own schedule.
      doNotRetry: [400, 401, 403, 404, 410, 422, 429, 451],
    },
    throttle: {
      id: options.limiterId ?? "gitops",
      retryAfterBaseValue: unit,
      onRateLimit: onLimit("rate limit"),
      onSecondaryRateLimit: onLimit("secondary rate limit"),
      ...(options.pacing === false ? { global: unpacedGroup(), write: unpacedGroup(), notifications: unpacedGroup() } : {}),
    },
    log: { debug: () => undefined, info: () => undefined, warn: log, error: log },
  });

  // A 429 that is neither a secondary nor a primary (x-ratelimit-remaining: 0) limit is not handled
  // by the throttling plugin; honour its retry-after here. A 429 was not processed, so even a POST
  // may be repeated.
  octokit.hook.wrap("request", async (request, requestOptions) => {
    for (let attempt = 0; ; attempt++) {
      try {
        return await request(requestOptions);
      } catch (error) {
        const wait = plainRetryAfterSeconds(error);
        if (wait === null || attempt >= retries || wait > maxWait) throw error;
        log(`GitHub 429 on ${requestOptions.method} ${requestOptions.url}: retrying after ${wait}s`);
        await new Promise((resolve) => setTimeout(resolve, wait * unit));
      }
    }
  });
  return octokit;
}

interface ErrorWithResponse {
  status?: number;
  message?: string;
  response?: { headers?: Record<string, string | number | undefined> };
}

function plainRetryAfterSeconds(error: unknown): number | null {
  const e = error as ErrorWithResponse;
  if (e?.status !== 429) return null;
  const headers = e.response?.headers ?? {};
  if (/\bsecondary rate\b/i.test(e.message ?? "") || String(headers["x-ratelimit-remaining"]) === "0") return null;
  const value = Number(headers["retry-after"]);
  return Number.isFinite(value) && value >= 0 ? value : null;
}

/**
 * Stands in for a Bottleneck.Group in the throttling plugin's pacing: the plugin only calls
 * `key(id).schedule(options, fn, ...args)`. Runs jobs at once.
 */
function unpacedGroup(): NonNullable<import("@octokit/plugin-throttling").ThrottlingOptions["write"]> {
  const limiter = {
    schedule: (...args: unknown[]) => {
      const rest = typeof args[0] === "function" ? args : args.slice(1);
      const [fn, ...fnArgs] = rest as [(...a: unknown[]) => unknown, ...unknown[]];
      return Promise.resolve().then(() => fn(...fnArgs));
    },
  };
  return { key: () => limiter } as unknown as NonNullable<import("@octokit/plugin-throttling").ThrottlingOptions["write"]>;
}
