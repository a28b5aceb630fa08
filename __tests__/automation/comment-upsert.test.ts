import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BOT, FakeGitHub, HUMAN, SECONDARY_RATE_LIMIT_BODY } from "./support/fake-github";
import { runCli } from "./support/memory-io";

const MARKER = "<!-- gitops:plan key=plan -->";
const PR = 7;
const dir = mkdtempSync(join(tmpdir(), "gitops-comment-"));
let counter = 0;
let gh: FakeGitHub;

beforeEach(async () => {
  gh = await FakeGitHub.start();
});
afterEach(async () => {
  await gh.stop();
});

function bodyFile(body: string): string {
  const file = join(dir, `body-${counter++}.md`);
  writeFileSync(file, body);
  return file;
}

const body = (text: string) => `${MARKER}\n## Terraform plan\n\n${text}\n`;

function comment(file: string, extra: string[] = [], github: Record<string, unknown> = {}) {
  return runCli(["comment", "--repo", "acme/infra", "--pr", String(PR), "--body-file", file, ...extra], {
    env: { GITHUB_API_URL: gh.url, GITHUB_TOKEN: "ghs_test" },
    github: { retryUnitMs: 1, pacing: false, requestTimeoutMs: 300, limiterId: `t${counter}`, ...github },
  });
}

describe("gitops comment: sticky comment upsert", () => {
  it("creates the comment when none exists, storing the body exactly", async () => {
    const text = body("one");
    const r = await comment(bodyFile(text));
    expect(r).toMatchObject({ code: 0, stderr: "" });
    expect(r.stdout).toMatch(/^created \d+ https:\/\/github\.com\/acme\/infra\/pull\/7#issuecomment-\d+\n$/);
    expect(gh.on(PR)).toHaveLength(1);
    expect(gh.on(PR)[0]!.body).toBe(text);
  });

  it("finds our comment across pages of hundreds of comments and updates only it", async () => {
    for (let i = 0; i < 150; i++) gh.seed(PR, HUMAN, `chatter ${i}`);
    const ours = gh.seed(PR, BOT, body("old"));
    for (let i = 0; i < 200; i++) gh.seed(PR, i % 2 ? HUMAN : BOT, `more ${i}`);
    const r = await comment(bodyFile(body("new")));
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^updated ${ours.id} `));
    expect(gh.comments.find((c) => c.id === ours.id)!.body).toBe(body("new"));
    expect(gh.on(PR)).toHaveLength(351);
    expect(gh.requests.filter((q) => q.method === "GET").map((q) => new URLSearchParams(q.query).get("page") ?? "1")).toEqual(["1", "2", "3", "4"]);
    expect(gh.writes().map((w) => w.method)).toEqual(["PATCH"]);
  });

  it("does not rewrite an unchanged body", async () => {
    const c = gh.seed(PR, BOT, body("same"));
    const r = await comment(bodyFile(body("same")));
    expect(r.stdout).toBe(`unchanged ${c.id} https://github.com/acme/infra/pull/7#issuecomment-${c.id}\n`);
    expect(gh.writes()).toEqual([]);
  });

  it("never edits a human's comment, even one that starts with or quotes the marker", async () => {
    const quoted = gh.seed(PR, HUMAN, `> ${MARKER}\n> ## Terraform plan\nlooks good`);
    const copied = gh.seed(PR, HUMAN, body("pasted by a human"));
    const r = await comment(bodyFile(body("fresh")));
    expect(r.stdout).toMatch(/^created /);
    expect(gh.comments.find((c) => c.id === quoted.id)!.body).toContain("looks good");
    expect(gh.comments.find((c) => c.id === copied.id)!.body).toBe(body("pasted by a human"));
  });

  it("treats --author's comments as ours (a PAT user)", async () => {
    const c = gh.seed(PR, HUMAN, body("old"));
    const r = await comment(bodyFile(body("new")), ["--author", "octocat"]);
    expect(r.stdout).toMatch(new RegExp(`^updated ${c.id} `));
  });

  it("keeps only other keys' comments apart", async () => {
    const drift = gh.seed(PR, BOT, "<!-- gitops:plan key=drift -->\nother");
    await comment(bodyFile(body("x")));
    expect(gh.on(PR)).toHaveLength(2);
    expect(gh.comments.find((c) => c.id === drift.id)!.body).toContain("other");
  });

  it("keeps the newest of several and deletes the older duplicates", async () => {
    const a = gh.seed(PR, BOT, body("race 1"));
    const b = gh.seed(PR, BOT, body("race 2"));
    const newest = gh.seed(PR, BOT, body("race 3"));
    const r = await comment(bodyFile(body("final")));
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`updated ${newest.id} https://github.com/acme/infra/pull/7#issuecomment-${newest.id}\ndeleted ${a.id}\ndeleted ${b.id}\n`);
    expect(gh.on(PR).map((c) => [c.id, c.body])).toEqual([[newest.id, body("final")]]);
    // Update first, so the PR is never without a plan comment.
    expect(gh.writes().map((w) => w.method)).toEqual(["PATCH", "DELETE", "DELETE"]);
  });

  it("--dry-run prints create / update <id> / unchanged <id> and writes nothing", async () => {
    expect((await comment(bodyFile(body("a")), ["--dry-run"])).stdout).toBe("create\n");
    const old = gh.seed(PR, BOT, body("a"));
    const dup = gh.seed(PR, BOT, body("a"));
    expect((await comment(bodyFile(body("a")), ["--dry-run"])).stdout).toBe(`unchanged ${dup.id}\ndelete ${old.id}\n`);
    expect((await comment(bodyFile(body("b")), ["--dry-run"])).stdout).toBe(`update ${dup.id}\ndelete ${old.id}\n`);
    expect(gh.writes()).toEqual([]);
  });
});

describe("gitops comment: failures", () => {
  it("retries a listing after 5xx", async () => {
    gh.fail({ method: "GET", status: 502, body: { message: "Server Error" } }, { method: "GET", status: 503 });
    const r = await comment(bodyFile(body("x")));
    expect(r.code).toBe(0);
    expect(gh.on(PR)).toHaveLength(1);
  });

  it("a create that failed with 5xx after landing is found by listing again, not posted twice", async () => {
    gh.fail({ method: "POST", status: 502, afterEffect: true, body: { message: "Server Error" } });
    const r = await comment(bodyFile(body("x")));
    expect(r.code).toBe(0);
    expect(gh.on(PR)).toHaveLength(1);
    expect(gh.requests.map((q) => q.method)).toEqual(["GET", "POST", "GET"]);
    expect(r.stdout).toMatch(/^unchanged /);
    expect(r.sleeps).toEqual([2000]);
    expect(r.stderr).toMatch(/creating the comment failed \(502/);
  });

  it("a create that timed out after landing is not posted twice", async () => {
    gh.fail({ method: "POST", afterEffect: true, hangMs: 2000 });
    const r = await comment(bodyFile(body("x")));
    expect(r.code).toBe(0);
    expect(gh.on(PR)).toHaveLength(1);
    expect(gh.requests.filter((q) => q.method === "POST")).toHaveLength(1);
  });

  it("a create that failed before landing is retried after listing again", async () => {
    gh.fail({ method: "POST", status: 500 });
    const r = await comment(bodyFile(body("x")));
    expect(r.code).toBe(0);
    expect(gh.requests.map((q) => q.method)).toEqual(["GET", "POST", "GET", "POST"]);
    expect(gh.on(PR)).toHaveLength(1);
    expect(r.stdout).toMatch(/^created /);
  });

  it("honors a 403 secondary rate limit's retry-after", async () => {
    gh.fail({ method: "POST", status: 403, headers: { "retry-after": "40", "x-ratelimit-remaining": "4990" }, body: SECONDARY_RATE_LIMIT_BODY });
    const r = await comment(bodyFile(body("x")), [], { retryUnitMs: 2 });
    expect(r.code).toBe(0);
    const posts = gh.requests.filter((q) => q.method === "POST");
    expect(posts).toHaveLength(2);
    expect(posts[1]!.at - posts[0]!.at).toBeGreaterThanOrEqual(75); // 40 units of 2 ms
    expect(gh.on(PR)).toHaveLength(1);
  });

  it("honors a plain 429's retry-after instead of plugin-retry's own schedule", async () => {
    gh.fail({ method: "PATCH", status: 429, headers: { "retry-after": "30" }, body: { message: "Too Many Requests" } });
    gh.seed(PR, BOT, body("old"));
    const r = await comment(bodyFile(body("new")), [], { retryUnitMs: 3 });
    expect(r.code).toBe(0);
    const patches = gh.requests.filter((q) => q.method === "PATCH");
    expect(patches).toHaveLength(2);
    expect(patches[1]!.at - patches[0]!.at).toBeGreaterThanOrEqual(85); // 30 units of 3 ms, not (n+1)² = 1 unit
  });

  it("exits 1 with the status and GitHub's message when retries are exhausted", async () => {
    for (let i = 0; i < 4; i++) gh.fail({ method: "GET", status: 503, body: { message: "Service Unavailable" } });
    const r = await comment(bodyFile(body("x")));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: GitHub request failed \(GET .*\/repos\/acme\/infra\/issues\/7\/comments.*\): 503: Service Unavailable/m);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(gh.requests).toHaveLength(4);
  });

  it("gives up on a create after its attempts and never leaves two comments", async () => {
    for (let i = 0; i < 3; i++) gh.fail({ method: "POST", status: 500, body: { message: "Server Error" } });
    const r = await comment(bodyFile(body("x")));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/error: GitHub request failed \(POST .*\): 500: Server Error/);
    expect(gh.on(PR)).toHaveLength(0);
  });

  it("does not retry a refusal (404) and reports it", async () => {
    const r = await runCli(["comment", "--repo", "acme/nope", "--pr", "7", "--body-file", bodyFile(body("x"))], {
      env: { GITHUB_API_URL: gh.url, GITHUB_TOKEN: "t" },
      github: { retryUnitMs: 1, pacing: false },
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/404: Not Found/);
    expect(gh.requests).toHaveLength(1);
  });
});

describe("gitops comment: usage errors exit 2", () => {
  const run = (args: string[], env: Record<string, string> = { GITHUB_TOKEN: "t", GITHUB_API_URL: "http://127.0.0.1:9" }) => runCli(["comment", ...args], { env });

  it.each([
    [["--repo", "acme", "--pr", "1", "--body-file", "x"], /--repo "acme": expected OWNER\/REPO/],
    [["--repo", "a/b", "--pr", "x", "--body-file", "x"], /--pr "x"/],
    [["--repo", "a/b", "--pr", "1", "--body-file", "/nonexistent/body.md"], /\/nonexistent\/body\.md: no such file/],
  ])("%j", async (args, message) => {
    const r = await run(args as string[]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message as RegExp);
  });

  it("requires the marker for --key as the first line", async () => {
    expect((await run(["--repo", "a/b", "--pr", "1", "--body-file", bodyFile("no marker")])).stderr).toMatch(/first line must be a gitops marker/);
    const r = await run(["--repo", "a/b", "--pr", "1", "--key", "drift", "--body-file", bodyFile(body("x"))]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/marker has key=plan but --key is drift/);
  });

  it("refuses a body over GitHub's limit and a missing token", async () => {
    expect((await run(["--repo", "a/b", "--pr", "1", "--body-file", bodyFile(body("x".repeat(70000)))])).stderr).toMatch(/GitHub's limit is 65536/);
    const r = await run(["--repo", "a/b", "--pr", "1", "--body-file", bodyFile(body("x"))], {});
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/GITHUB_TOKEN is not set/);
  });
});
