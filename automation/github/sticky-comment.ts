// Keeps exactly one comment per marker on a pull request: create, update, or leave it alone.
import type { Octokit } from "@octokit/rest";

export interface StickyCommentRequest {
  readonly owner: string;
  readonly repo: string;
  readonly issueNumber: number;
  /** First line of our comments, e.g. `<!-- gitops:plan key=plan -->`. */
  readonly marker: string;
  /** Stored exactly as given, so an unchanged body can be detected next time. */
  readonly body: string;
  /** Logins whose comments count as ours besides bots (a PAT user). Humans' comments are never touched otherwise. */
  readonly authors?: readonly string[];
  readonly dryRun?: boolean;
  /** Attempts for the create call; between attempts the comments are listed again. @default 3 */
  readonly createAttempts?: number;
  /** Wait before listing again after a failed create. @default 2000 */
  readonly createRetryDelayMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly log?: (message: string) => void;
}

export interface StickyCommentResult {
  readonly action: "created" | "updated" | "unchanged";
  /** null only for a dry-run create. */
  readonly commentId: number | null;
  readonly url: string | null;
  /** Older duplicates removed (or, in a dry run, that would be). */
  readonly deleted: readonly number[];
  readonly dryRun: boolean;
}

interface CommentLike {
  id: number;
  body?: string | null;
  html_url: string;
  created_at: string;
  user: { login: string; type: string } | null;
}

/** GitHub may hand bodies back with CRLF; compare with LF. */
function normalize(body: string): string {
  return body.replace(/\r\n/g, "\n");
}

function firstLine(body: string): string {
  const end = body.indexOf("\n");
  return (end === -1 ? body : body.slice(0, end)).replace(/\r$/, "");
}

/** Our comments for this marker, oldest first, across every page of the PR's comments. */
export async function findStickyComments(octokit: Octokit, req: StickyCommentRequest): Promise<CommentLike[]> {
  const comments = await octokit.paginate(octokit.rest.issues.listComments, { owner: req.owner, repo: req.repo, issue_number: req.issueNumber, per_page: 100 });
  const authors = new Set(req.authors ?? []);
  return comments
    .filter((c) => c.user !== null && (c.user.type === "Bot" || authors.has(c.user.login)))
    .filter((c) => firstLine(c.body ?? "") === req.marker)
    .sort((a, b) => a.created_at.localeCompare(b.created_at) || a.id - b.id);
}

export async function upsertStickyComment(octokit: Octokit, req: StickyCommentRequest): Promise<StickyCommentResult> {
  if (firstLine(req.body) !== req.marker) throw new Error(`comment body must start with the marker line ${req.marker}`);
  const log = req.log ?? (() => undefined);
  const existing = await findStickyComments(octokit, req);
  if (existing.length > 0) return reconcile(octokit, req, existing);
  if (req.dryRun) return { action: "created", commentId: null, url: null, deleted: [], dryRun: true };

  const attempts = req.createAttempts ?? 3;
  for (let attempt = 1; ; attempt++) {
    try {
      // retries: 0 — plugin-retry would repeat a POST that may already have landed.
      const { data } = await octokit.rest.issues.createComment({ owner: req.owner, repo: req.repo, issue_number: req.issueNumber, body: req.body, request: { retries: 0 } });
      return { action: "created", commentId: data.id, url: data.html_url, deleted: [], dryRun: false };
    } catch (error) {
      if (!mayHaveLanded(error) || attempt >= attempts) throw error;
      log(`creating the comment failed (${describeStatus(error)}); checking whether it was created before retrying (attempt ${attempt + 1} of ${attempts})`);
      // Give a POST that did land time to show up in the list.
      await (req.sleep ?? ((ms: number) => new Promise((resolve) => setTimeout(resolve, ms))))((req.createRetryDelayMs ?? 2000) * attempt);
      const landed = await findStickyComments(octokit, req);
      if (landed.length > 0) return reconcile(octokit, req, landed);
    }
  }
}

/** Keeps the newest comment, brings its body up to date, deletes older duplicates (after updating, so one always remains). */
async function reconcile(octokit: Octokit, req: StickyCommentRequest, comments: CommentLike[]): Promise<StickyCommentResult> {
  const newest = comments[comments.length - 1]!;
  const older = comments.slice(0, -1).map((c) => c.id);
  const unchanged = normalize(newest.body ?? "") === normalize(req.body);
  if (!req.dryRun) {
    if (!unchanged) await octokit.rest.issues.updateComment({ owner: req.owner, repo: req.repo, comment_id: newest.id, body: req.body });
    for (const id of older) {
      try {
        await octokit.rest.issues.deleteComment({ owner: req.owner, repo: req.repo, comment_id: id });
      } catch (error) {
        // Deleted by a racing run already: that is the outcome we wanted.
        if ((error as { status?: number }).status !== 404) throw error;
      }
    }
  }
  return { action: unchanged ? "unchanged" : "updated", commentId: newest.id, url: newest.html_url, deleted: older, dryRun: req.dryRun === true };
}

/** A 5xx or a timeout (surfaced by Octokit as status 500) does not tell whether the POST was stored. */
function mayHaveLanded(error: unknown): boolean {
  const status = (error as { status?: unknown }).status;
  return typeof status === "number" && status >= 500;
}

export function describeStatus(error: unknown): string {
  const e = error as { status?: unknown; message?: unknown };
  return `${typeof e.status === "number" ? e.status : "no status"}: ${typeof e.message === "string" ? e.message : String(error)}`;
}
