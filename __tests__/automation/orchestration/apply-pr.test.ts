// apply --reviewed-pr: fingerprints come from the PR's bot-written plan comment, labels from the PR,
// and results go back to the PR as the `apply` comment — against the local fake GitHub.
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BOT, FakeGitHub, HUMAN } from "../support/fake-github";
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

  it("reads allow-destroy from the PR's labels", async () => {
    const scripts = { "staging-cluster": { plan: "borchero-tf1.13-delete.json" } };
    const root = mkdtempSync(join(tmpdir(), "gitops-apply-label-"));
    const synth = writeSynthOutput(join(root, "cdktf.out"), { "staging-cluster": [] });
    await runCli(["plan", "--cdktf-out", synth, "--out", join(root, "plans")], { terraform: new FakeTerraform(scripts) });
    for (const [labels, applied] of [[["infra"], []], [["allow-destroy"], ["staging-cluster"]]] as const) {
      const pr = gh.seedIssue({ title: "Remove files", user: HUMAN, labels: [...labels], pullRequest: true });
      gh.seed(pr.number, BOT, readFileSync(join(root, "plans", "comment.md"), "utf8"));
      const fake = new FakeTerraform(scripts);
      const args = ["apply", "--cdktf-out", synth, "--reviewed-pr", String(pr.number), "--repo", "acme/infra", "--protected-types", "local_file"];
      await runCli(args, { env: { GITHUB_API_URL: gh.url, GITHUB_TOKEN: "t" }, github: { retryUnitMs: 1, pacing: false, limiterId: `l${pr.number}` }, terraform: fake });
      expect([labels, fake.ops("apply")]).toEqual([labels, applied]);
    }
  });
});
