// A local stand-in for GitHub's issue and issue-comment REST endpoints on 127.0.0.1, with GitHub's
// payload shapes (issue and issue comment objects, Link pagination, error bodies) and injectable faults.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface FakeUser {
  login: string;
  id: number;
  type: "Bot" | "User";
}

export const BOT: FakeUser = { login: "github-actions[bot]", id: 41898282, type: "Bot" };
export const HUMAN: FakeUser = { login: "octocat", id: 583231, type: "User" };

export interface StoredComment {
  id: number;
  issue: number;
  body: string;
  user: FakeUser;
  created_at: string;
  updated_at: string;
}

export interface StoredIssue {
  id: number;
  number: number;
  title: string;
  body: string | null;
  user: FakeUser;
  labels: string[];
  state: "open" | "closed";
  state_reason: "completed" | "not_planned" | "reopened" | "duplicate" | null;
  /** The issues endpoints return pull requests too, marked by a `pull_request` key. */
  pullRequest: boolean;
  created_at: string;
  updated_at: string;
  closed_at: string | null;
}

export interface SeedIssue {
  title: string;
  body?: string | null;
  user?: FakeUser;
  labels?: string[];
  state?: "open" | "closed";
  pullRequest?: boolean;
}

/** Label objects as GitHub returns them; ids are stable per name. */
const LABEL_COLORS: Record<string, string> = { drift: "d93f0b", bug: "d73a4a", "allow-destroy": "b60205" };

export interface Fault {
  method: string;
  /** Matches the request path (without query). */
  path?: RegExp;
  status?: number;
  headers?: Record<string, string>;
  body?: unknown;
  /** Perform the request's effect first, then answer with the fault (a write that landed). */
  afterEffect?: boolean;
  /** Do not answer for this long (the client's timeout fires first). */
  hangMs?: number;
}

export interface LoggedRequest {
  method: string;
  path: string;
  query: string;
  at: number;
  status: number;
}

const OWNER = "acme";
const REPO = "infra";

export class FakeGitHub {
  readonly comments: StoredComment[] = [];
  readonly issues: StoredIssue[] = [];
  readonly requests: LoggedRequest[] = [];
  private faults: Fault[] = [];
  private nextId = 1_000_000;
  /** Issues and pull requests share one number sequence, as on GitHub; tests use small PR numbers. */
  private nextNumber = 100;
  private clock = Date.parse("2026-01-15T10:00:00Z");
  private server: Server;
  /** GET /repos/{owner}/{repo}/issues/{n}/timeline, per issue number (events in GitHub's shapes). */
  readonly timelines = new Map<number, unknown[]>();
  /** GET /repos/{owner}/{repo}/collaborators/{user}/permission; anyone else gets read. */
  readonly permissions = new Map<string, { permission: "admin" | "write" | "read" | "none"; role_name: string }>();
  /** Active members of "org/team-slug" (GET /orgs/{org}/teams/{slug}/memberships/{user}). */
  readonly teams = new Map<string, string[]>();
  /** Set by the test: who the token belongs to. */
  actingUser: FakeUser = BOT;
  url = "";

  private constructor() {
    this.server = createServer((req, res) => void this.handle(req, res));
  }

  static async start(): Promise<FakeGitHub> {
    const fake = new FakeGitHub();
    await new Promise<void>((resolve) => fake.server.listen(0, "127.0.0.1", resolve));
    fake.url = `http://127.0.0.1:${(fake.server.address() as AddressInfo).port}`;
    return fake;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Faults are used once each, in order, by the first request they match. */
  fail(...faults: Fault[]): void {
    this.faults.push(...faults);
  }

  seed(issue: number, user: FakeUser, body: string): StoredComment {
    const c = { id: this.nextId++, issue, body, user, created_at: this.tick(), updated_at: "" };
    c.updated_at = c.created_at;
    this.comments.push(c);
    return c;
  }

  /** An issue (or, with `pullRequest`, a pull request as the issues endpoints show it). */
  seedIssue(seed: SeedIssue): StoredIssue {
    const created = this.tick();
    const issue: StoredIssue = {
      id: this.nextId++,
      number: this.nextNumber++,
      title: seed.title,
      body: seed.body ?? null,
      user: seed.user ?? this.actingUser,
      labels: [...(seed.labels ?? [])],
      state: seed.state ?? "open",
      state_reason: seed.state === "closed" ? "completed" : null,
      pullRequest: seed.pullRequest ?? false,
      created_at: created,
      updated_at: created,
      closed_at: seed.state === "closed" ? created : null,
    };
    this.issues.push(issue);
    return issue;
  }

  issue(number: number): StoredIssue | undefined {
    return this.issues.find((i) => i.number === number);
  }

  on(issue: number): StoredComment[] {
    return this.comments.filter((c) => c.issue === issue);
  }

  writes(): LoggedRequest[] {
    return this.requests.filter((r) => r.method !== "GET");
  }

  private tick(): string {
    this.clock += 60_000;
    return new Date(this.clock).toISOString().replace(/\.\d{3}Z$/, "Z");
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", this.url);
    const method = req.method ?? "GET";
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString("utf8");
    const input = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
    const log: LoggedRequest = { method, path: url.pathname, query: url.search, at: Date.now(), status: 0 };
    this.requests.push(log);

    const index = this.faults.findIndex((f) => f.method === method && (!f.path || f.path.test(url.pathname)));
    const fault = index >= 0 ? this.faults.splice(index, 1)[0] : undefined;
    if (fault && !fault.afterEffect) return this.answerFault(fault, res, log);
    const result = this.route(method, url, input);
    if (fault) return this.answerFault(fault, res, log);
    log.status = result.status;
    res.writeHead(result.status, { "content-type": "application/json; charset=utf-8", "x-ratelimit-remaining": "4999", "x-ratelimit-limit": "5000", ...result.headers });
    res.end(result.status === 204 ? undefined : JSON.stringify(result.body));
  }

  private answerFault(fault: Fault, res: ServerResponse, log: LoggedRequest): void {
    if (fault.hangMs) {
      log.status = -1;
      setTimeout(() => {
        if (!res.writableEnded && !res.destroyed) res.destroy();
      }, fault.hangMs).unref();
      return;
    }
    log.status = fault.status ?? 500;
    res.writeHead(log.status, { "content-type": "application/json; charset=utf-8", ...fault.headers });
    res.end(JSON.stringify(fault.body ?? { message: "Server Error" }));
  }

  private route(method: string, url: URL, input: Record<string, unknown>): { status: number; body?: unknown; headers?: Record<string, string> } {
    const issues = new RegExp(`^/repos/${OWNER}/${REPO}/issues$`).test(url.pathname);
    const oneIssue = new RegExp(`^/repos/${OWNER}/${REPO}/issues/(\\d+)$`).exec(url.pathname);
    if (issues && method === "GET") return this.listIssues(url);
    if (issues && method === "POST") return this.createIssue(input);
    if (oneIssue) {
      const issue = this.issue(Number(oneIssue[1]));
      if (!issue) return { status: 404, body: { message: "Not Found", documentation_url: "https://docs.github.com/rest/issues/issues#get-an-issue", status: "404" } };
      if (method === "GET") return { status: 200, body: this.issueJson(issue) };
      if (method === "PATCH") return this.updateIssue(issue, input);
    }
    const timeline = new RegExp(`^/repos/${OWNER}/${REPO}/issues/(\\d+)/timeline$`).exec(url.pathname);
    if (timeline && method === "GET") return this.page(url, this.timelines.get(Number(timeline[1])) ?? [], (e) => e);
    const permission = new RegExp(`^/repos/${OWNER}/${REPO}/collaborators/([^/]+)/permission$`).exec(url.pathname);
    if (permission && method === "GET") {
      const login = decodeURIComponent(permission[1]!);
      const level = this.permissions.get(login) ?? { permission: "read", role_name: "read" };
      return { status: 200, body: { ...level, user: { login, id: 4242, type: "User", permissions: {} } } };
    }
    const membership = /^\/orgs\/([^/]+)\/teams\/([^/]+)\/memberships\/([^/]+)$/.exec(url.pathname);
    if (membership && method === "GET") {
      const [, org, team, login] = membership as unknown as [string, string, string, string];
      return (this.teams.get(`${org}/${team}`) ?? []).includes(decodeURIComponent(login))
        ? { status: 200, body: { url: `${this.url}${url.pathname}`, role: "member", state: "active" } }
        : { status: 404, body: { message: "Not Found", documentation_url: "https://docs.github.com/rest/teams/members#get-team-membership-for-a-user", status: "404" } };
    }
    const list = new RegExp(`^/repos/${OWNER}/${REPO}/issues/(\\d+)/comments$`).exec(url.pathname);
    const one = new RegExp(`^/repos/${OWNER}/${REPO}/issues/comments/(\\d+)$`).exec(url.pathname);
    if (list && method === "GET") return this.list(Number(list[1]), url);
    if (list && method === "POST") {
      if (typeof input.body !== "string") return validationFailed("body");
      const target = this.issue(Number(list[1]));
      if (target) target.updated_at = this.tick();
      const c = this.seed(Number(list[1]), this.actingUser, input.body);
      return { status: 201, body: this.toJson(c), headers: { location: `${this.url}/repos/${OWNER}/${REPO}/issues/comments/${c.id}` } };
    }
    const found = one ? this.comments.find((c) => c.id === Number(one[1])) : undefined;
    if (one && !found) return { status: 404, body: { message: "Not Found", documentation_url: "https://docs.github.com/rest/issues/comments#update-an-issue-comment", status: "404" } };
    if (found && method === "PATCH") {
      if (typeof input.body !== "string") return validationFailed("body");
      found.body = input.body;
      found.updated_at = this.tick();
      return { status: 200, body: this.toJson(found) };
    }
    if (found && method === "DELETE") {
      this.comments.splice(this.comments.indexOf(found), 1);
      return { status: 204 };
    }
    return { status: 404, body: { message: "Not Found", documentation_url: "https://docs.github.com/rest", status: "404" } };
  }

  private list(issue: number, url: URL): { status: number; body: unknown; headers: Record<string, string> } {
    return this.page(url, this.on(issue), (c) => this.toJson(c));
  }

  /** One page of `all` with GitHub's Link header; other query parameters are kept in the links. */
  private page<T>(url: URL, all: readonly T[], json: (item: T) => unknown): { status: number; body: unknown; headers: Record<string, string> } {
    const perPage = Math.min(Number(url.searchParams.get("per_page") ?? 30), 100);
    const page = Number(url.searchParams.get("page") ?? 1);
    const last = Math.max(1, Math.ceil(all.length / perPage));
    const links: string[] = [];
    const link = (p: number, rel: string) => {
      const query = new URLSearchParams(url.searchParams);
      query.set("per_page", String(perPage));
      query.set("page", String(p));
      return `<${this.url}${url.pathname}?${query.toString()}>; rel="${rel}"`;
    };
    if (page > 1) links.push(link(page - 1, "prev"), link(1, "first"));
    if (page < last) links.push(link(page + 1, "next"), link(last, "last"));
    return { status: 200, body: all.slice((page - 1) * perPage, page * perPage).map(json), headers: links.length ? { link: links.join(", ") } : {} };
  }

  /** GET /repos/{owner}/{repo}/issues: state (default open), labels (all must match), sort=created, direction (default desc). */
  private listIssues(url: URL): { status: number; body: unknown; headers: Record<string, string> } {
    const state = url.searchParams.get("state") ?? "open";
    const labels = (url.searchParams.get("labels") ?? "").split(",").map((l) => l.trim()).filter(Boolean);
    const asc = url.searchParams.get("direction") === "asc";
    const matching = this.issues
      .filter((i) => state === "all" || i.state === state)
      .filter((i) => labels.every((l) => i.labels.some((have) => have.toLowerCase() === l.toLowerCase())))
      .sort((a, b) => (asc ? 1 : -1) * (a.created_at.localeCompare(b.created_at) || a.number - b.number));
    return this.page(url, matching, (i) => this.issueJson(i));
  }

  private createIssue(input: Record<string, unknown>): { status: number; body: unknown; headers?: Record<string, string> } {
    if (typeof input.title !== "string" || input.title === "") return validationFailed("title", "Issue");
    if (input.body !== undefined && input.body !== null && typeof input.body !== "string") return validationFailed("body", "Issue");
    const labels = Array.isArray(input.labels) ? input.labels.map((l) => (typeof l === "string" ? l : String((l as { name?: unknown }).name))) : [];
    const issue = this.seedIssue({ title: input.title, body: (input.body as string | undefined) ?? null, labels });
    return { status: 201, body: this.issueJson(issue), headers: { location: `${this.url}/repos/${OWNER}/${REPO}/issues/${issue.number}` } };
  }

  private updateIssue(issue: StoredIssue, input: Record<string, unknown>): { status: number; body: unknown } {
    if (input.state !== undefined && input.state !== "open" && input.state !== "closed") return validationFailed("state", "Issue");
    const reasons = ["completed", "not_planned", "reopened", "duplicate", null];
    if (input.state_reason !== undefined && !reasons.includes(input.state_reason as string | null)) return validationFailed("state_reason", "Issue");
    if (typeof input.title === "string") issue.title = input.title;
    if (input.body !== undefined) issue.body = (input.body as string | null) ?? null;
    if (input.state === "closed" && issue.state === "open") {
      issue.state = "closed";
      issue.closed_at = this.tick();
      issue.state_reason = (input.state_reason as StoredIssue["state_reason"] | undefined) ?? "completed";
    } else if (input.state === "open" && issue.state === "closed") {
      issue.state = "open";
      issue.closed_at = null;
      issue.state_reason = "reopened";
    }
    issue.updated_at = this.tick();
    return { status: 200, body: this.issueJson(issue) };
  }

  private userJson(u: FakeUser): Record<string, unknown> {
    const api = this.url;
    return {
      login: u.login,
      id: u.id,
      node_id: `MDQ6VXNlcj${u.id}`,
      avatar_url: `https://avatars.githubusercontent.com/u/${u.id}?v=4`,
      gravatar_id: "",
      url: `${api}/users/${encodeURIComponent(u.login)}`,
      html_url: u.type === "Bot" ? `https://github.com/apps/${u.login.replace("[bot]", "")}` : `https://github.com/${u.login}`,
      followers_url: `${api}/users/${encodeURIComponent(u.login)}/followers`,
      repos_url: `${api}/users/${encodeURIComponent(u.login)}/repos`,
      type: u.type,
      user_view_type: "public",
      site_admin: false,
    };
  }

  private labelJson(name: string): Record<string, unknown> {
    const id = 5_000_000 + [...name].reduce((n, ch) => (n * 31 + ch.charCodeAt(0)) % 1_000_000, 7);
    return {
      id,
      node_id: `LA_kwDO${Buffer.from(String(id)).toString("base64")}`,
      url: `${this.url}/repos/${OWNER}/${REPO}/labels/${encodeURIComponent(name)}`,
      name,
      color: LABEL_COLORS[name] ?? "ededed",
      default: name === "bug",
      description: null,
    };
  }

  /** The issue object as GitHub's REST API returns it (a pull request carries `pull_request`). */
  private issueJson(i: StoredIssue): Record<string, unknown> {
    const api = this.url;
    const base = `${api}/repos/${OWNER}/${REPO}/issues/${i.number}`;
    const kind = i.pullRequest ? "pull" : "issues";
    return {
      url: base,
      repository_url: `${api}/repos/${OWNER}/${REPO}`,
      labels_url: `${base}/labels{/name}`,
      comments_url: `${base}/comments`,
      events_url: `${base}/events`,
      html_url: `https://github.com/${OWNER}/${REPO}/${kind}/${i.number}`,
      id: i.id,
      node_id: `${i.pullRequest ? "PR" : "I"}_kwDO${Buffer.from(String(i.id)).toString("base64")}`,
      number: i.number,
      title: i.title,
      user: this.userJson(i.user),
      labels: i.labels.map((l) => this.labelJson(l)),
      state: i.state,
      locked: false,
      assignee: null,
      assignees: [],
      milestone: null,
      comments: this.on(i.number).length,
      created_at: i.created_at,
      updated_at: i.updated_at,
      closed_at: i.closed_at,
      author_association: i.user.type === "Bot" ? "NONE" : "MEMBER",
      active_lock_reason: null,
      ...(i.pullRequest
        ? {
            draft: false,
            pull_request: {
              url: `${api}/repos/${OWNER}/${REPO}/pulls/${i.number}`,
              html_url: `https://github.com/${OWNER}/${REPO}/pull/${i.number}`,
              diff_url: `https://github.com/${OWNER}/${REPO}/pull/${i.number}.diff`,
              patch_url: `https://github.com/${OWNER}/${REPO}/pull/${i.number}.patch`,
              merged_at: null,
            },
          }
        : {}),
      body: i.body,
      closed_by: i.state === "closed" ? this.userJson(this.actingUser) : null,
      reactions: { url: `${base}/reactions`, total_count: 0, "+1": 0, "-1": 0, laugh: 0, hooray: 0, confused: 0, heart: 0, rocket: 0, eyes: 0 },
      timeline_url: `${base}/timeline`,
      performed_via_github_app: i.user.type === "Bot" ? { id: 15368, slug: "github-actions", name: "GitHub Actions" } : null,
      state_reason: i.state_reason,
    };
  }

  /** The issue comment object as GitHub's REST API returns it. */
  private toJson(c: StoredComment): Record<string, unknown> {
    const api = this.url;
    const u = c.user;
    // Comments on a stored (non-PR) issue link to /issues/; anything else is a pull request.
    const onIssue = this.issues.some((i) => i.number === c.issue && !i.pullRequest);
    return {
      url: `${api}/repos/${OWNER}/${REPO}/issues/comments/${c.id}`,
      html_url: `https://github.com/${OWNER}/${REPO}/${onIssue ? "issues" : "pull"}/${c.issue}#issuecomment-${c.id}`,
      issue_url: `${api}/repos/${OWNER}/${REPO}/issues/${c.issue}`,
      id: c.id,
      node_id: `IC_kwDO${Buffer.from(String(c.id)).toString("base64")}`,
      user: this.userJson(u),
      created_at: c.created_at,
      updated_at: c.updated_at,
      author_association: u.type === "Bot" ? "NONE" : "MEMBER",
      body: c.body,
      reactions: { url: `${api}/repos/${OWNER}/${REPO}/issues/comments/${c.id}/reactions`, total_count: 0, "+1": 0, "-1": 0, laugh: 0, hooray: 0, confused: 0, heart: 0, rocket: 0, eyes: 0 },
      performed_via_github_app: u.type === "Bot" ? { id: 15368, slug: "github-actions", name: "GitHub Actions" } : null,
    };
  }
}

function validationFailed(field: string, resource: "IssueComment" | "Issue" = "IssueComment") {
  const doc = resource === "Issue" ? "https://docs.github.com/rest/issues/issues#create-an-issue" : "https://docs.github.com/rest/issues/comments#create-an-issue-comment";
  return {
    status: 422,
    body: { message: "Validation Failed", errors: [{ resource, code: "missing_field", field }], documentation_url: doc, status: "422" },
  };
}

export const SECONDARY_RATE_LIMIT_BODY = {
  message: "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID 0000:1111:2222:3333:4444.",
  documentation_url: "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits",
  status: "403",
};

/** Timeline events as GET /repos/{owner}/{repo}/issues/{n}/timeline returns them. */
export const timelineEvent = {
  labeled(actor: string, label: string, createdAt: string): unknown {
    return {
      id: 9_000_000 + Math.floor(Date.parse(createdAt) / 1000) % 1_000_000,
      node_id: "LE_kwDOAAAA",
      url: `https://api.github.com/repos/${OWNER}/${REPO}/issues/events/1`,
      actor: { login: actor, id: 1000 + actor.length, type: "User" },
      event: "labeled",
      commit_id: null,
      commit_url: null,
      created_at: createdAt,
      label: { name: label, color: LABEL_COLORS[label] ?? "ededed" },
      performed_via_github_app: null,
    };
  },
  committed(sha: string, date: string): unknown {
    const who = { name: "Dev", email: "dev@example.org", date };
    return {
      sha,
      node_id: "C_kwDOAAAA",
      url: `https://api.github.com/repos/${OWNER}/${REPO}/git/commits/${sha}`,
      html_url: `https://github.com/${OWNER}/${REPO}/commit/${sha}`,
      author: who,
      committer: who,
      tree: { sha: "0".repeat(40), url: "" },
      message: "change",
      parents: [],
      verification: { verified: false, reason: "unsigned", signature: null, payload: null, verified_at: null },
      event: "committed",
    };
  },
  headRefForcePushed(actor: string, createdAt: string): unknown {
    return { id: 9_100_000, node_id: "HRFPE_kwDOAAAA", url: "", actor: { login: actor, id: 1000 + actor.length, type: "User" }, event: "head_ref_force_pushed", commit_id: null, commit_url: null, created_at: createdAt, performed_via_github_app: null };
  },
};
