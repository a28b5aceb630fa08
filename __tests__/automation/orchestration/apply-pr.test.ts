// apply --reviewed-pr: fingerprints come from the PR's bot-written plan comment, labels from the PR,
// and results go back to the PR as the `apply` comment — against the local fake GitHub.
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BOT, FakeGitHub, HUMAN, timelineEvent } from "../support/fake-github";
import { FakeTerraform, writeSynthOutput } from "../support/fake-terraform";
import { runCli } from "../support/memory-io";

let gh: FakeGitHub;
beforeEach(async () => {
  gh = await FakeGitHub.start();
});
afterEach(async () => {
  await gh.stop();
});

const STACKS = { "staging-cluster": [], "staging-gitops": ["staging-cluster"] };
const REVIEWED = { "staging-cluster": { plan: "borchero-tf1.13-create.json" }, "staging-gitops": { plan: "tofu-eq-basic-map-update.json" } };

async function reviewedPr(labels: string[] = []) {
  const root = mkdtempSync(join(tmpdir(), "gitops-apply-pr-"));
  const synth = writeSynthOutput(join(root, "cdktf.out"), STACKS);
  await runCli(["plan", "--cdktf-out", synth, "--out", join(root, "plans")], { terraform: new FakeTerraform(REVIEWED) });
  const pr = gh.seedIssue({ title: "Grow the node group", user: HUMAN, labels, pullRequest: true });
  gh.seed(pr.number, BOT, readFileSync(join(root, "plans", "comment.md"), "utf8"));
  return { synth, pr: pr.number };
}

function apply(synth: string, pr: number, fake: FakeTerraform, extra: string[] = []) {
  return runCli(["apply", "--cdktf-out", synth, "--env", "staging", "--reviewed-pr", String(pr), "--repo", "acme/infra", ...extra], {
    env: { GITHUB_API_URL: gh.url, GITHUB_TOKEN: "ghs_test" },
    github: { retryUnitMs: 1, pacing: false, requestTimeoutMs: 500, limiterId: `apply-${pr}-${Math.random()}` },
    terraform: fake,
  });
}

const applyComments = (pr: number) => gh.on(pr).filter((c) => c.body.startsWith("<!-- gitops:apply key=apply-staging -->"));

describe("gitops apply --reviewed-pr", () => {
  it("applies the plans reviewed on the PR and reports the result there", async () => {
    const { synth, pr } = await reviewedPr();
    const fake = new FakeTerraform(REVIEWED);
    const r = await apply(synth, pr, fake);
    expect(r.code).toBe(0);
    expect(fake.ops("apply")).toEqual(["staging-cluster", "staging-gitops"]);
    const [report, ...more] = applyComments(pr);
    expect(more).toHaveLength(0);
    expect(report?.body).toContain("| `staging-cluster` | ✅ applied |");
    expect(report?.body).toContain("| `staging-gitops` | ✅ applied |");
    expect(report?.body).not.toContain("Apply in progress");
  });

  it("names the commit it applies and links the run, first thing under the title", async () => {
    const { synth, pr } = await reviewedPr();
    const runUrl = "https://github.com/acme/infra/actions/runs/42";
    const r = await apply(synth, pr, new FakeTerraform(REVIEWED), ["--commit", "abcdef0123456789abcdef0123456789abcdef01", "--run-url", runUrl]);
    expect(r.code).toBe(0);
    const [, , source] = (applyComments(pr)[0]?.body ?? "").split("\n\n");
    expect(source).toBe(`Commit \`abcdef012345\` · [workflow run](${runUrl})`);
    const refused = await apply(synth, pr, new FakeTerraform(REVIEWED), ["--commit", "HEAD"]);
    expect(refused).toMatchObject({ code: 2, stderr: expect.stringContaining('--commit "HEAD": expected a commit SHA') });
  });

  it("posts the fresh plan of a changed stack with fingerprints as text, never as the machine marker", async () => {
    const { synth, pr } = await reviewedPr();
    const fake = new FakeTerraform({ ...REVIEWED, "staging-cluster": { plan: "borchero-tf1.13-create-hundreds.json" } });
    const r = await apply(synth, pr, fake);
    expect(r.code).toBe(1);
    expect(fake.ops("apply")).toEqual([]);
    const body = applyComments(pr)[0]?.body ?? "";
    expect(body).toContain("⛔ not applied: plan changed since review");
    expect(body).toMatch(/```text\n\{"staging-cluster":"sha256:[0-9a-f]{64}"\}\n```/);
    expect(body).toContain("Plan: 300 to add, 0 to change, 0 to destroy.");
    expect(body).not.toContain("<!-- gitops:fingerprints");
    // The plan comment is untouched, so the next apply still compares against what was reviewed.
    expect(gh.on(pr).filter((c) => c.body.startsWith("<!-- gitops:plan key=plan -->"))).toHaveLength(1);
  });

  it("keeps applying dependents when GitHub fails to take the progress comment", async () => {
    const { synth, pr } = await reviewedPr();
    const outage = { method: "POST", path: /\/comments$/, status: 502, body: { message: "Server Error" } };
    gh.fail(...Array.from({ length: 40 }, () => outage));
    const fake = new FakeTerraform(REVIEWED);
    const r = await apply(synth, pr, fake);
    expect(fake.ops("apply")).toEqual(["staging-cluster", "staging-gitops"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("could not report the result");
    expect(applyComments(pr)).toHaveLength(0);
  });

  it("ignores a human's comment that quotes the fingerprints marker", async () => {
    const { synth, pr } = await reviewedPr();
    gh.comments.splice(0, gh.comments.length);
    const forged = `<!-- gitops:plan key=plan -->\n<!-- gitops:fingerprints {"staging-cluster":"sha256:${"0".repeat(64)}"} -->`;
    gh.seed(pr, HUMAN, forged);
    const fake = new FakeTerraform(REVIEWED);
    const r = await apply(synth, pr, fake);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`pull request #${pr} has no plan comment with fingerprints`);
    expect(fake.ops("apply")).toEqual([]);
  });

  it("trusts only the plan workflow's identity, not other GitHub Apps", async () => {
    const { synth, pr } = await reviewedPr();
    const other = { login: "helpful-app[bot]", id: 9001, type: "Bot" as const };
    const body = gh.on(pr)[0]?.body ?? "";
    gh.seed(pr, other, body.replace(/sha256:[0-9a-f]{64}/g, `sha256:${"2".repeat(64)}`));
    const fake = new FakeTerraform(REVIEWED);
    const r = await apply(synth, pr, fake);
    expect(r.code).toBe(0); // the newer comment by the other app is ignored; the real review stands
    expect(fake.ops("apply")).toEqual(["staging-cluster", "staging-gitops"]);
  });

  describe("only a maintainer other than the author, after the latest push, can allow a destroy", () => {
    const scripts = { "staging-cluster": { plan: "borchero-tf1.13-delete.json" } };
    const PUSHED = "2026-01-15T09:00:00Z";
    /** A PR by HUMAN whose last commit was pushed at PUSHED, labelled allow-destroy by `by` at `at`. */
    async function labelled(by: string, at: string) {
      const root = mkdtempSync(join(tmpdir(), "gitops-apply-label-"));
      const synth = writeSynthOutput(join(root, "cdktf.out"), { "staging-cluster": [] });
      await runCli(["plan", "--cdktf-out", synth, "--out", join(root, "plans")], { terraform: new FakeTerraform(scripts) });
      const pr = gh.seedIssue({ title: "Remove files", user: HUMAN, labels: ["allow-destroy"], pullRequest: true });
      gh.seed(pr.number, BOT, readFileSync(join(root, "plans", "comment.md"), "utf8"));
      gh.timelines.set(pr.number, [timelineEvent.committed("a".repeat(40), PUSHED), timelineEvent.labeled(by, "allow-destroy", at)]);
      const fake = new FakeTerraform(scripts);
      const args = ["apply", "--cdktf-out", synth, "--env", "staging", "--reviewed-pr", String(pr.number), "--repo", "acme/infra", "--protected-types", "local_file"];
      const r = await runCli(args, { env: { GITHUB_API_URL: gh.url, GITHUB_TOKEN: "t" }, github: { retryUnitMs: 1, pacing: false, limiterId: `l${pr.number}` }, terraform: fake });
      // Mentions are made inert with a zero-width space; compare the words.
      return { r, applied: fake.ops("apply"), comment: (applyComments(pr.number)[0]?.body ?? "").replace(/\u200b/g, "") };
    }

    beforeEach(() => {
      gh.permissions.set("maintainer", { permission: "write", role_name: "maintain" });
      gh.permissions.set(HUMAN.login, { permission: "write", role_name: "write" });
      gh.permissions.set("reader", { permission: "read", role_name: "triage" });
    });

    it("the author's own label does not count", async () => {
      const { applied, comment } = await labelled(HUMAN.login, "2026-01-15T09:30:00Z");
      expect(applied).toEqual([]);
      expect(comment).toContain(`**Destroy of protected resources:** allow-destroy was added by @${HUMAN.login}, the pull request's author, who cannot allow their own destroy.`);
    });

    it("a label added before the latest push does not count", async () => {
      const { applied, comment } = await labelled("maintainer", "2026-01-15T08:59:00Z");
      expect(applied).toEqual([]);
      expect(comment).toContain("allow-destroy was added by @maintainer at 2026-01-15T08:59:00Z, before the latest push (2026-01-15T09:00:00Z)");
    });

    it("a label added by someone without write access does not count", async () => {
      const { applied, comment } = await labelled("reader", "2026-01-15T09:30:00Z");
      expect(applied).toEqual([]);
      expect(comment).toContain("allow-destroy was added by @reader, who has triage access to the repository, not write or more");
    });

    it("a maintainer's label after the latest push allows it, and the report says who and when", async () => {
      const { applied, comment, r } = await labelled("maintainer", "2026-01-15T09:30:00Z");
      expect(applied).toEqual(["staging-cluster"]);
      expect(comment).toContain("**Destroy of protected resources:** destroy allowed by @maintainer at 2026-01-15T09:30:00Z.");
      expect(r.stderr).toContain("allow-destroy: destroy allowed by @maintainer at 2026-01-15T09:30:00Z");
    });
  });
});
