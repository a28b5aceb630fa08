// Keeps exactly one comment per marker on a pull request: create, update, or leave it alone.
import type { Octokit } from "@octokit/rest";
import { createOnce, normalizeBody, type CreateRetryOptions } from "./create-once";

export interface StickyCommentRequest extends CreateRetryOptions {
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
  const existing = await findStickyComments(octokit, req);
  if (existing.length > 0) return reconcile(octokit, req, existing);
  if (req.dryRun) return { action: "created", commentId: null, url: null, deleted: [], dryRun: true };

  return createOnce<StickyCommentResult>(
    {
      what: "the comment",
      create: async () => {
        // retries: 0 — plugin-retry would repeat a POST that may already have landed.
        const { data } = await octokit.rest.issues.createComment({ owner: req.owner, repo: req.repo, issue_number: req.issueNumber, body: req.body, request: { retries: 0 } });
        return { action: "created", commentId: data.id, url: data.html_url, deleted: [], dryRun: false };
      },
      findLanded: async () => {
        const landed = await findStickyComments(octokit, req);
        return landed.length > 0 ? reconcile(octokit, req, landed) : null;
      },
    },
    req,
  );
}

/** Keeps the newest comment, brings its body up to date, deletes older duplicates (after updating, so one always remains). */
async function reconcile(octokit: Octokit, req: StickyCommentRequest, comments: CommentLike[]): Promise<StickyCommentResult> {
  const newest = comments[comments.length - 1]!;
  const older = comments.slice(0, -1).map((c) => c.id);
  const unchanged = normalizeBody(newest.body ?? "") === normalizeBody(req.body);
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
