// .github/scripts/merged-pr.mjs finds the PR merged as a commit, for `gitops apply --reviewed-pr`.
// Run as the workflow runs it (node, env vars) against a local server speaking GitHub's JSON. Each
// case has its own commit SHA and reply; the processes run concurrently to keep the suite fast.
import { execFile } from "node:child_process";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { REPO_ROOT } from "./workflow-files";

const SCRIPT = join(REPO_ROOT, ".github/scripts/merged-pr.mjs");

interface Result {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

const pull = (number: number, mergeSha: string | null, mergedAt: string | null, base = "main") => ({
  number,
  merged_at: mergedAt,
  merge_commit_sha: mergeSha,
  base: { ref: base },
});

const sha = (n: number) => String(n).repeat(40);
const CASES = {
  merged: { sha: sha(1), status: 200, body: [pull(7, "ffff", "2025-01-01T00:00:00Z"), pull(12, sha(1), "2025-01-02T00:00:00Z")] },
  rebased: { sha: sha(2), status: 200, body: [pull(3, null, null), pull(4, "aaaa", "2025-01-01T00:00:00Z", "release"), pull(5, "bbbb", "2025-01-01T00:00:00Z")] },
  pushed: { sha: sha(3), status: 200, body: [pull(3, null, null)] },
  refused: { sha: sha(4), status: 403, body: { message: "Resource not accessible by integration" } },
} as const;

let server: Server;
const requests: IncomingMessage[] = [];
const results = new Map<string, Result>();

function run(env: Record<string, string>): Promise<Result> {
  return new Promise((resolve) => {
    execFile(process.execPath, [SCRIPT], { env: { PATH: process.env.PATH ?? "", ...env } }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr });
    });
  });
}

beforeAll(async () => {
  server = createServer((req, res) => {
    requests.push(req);
    const reply = Object.values(CASES).find((c) => req.url === `/repos/example/infra/commits/${c.sha}/pulls`);
    res.writeHead(reply?.status ?? 404, { "content-type": "application/json" });
    res.end(JSON.stringify(reply?.body ?? { message: "Not Found" }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const api = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const env = { GITHUB_API_URL: api, GITHUB_REPOSITORY: "example/infra", GITHUB_TOKEN: "ghs_test" };
  const runs = Object.entries(CASES).map(async ([name, c]) => results.set(name, await run({ ...env, SHA: c.sha })));
  runs.push(run({ GITHUB_API_URL: api, GITHUB_REPOSITORY: "example/infra", SHA: sha(5) }).then((r) => results.set("no-token", r)));
  await Promise.all(runs);
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

describe("merged-pr.mjs", () => {
  it("prints the PR whose merge commit is the SHA, asking GitHub with the token", () => {
    expect(results.get("merged")).toEqual({ code: 0, stdout: "12\n", stderr: "" });
    const request = requests.find((q) => q.url?.includes(CASES.merged.sha));
    expect(request?.headers.authorization).toBe("Bearer ghs_test");
  });

  it("ignores open PRs and PRs into other branches; falls back to a merged PR into main (rebase merges)", () => {
    expect(results.get("rebased")?.stdout).toBe("5\n");
  });

  it("prints nothing, and succeeds, for a commit pushed without a PR", () => {
    expect(results.get("pushed")).toMatchObject({ code: 0, stdout: "" });
    expect(results.get("pushed")?.stderr).toContain(`no pull request into main was merged as ${CASES.pushed.sha}`);
  });

  it("fails with the status when GitHub refuses, never printing the token", () => {
    const r = results.get("refused");
    expect(r).toMatchObject({ code: 1, stdout: "" });
    expect(r?.stderr).toContain("403");
    expect(r?.stderr).not.toContain("ghs_test");
  });

  it("exits 2 without calling GitHub when its environment is incomplete", () => {
    expect(results.get("no-token")?.code).toBe(2);
    expect(requests.filter((q) => q.url?.includes(sha(5)))).toHaveLength(0);
  });
});
