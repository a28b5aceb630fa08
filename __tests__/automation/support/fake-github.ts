// A local stand-in for GitHub's issue-comment REST endpoints on 127.0.0.1, with GitHub's payload
// shapes (issue comment object, Link pagination, error bodies) and injectable faults.
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
  readonly requests: LoggedRequest[] = [];
  private faults: Fault[] = [];
  private nextId = 1_000_000;
  private clock = Date.parse("2026-01-15T10:00:00Z");
  private server: Server;
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
    const input = raw ? (JSON.parse(raw) as { body?: string }) : {};
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

  private route(method: string, url: URL, input: { body?: string }): { status: number; body?: unknown; headers?: Record<string, string> } {
    const list = new RegExp(`^/repos/${OWNER}/${REPO}/issues/(\\d+)/comments$`).exec(url.pathname);
    const one = new RegExp(`^/repos/${OWNER}/${REPO}/issues/comments/(\\d+)$`).exec(url.pathname);
    if (list && method === "GET") return this.list(Number(list[1]), url);
    if (list && method === "POST") {
      if (typeof input.body !== "string") return validationFailed("body");
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
    const perPage = Math.min(Number(url.searchParams.get("per_page") ?? 30), 100);
    const page = Number(url.searchParams.get("page") ?? 1);
    const all = this.on(issue);
    const last = Math.max(1, Math.ceil(all.length / perPage));
    const links: string[] = [];
    const link = (p: number, rel: string) => `<${this.url}${url.pathname}?per_page=${perPage}&page=${p}>; rel="${rel}"`;
    if (page > 1) links.push(link(page - 1, "prev"), link(1, "first"));
    if (page < last) links.push(link(page + 1, "next"), link(last, "last"));
    return { status: 200, body: all.slice((page - 1) * perPage, page * perPage).map((c) => this.toJson(c)), headers: links.length ? { link: links.join(", ") } : {} };
  }

  /** The issue comment object as GitHub's REST API returns it. */
  private toJson(c: StoredComment): Record<string, unknown> {
    const api = this.url;
    const u = c.user;
    return {
      url: `${api}/repos/${OWNER}/${REPO}/issues/comments/${c.id}`,
      html_url: `https://github.com/${OWNER}/${REPO}/pull/${c.issue}#issuecomment-${c.id}`,
      issue_url: `${api}/repos/${OWNER}/${REPO}/issues/${c.issue}`,
      id: c.id,
      node_id: `IC_kwDO${Buffer.from(String(c.id)).toString("base64")}`,
      user: {
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
      },
      created_at: c.created_at,
      updated_at: c.updated_at,
      author_association: u.type === "Bot" ? "NONE" : "MEMBER",
      body: c.body,
      reactions: { url: `${api}/repos/${OWNER}/${REPO}/issues/comments/${c.id}/reactions`, total_count: 0, "+1": 0, "-1": 0, laugh: 0, hooray: 0, confused: 0, heart: 0, rocket: 0, eyes: 0 },
      performed_via_github_app: u.type === "Bot" ? { id: 15368, slug: "github-actions", name: "GitHub Actions" } : null,
    };
  }
}

function validationFailed(field: string) {
  return {
    status: 422,
    body: { message: "Validation Failed", errors: [{ resource: "IssueComment", code: "missing_field", field }], documentation_url: "https://docs.github.com/rest/issues/comments#create-an-issue-comment", status: "422" },
  };
}

export const SECONDARY_RATE_LIMIT_BODY = {
  message: "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID 0000:1111:2222:3333:4444.",
  documentation_url: "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits",
  status: "403",
};
