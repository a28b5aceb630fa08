// `gitops allow-destroy`, as the plan workflow runs it: the label is passed on to `plan --strict` only
// when it counts. Against the local fake GitHub with its timeline, permission and team payloads.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FakeGitHub, HUMAN, timelineEvent } from "./support/fake-github";
import { runCli } from "./support/memory-io";

let gh: FakeGitHub;
beforeEach(async () => {
  gh = await FakeGitHub.start();
  gh.permissions.set("maintainer", { permission: "write", role_name: "maintain" });
});
afterEach(async () => {
  await gh.stop();
});

function check(pr: number, env: Record<string, string> = {}) {
  const output = join(mkdtempSync(join(tmpdir(), "gh-output-")), "output");
  writeFileSync(output, "");
  return runCli(["allow-destroy", "--repo", "acme/infra", "--pr", String(pr)], {
    env: { GITHUB_API_URL: gh.url, GITHUB_TOKEN: "ghs_test", GITHUB_OUTPUT: output, ...env },
    github: { retryUnitMs: 1, pacing: false, requestTimeoutMs: 300, limiterId: `allow-${pr}-${Math.random()}` },
  }).then((r) => ({ ...r, output: readFileSync(output, "utf8") }));
}

function pr(labels: string[], events: unknown[]): number {
  const issue = gh.seedIssue({ title: "Remove the old VPC", user: HUMAN, labels, pullRequest: true });
  gh.timelines.set(issue.number, events);
  return issue.number;
}

const pushed = timelineEvent.committed("b".repeat(40), "2026-01-15T09:00:00Z");

describe("gitops allow-destroy", () => {
  it("passes the label on when a maintainer added it after the latest push", async () => {
    const r = await check(pr(["allow-destroy"], [pushed, timelineEvent.labeled("maintainer", "allow-destroy", "2026-01-15T09:05:00Z")]));
    expect(r).toMatchObject({
      code: 0,
      stdout: "allowed: destroy allowed by @maintainer at 2026-01-15T09:05:00Z\n",
      output: "labels=allow-destroy\napproval=destroy allowed by @maintainer at 2026-01-15T09:05:00Z\n",
    });
    // The plan comment names who allowed it and when.
    const { fixture } = await import("./support/paths");
    const rendered = await runCli(["render", "--stack", `a=${fixture("borchero-tf1.13-delete.json")}`, "--destroy-approval", "destroy allowed by @maintainer at 2026-01-15T09:05:00Z"]);
    expect(rendered.stdout.replace(/\u200b/g, "")).toContain("**Destroy of protected resources:** destroy allowed by @maintainer at 2026-01-15T09:05:00Z.");
  });

  it("passes nothing on without the label, or after a force push that came later", async () => {
    expect((await check(pr([], [pushed]))).output).toBe("labels=\napproval=\n");
    const forced = await check(pr(["allow-destroy"], [pushed, timelineEvent.labeled("maintainer", "allow-destroy", "2026-01-15T09:05:00Z"), timelineEvent.headRefForcePushed(HUMAN.login, "2026-01-15T09:10:00Z")]));
    expect(forced.stdout).toBe("not allowed: allow-destroy was added by @maintainer at 2026-01-15T09:05:00Z, before the latest push (2026-01-15T09:10:00Z): it has to be added again after the new commits are reviewed\n");
    expect(forced.output).toBe("labels=\napproval=allow-destroy was added by @maintainer at 2026-01-15T09:05:00Z, before the latest push (2026-01-15T09:10:00Z): it has to be added again after the new commits are reviewed\n");
  });

  it("narrows to GITOPS_DESTROY_APPROVERS teams when set", async () => {
    const events = [pushed, timelineEvent.labeled("maintainer", "allow-destroy", "2026-01-15T09:05:00Z")];
    const outside = await check(pr(["allow-destroy"], events), { GITOPS_DESTROY_APPROVERS: "acme/platform-owners" });
    expect(outside.stdout).toBe("not allowed: allow-destroy was added by @maintainer, who is in none of the teams that may allow a destroy (acme/platform-owners)\n");
    gh.teams.set("acme/platform-owners", ["maintainer"]);
    expect((await check(pr(["allow-destroy"], events), { GITOPS_DESTROY_APPROVERS: "acme/platform-owners" })).output).toMatch(/^labels=allow-destroy\n/);
    expect((await check(1, { GITOPS_DESTROY_APPROVERS: "platform-owners" })).stderr).toContain('GITOPS_DESTROY_APPROVERS: "platform-owners": expected ORG/TEAM-SLUG');
  });
});
