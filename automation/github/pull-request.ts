// What apply needs to know about the merged pull request: its labels and the fingerprints of the
// plans reviewers saw in its sticky plan comment.
import type { Octokit } from "@octokit/rest";
import { commentMarker, readFingerprints } from "../render/comment";
import { findStickyComments } from "./sticky-comment";

export interface PullRequestRef {
  readonly owner: string;
  readonly repo: string;
  readonly number: number;
}

export async function pullRequestLabels(octokit: Octokit, pr: PullRequestRef): Promise<string[]> {
  const { data } = await octokit.rest.issues.get({ owner: pr.owner, repo: pr.repo, issue_number: pr.number });
  return data.labels.map((l) => (typeof l === "string" ? l : (l.name ?? ""))).filter(Boolean);
}

/** The identity the plan workflow comments as; other apps installed on the repository are not trusted. */
export const PLAN_COMMENT_AUTHOR = "github-actions[bot]";

/**
 * Fingerprints from the newest plan comment (key `plan`) written by the plan workflow's identity
 * (or one of `authors`), or null when the PR has none. A comment by anyone else — a human quoting
 * the marker, another GitHub App — is never read as approval.
 */
export async function reviewedFingerprints(octokit: Octokit, pr: PullRequestRef, authors: readonly string[] = []): Promise<Record<string, string> | null> {
  const trusted = new Set([PLAN_COMMENT_AUTHOR, ...authors]);
  const comments = await findStickyComments(octokit, {
    owner: pr.owner,
    repo: pr.repo,
    issueNumber: pr.number,
    marker: commentMarker("plan"),
    body: "",
    authors,
  });
  const newest = comments.filter((c) => c.user !== null && trusted.has(c.user.login)).at(-1);
  return newest ? readFingerprints(newest.body ?? "") : null;
}

export function parseRepo(value: string): { owner: string; repo: string } | null {
  const [owner, repo, ...rest] = value.split("/");
  return owner && repo && rest.length === 0 ? { owner, repo } : null;
}
