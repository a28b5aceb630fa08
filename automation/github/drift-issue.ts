// Keeps one open drift issue per environment: open or update it while there is drift, close it with
// a comment once the environment is clean. Only issues written by a bot (or --author) are ours.
import type { Octokit } from "@octokit/rest";
import { DRIFT_LABEL, driftIssueTitle } from "../render/drift-report";
import { createOnce, mayHaveLanded, normalizeBody, type CreateRetryOptions } from "./create-once";
import { describeStatus } from "./request-error";

export interface DriftIssueRequest extends CreateRetryOptions {
  readonly owner: string;
  readonly repo: string;
  readonly env: string;
  /** Logins whose issues count as ours besides bots (a PAT user). Humans' issues are never touched otherwise. */
  readonly authors?: readonly string[];
}

export interface DriftIssue {
  readonly number: number;
  readonly title: string;
  readonly body?: string | null;
  readonly html_url: string;
  readonly created_at: string;
  readonly user: { readonly login: string; readonly type: string } | null;
}

export interface DriftIssueResult {
  /** none: clean, and there was no open issue to close; kept: errors only, no issue opened. */
  readonly action: "created" | "updated" | "unchanged" | "closed" | "none" | "kept";
  readonly number: number | null;
  readonly url: string | null;
  /** Newer duplicates (from a race) closed in favour of the oldest. */
  readonly closedDuplicates: readonly number[];
}

/**
 * Our open drift issues for the environment, oldest first: label `drift`, exact title, written by a
 * bot or one of `authors`. The issues list also returns pull requests; those are skipped.
 */
export async function findDriftIssues(octokit: Octokit, req: DriftIssueRequest): Promise<DriftIssue[]> {
  const title = driftIssueTitle(req.env);
  const authors = new Set(req.authors ?? []);
  const issues = await octokit.paginate(octokit.rest.issues.listForRepo, { owner: req.owner, repo: req.repo, labels: DRIFT_LABEL, state: "open", per_page: 100 });
  return issues
    .filter((i) => i.pull_request === undefined || i.pull_request === null)
    .filter((i) => i.state === "open" && i.title === title)
    .filter((i) => i.user !== null && i.user !== undefined && (i.user.type === "Bot" || authors.has(i.user.login)))
    .sort((a, b) => a.created_at.localeCompare(b.created_at) || a.number - b.number);
}

/** Opens the issue with `body`, or brings the open one up to date (no write when the body is the same). */
export async function openOrUpdateDriftIssue(octokit: Octokit, req: DriftIssueRequest, body: string): Promise<DriftIssueResult> {
  const existing = await findDriftIssues(octokit, req);
  if (existing.length > 0) return reconcile(octokit, req, existing, body);

  return createOnce<DriftIssueResult>(
    {
      what: "the drift issue",
      create: async () => {
        // retries: 0 — plugin-retry would repeat a POST that may already have landed.
        const { data } = await octokit.rest.issues.create({
          owner: req.owner,
          repo: req.repo,
          title: driftIssueTitle(req.env),
          body,
          labels: [DRIFT_LABEL],
          request: { retries: 0 },
        });
        return { action: "created", number: data.number, url: data.html_url, closedDuplicates: [] };
      },
      findLanded: async () => {
        const landed = await findDriftIssues(octokit, req);
        return landed.length > 0 ? reconcile(octokit, req, landed, body) : null;
      },
    },
    req,
  );
}

/** Errors without drift: refresh an open issue so it does not show stale results, but open none. */
export async function updateOpenDriftIssue(octokit: Octokit, req: DriftIssueRequest, body: string): Promise<DriftIssueResult> {
  const existing = await findDriftIssues(octokit, req);
  if (existing.length === 0) return { action: "kept", number: null, url: null, closedDuplicates: [] };
  return reconcile(octokit, req, existing, body);
}

/** The environment is clean: comment on every open drift issue of ours and close it. */
export async function closeDriftIssues(octokit: Octokit, req: DriftIssueRequest, comment: string): Promise<DriftIssueResult> {
  const existing = await findDriftIssues(octokit, req);
  if (existing.length === 0) return { action: "none", number: null, url: null, closedDuplicates: [] };
  for (const issue of existing) await closeIssue(octokit, req, issue.number, comment, "completed");
  const first = existing[0]!;
  return { action: "closed", number: first.number, url: first.html_url, closedDuplicates: existing.slice(1).map((i) => i.number) };
}

/** Keeps the oldest issue (the one people already follow), updates its body, closes newer duplicates. */
async function reconcile(octokit: Octokit, req: DriftIssueRequest, issues: readonly DriftIssue[], body: string): Promise<DriftIssueResult> {
  const kept = issues[0]!;
  const duplicates = issues.slice(1);
  const unchanged = normalizeBody(kept.body ?? "") === normalizeBody(body);
  if (!unchanged) await octokit.rest.issues.update({ owner: req.owner, repo: req.repo, issue_number: kept.number, body });
  for (const dup of duplicates) await closeIssue(octokit, req, dup.number, `Duplicate of #${kept.number}.`, "not_planned");
  return { action: unchanged ? "unchanged" : "updated", number: kept.number, url: kept.html_url, closedDuplicates: duplicates.map((d) => d.number) };
}

async function closeIssue(octokit: Octokit, req: DriftIssueRequest, number: number, comment: string, reason: "completed" | "not_planned"): Promise<void> {
  try {
    await octokit.rest.issues.createComment({ owner: req.owner, repo: req.repo, issue_number: number, body: comment, request: { retries: 0 } });
  } catch (error) {
    // The comment only explains the close; one that may have landed is not worth a second copy.
    if (!mayHaveLanded(error)) throw error;
    (req.log ?? (() => undefined))(`commenting on issue #${number} failed (${describeStatus(error)}); closing it anyway`);
  }
  await octokit.rest.issues.update({ owner: req.owner, repo: req.repo, issue_number: number, state: "closed", state_reason: reason });
}
