// What the sticky comment and the drift issue share: a create that is never posted twice, and body
// comparison that ignores GitHub's line endings.
import { describeStatus } from "./request-error";

/** GitHub may hand bodies back with CRLF; compare with LF. */
export function normalizeBody(body: string): string {
  return body.replace(/\r\n/g, "\n");
}

/** A 5xx or a timeout (surfaced by Octokit as status 500) does not tell whether the POST was stored. */
export function mayHaveLanded(error: unknown): boolean {
  const status = (error as { status?: unknown }).status;
  return typeof status === "number" && status >= 500;
}

export interface CreateRetryOptions {
  /** Attempts for the create call; between attempts GitHub is listed again. @default 3 */
  readonly createAttempts?: number;
  /** Wait before listing again after a failed create, times the attempt number. @default 2000 */
  readonly createRetryDelayMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly log?: (message: string) => void;
}

export interface CreateOnceSteps<T> {
  /** For the log line: "the comment", "the drift issue". */
  readonly what: string;
  /** The POST; called with plugin-retry off, since a retried POST may land twice. */
  readonly create: () => Promise<T>;
  /** Lists again after a failed create; a result means an earlier POST did land and was reconciled. */
  readonly findLanded: () => Promise<T | null>;
}

/**
 * Runs `create`; after a failure that may have landed (5xx, timeout) it waits, lists again through
 * `findLanded`, and only creates again when nothing landed. Other failures, and the last attempt's,
 * are thrown unchanged.
 */
export async function createOnce<T>(steps: CreateOnceSteps<T>, options: CreateRetryOptions = {}): Promise<T> {
  const attempts = options.createAttempts ?? 3;
  const log = options.log ?? (() => undefined);
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  for (let attempt = 1; ; attempt++) {
    try {
      return await steps.create();
    } catch (error) {
      if (!mayHaveLanded(error) || attempt >= attempts) throw error;
      log(`creating ${steps.what} failed (${describeStatus(error)}); checking whether it was created before retrying (attempt ${attempt + 1} of ${attempts})`);
      // Give a POST that did land time to show up in the list.
      await sleep((options.createRetryDelayMs ?? 2000) * attempt);
      const landed = await steps.findLanded();
      if (landed !== null) return landed;
    }
  }
}
