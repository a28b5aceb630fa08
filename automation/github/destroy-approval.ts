// Who may allow a destroy. The `allow-destroy` label counts only when the person who added it last is
// not the pull request's author, added it after the latest push (so it covers the commits being
// applied), and has write access or more; an optional list of teams narrows it further. Read from the
// issue's timeline and the collaborator permission API, never from the label alone.
import type { Octokit } from "@octokit/rest";
import { ALLOW_DESTROY_LABEL } from "../destroy-guard";
import type { PullRequestRef } from "./pull-request";

export interface DestroyApproval {
  readonly allowed: boolean;
  /** Login of whoever added the label last, when known. */
  readonly by?: string;
  /** When they added it (ISO time, as GitHub reports it). */
  readonly at?: string;
  /** One sentence: who allowed it, or why the label does not count. */
  readonly reason: string;
}

/** Repository roles that may allow a destroy (the permission API's role_name). */
const WRITE_ROLES = ["admin", "maintain", "write"];

interface TimelineEvent {
  event?: string;
  actor?: { login?: string } | null;
  label?: { name?: string };
  created_at?: string;
  committer?: { date?: string };
}

/** "org/team-slug" entries of GITOPS_DESTROY_APPROVERS, checked when non-empty. */
export function parseApproverTeams(value: string | undefined): { org: string; team: string }[] {
  return (value ?? "")
    .split(/[,\s]+/)
    .filter(Boolean)
    .map((entry) => {
      const [org, team, ...rest] = entry.replace(/^@/, "").split("/");
      if (!org || !team || rest.length > 0) throw new Error(`GITOPS_DESTROY_APPROVERS: ${JSON.stringify(entry)}: expected ORG/TEAM-SLUG`);
      return { org, team };
    });
}

/**
 * The latest push: the newest committer date of a `committed` event or force push. Commit dates are
 * set by whoever made the commit, so this is a guard against honest mistakes (a label left on from an
 * earlier review); the approving review that branch protection requires, dismissed on new commits,
 * is the control against a dishonest author.
 */
function latestPush(events: readonly TimelineEvent[]): string | undefined {
  const times = events.flatMap((e) => (e.event === "committed" ? [e.committer?.date] : e.event === "head_ref_force_pushed" ? [e.created_at] : [])).filter((t): t is string => typeof t === "string");
  return times.sort((a, b) => Date.parse(a) - Date.parse(b)).at(-1);
}

async function isTeamMember(octokit: Octokit, org: string, team: string, login: string): Promise<boolean> {
  try {
    const { data } = await octokit.rest.teams.getMembershipForUserInOrg({ org, team_slug: team, username: login });
    return data.state === "active";
  } catch (error) {
    if ((error as { status?: number }).status === 404) return false;
    throw error;
  }
}

export async function destroyApproval(octokit: Octokit, pr: PullRequestRef, options: { approverTeams?: readonly { org: string; team: string }[] } = {}): Promise<DestroyApproval> {
  const { data: issue } = await octokit.rest.issues.get({ owner: pr.owner, repo: pr.repo, issue_number: pr.number });
  const labels = issue.labels.map((l) => (typeof l === "string" ? l : (l.name ?? "")));
  if (!labels.includes(ALLOW_DESTROY_LABEL)) return { allowed: false, reason: `the pull request has no ${ALLOW_DESTROY_LABEL} label` };
  const author = issue.user?.login;
  const events = (await octokit.paginate(octokit.rest.issues.listEventsForTimeline, { owner: pr.owner, repo: pr.repo, issue_number: pr.number, per_page: 100 })) as TimelineEvent[];
  const added = events.filter((e) => e.event === "labeled" && e.label?.name === ALLOW_DESTROY_LABEL).at(-1);
  const by = added?.actor?.login;
  const at = added?.created_at;
  if (!added || !by || !at) return { allowed: false, reason: `no timeline record of who added ${ALLOW_DESTROY_LABEL}` };
  const who = { by, at };
  if (by === author) return { allowed: false, ...who, reason: `${ALLOW_DESTROY_LABEL} was added by @${by}, the pull request's author, who cannot allow their own destroy` };
  const pushed = latestPush(events);
  if (pushed !== undefined && Date.parse(at) <= Date.parse(pushed)) {
    return { allowed: false, ...who, reason: `${ALLOW_DESTROY_LABEL} was added by @${by} at ${at}, before the latest push (${pushed}): it has to be added again after the new commits are reviewed` };
  }
  const { data: permission } = await octokit.rest.repos.getCollaboratorPermissionLevel({ owner: pr.owner, repo: pr.repo, username: by });
  const role = permission.role_name ?? permission.permission;
  if (!WRITE_ROLES.includes(role) && !WRITE_ROLES.includes(permission.permission)) {
    return { allowed: false, ...who, reason: `${ALLOW_DESTROY_LABEL} was added by @${by}, who has ${role} access to the repository, not write or more` };
  }
  const teams = options.approverTeams ?? [];
  if (teams.length > 0) {
    let member = false;
    for (const t of teams) if (!member) member = await isTeamMember(octokit, t.org, t.team, by);
    if (!member) {
      return { allowed: false, ...who, reason: `${ALLOW_DESTROY_LABEL} was added by @${by}, who is in none of the teams that may allow a destroy (${teams.map((t) => `${t.org}/${t.team}`).join(", ")})` };
    }
  }
  return { allowed: true, ...who, reason: `destroy allowed by @${by} at ${at}` };
}
