import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { parsePlanJson } from "../../automation/plan/plan-json";
import { planStack, type PlanningContext, type StackPlanResult } from "../../automation/planning";
import { driftIssueTitle, renderDriftReport, stackDrift } from "../../automation/render/drift-report";
import { type LineSink, planOutcome, type PlanResult, type StepResult, type TerraformRunner } from "../../automation/terraform";
import { BOT, FakeGitHub, HUMAN } from "./support/fake-github";
import { createMask } from "../../automation/mask";
import { assertWellFormed, liveMentions, unexpectedTags } from "./support/markdown-lint";
import { runCli } from "./support/memory-io";
import { fixture } from "./support/paths";

/** What the fake terraform does for one stack: plan exit code, stderr, and the plan JSON `show` prints. */
interface Script {
  exit: 0 | 1 | 2;
  plan?: string;
  stderr?: string;
}

/** Replays plan JSON fixtures per stack (by working directory name), with scripted exit codes. */
class ReplayTerraform implements TerraformRunner {
  readonly planned: string[] = [];
  constructor(public scripts: Record<string, Script>) {}
  private script(dir: string): Script {
    const s = this.scripts[basename(dir)];
    if (!s) throw new Error(`no script for ${basename(dir)}`);
    return s;
  }
  async version(): Promise<string> {
    return "1.13.4";
  }
  async init(): Promise<StepResult> {
    return { exitCode: 0, stderr: "" };
  }
  async plan(dir: string, _planFile: string, log: LineSink): Promise<PlanResult> {
    const s = this.script(dir);
    this.planned.push(basename(dir));
    log(`planning ${basename(dir)}`, "stdout");
    return { exitCode: s.exit, stderr: s.stderr ?? "", outcome: planOutcome(s.exit) };
  }
  async showJson(dir: string): Promise<string> {
    const s = this.script(dir);
    if (!s.plan) throw new Error(`show called for ${basename(dir)}, which has no plan`);
    return readFileSync(s.plan, "utf8");
  }
  async apply(): Promise<StepResult> {
    throw new Error("drift must never apply");
  }
  async forceUnlock(): Promise<StepResult> {
    throw new Error("drift must never unlock");
  }
}

const tmp = mkdtempSync(join(tmpdir(), "gitops-drift-test-"));

/** A synth output of five stacks; only the manifest is read (the fake terraform needs no files). */
function writeManifest(): string {
  const dir = mkdtempSync(join(tmp, "cdktf.out-"));
  const stack = (name: string, dependencies: string[] = []) => ({
    name,
    workingDirectory: `stacks/${name}`,
    synthesizedStackPath: `stacks/${name}/cdk.tf.json`,
    annotations: [],
    constructPath: name,
    dependencies,
  });
  const stacks = [stack("bootstrap"), stack("local-gitops"), stack("production-cluster"), stack("staging-cluster"), stack("staging-gitops", ["staging-cluster"])];
  writeFileSync(join(dir, "manifest.json"), JSON.stringify({ version: "0.21.0", stacks: Object.fromEntries(stacks.map((s) => [s.name, s])) }, null, 2));
  return dir;
}

const CLEAN: Script = { exit: 0, plan: fixture("borchero-tf1.13-empty.json") };
const CLEAN_NOOP: Script = { exit: 0, plan: fixture("tofu-cloud-no-changes.json") };
const DRIFT: Script = { exit: 2, plan: fixture("tofu-eq-drift-simple.json") };

/** tofu-eq-drift-simple.json with the drifted attribute marked sensitive and secret-looking values. */
function sensitiveDriftFixture(): string {
  const plan = JSON.parse(readFileSync(fixture("tofu-eq-drift-simple.json"), "utf8")) as {
    resource_drift: Array<{ change: Record<string, unknown> & { before: Record<string, unknown>; after: Record<string, unknown> } }>;
    resource_changes: Array<{ change: Record<string, unknown> & { before: Record<string, unknown>; after: Record<string, unknown> } }>;
  };
  for (const entry of [...plan.resource_drift, ...plan.resource_changes]) {
    entry.change.before.string = "SECRET-DRIFT-BEFORE";
    entry.change.after.string = "SECRET-DRIFT-AFTER";
    entry.change.before_sensitive = { string: true };
    entry.change.after_sensitive = { string: true };
  }
  const file = join(tmp, "derived-sensitive-drift.json");
  writeFileSync(file, JSON.stringify(plan));
  return file;
}

let gh: FakeGitHub;
let out: string;

beforeEach(async () => {
  gh = await FakeGitHub.start();
  out = writeManifest();
});
afterEach(async () => {
  await gh.stop();
});

let limiter = 0;
function drift(terraform: ReplayTerraform, extra: string[] = ["--env", "staging"], env: Record<string, string> = {}) {
  return runCli(["drift", "--cdktf-out", out, "--repo", "acme/infra", ...extra], {
    env: { GITHUB_API_URL: gh.url, GITHUB_TOKEN: "ghs_test", ...env },
    github: { retryUnitMs: 1, pacing: false, requestTimeoutMs: 300, limiterId: `drift${limiter++}` },
    terraform,
  });
}

const ISSUE_TITLE = "Drift detected in staging";

describe("gitops drift result for workflows", () => {
  it("writes result=drift|clean to GITHUB_OUTPUT, which a usage error never does", async () => {
    const output = join(mkdtempSync(join(tmpdir(), "gh-output-")), "output");
    writeFileSync(output, "");
    expect((await drift(new ReplayTerraform({ "staging-cluster": DRIFT, "staging-gitops": CLEAN }), ["--env", "staging"], { GITHUB_OUTPUT: output })).code).toBe(2);
    expect((await drift(new ReplayTerraform({ "staging-cluster": CLEAN, "staging-gitops": CLEAN }), ["--env", "staging"], { GITHUB_OUTPUT: output })).code).toBe(0);
    expect((await drift(new ReplayTerraform({}), ["--env", "nope"], { GITHUB_OUTPUT: output })).code).toBe(2);
    expect(readFileSync(output, "utf8")).toBe("result=drift\nresult=clean\n");
  });
});
const openIssues = () => gh.issues.filter((i) => i.state === "open" && !i.pullRequest);

describe("gitops drift: the issue follows the drift", () => {
  it("opens one labelled issue that separates outside changes from unapplied ones, and exits 2 with a clear line", async () => {
    const tf = new ReplayTerraform({ "staging-cluster": DRIFT, "staging-gitops": CLEAN });
    const r = await drift(tf);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^drift found in staging: see the open "Drift detected in staging" issue\. Exit code 2 means drift was found, not a usage error\.$/m);
    expect(r.stderr).not.toMatch(/^error:/m);
    expect(openIssues()).toHaveLength(1);
    const issue = openIssues()[0]!;
    expect(issue).toMatchObject({ title: ISSUE_TITLE, labels: ["drift"], user: BOT });
    expect(r.stdout).toBe(`staging: drift, issue #${issue.number} https://github.com/acme/infra/issues/${issue.number} created\n`);

    const body = issue.body ?? "";
    expect(body.split("\n")[0]).toBe("<!-- gitops:drift env=staging -->");
    const stack = body.indexOf("### ⚠️ `staging-cluster`: changed outside Terraform, changes not applied");
    const outside = body.indexOf("**Changed outside Terraform**: 1 resource no longer matches Terraform's state.", stack);
    const notApplied = body.indexOf("**Not applied**: what `terraform apply` would do now", stack);
    expect(stack).toBeGreaterThan(0);
    expect(outside).toBeGreaterThan(0);
    expect(notApplied).toBeGreaterThan(outside);
    // The drift entry goes from the state's value to what the refresh found; the plan undoes it.
    expect(body.slice(outside, notApplied)).toContain('- `string`: `"Hello, world!"` → `"Hello, drift!"`');
    expect(body.slice(notApplied)).toContain("Plan: 0 to add, 1 to change, 0 to destroy.");
    expect(body.slice(notApplied)).toContain('- `string`: `"Hello, drift!"` → `"Hello, world!"`');
    expect(body).toContain("### ✅ `staging-gitops`: no drift");
    expect(body).not.toMatch(/gitops:fingerprints|Fingerprint/);
    assertWellFormed(body);
    expect(unexpectedTags(body)).toEqual([]);
    expect(tf.planned.sort()).toEqual(["staging-cluster", "staging-gitops"]);
  });

  it("a second run with the same drift writes nothing", async () => {
    const tf = new ReplayTerraform({ "staging-cluster": DRIFT, "staging-gitops": CLEAN });
    await drift(tf);
    const before = gh.requests.length;
    const r = await drift(tf);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/^staging: drift, issue #\d+ \S+ unchanged\n$/);
    expect(gh.requests.slice(before).filter((q) => q.method !== "GET")).toEqual([]);
    expect(openIssues()).toHaveLength(1);
  });

  it("different drift updates the body of the same issue", async () => {
    const tf = new ReplayTerraform({ "staging-cluster": DRIFT, "staging-gitops": CLEAN });
    await drift(tf);
    const first = openIssues()[0]!;
    const oldBody = first.body;
    tf.scripts["staging-gitops"] = { exit: 2, plan: fixture("tofu-show-basic-delete.json") };
    const before = gh.requests.length;
    const r = await drift(tf);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(new RegExp(`^staging: drift, issue #${first.number} \\S+ updated\\n$`));
    expect(gh.requests.slice(before).filter((q) => q.method !== "GET").map((q) => `${q.method} ${q.path}`)).toEqual([`PATCH /repos/acme/infra/issues/${first.number}`]);
    expect(openIssues()).toHaveLength(1);
    expect(first.body).not.toBe(oldBody);
    expect(first.body).toContain("`staging-gitops`: changes not applied");
  });

  it("a clean run comments on the issue and closes it; the next clean run writes nothing", async () => {
    const tf = new ReplayTerraform({ "staging-cluster": DRIFT, "staging-gitops": CLEAN });
    await drift(tf);
    const issue = openIssues()[0]!;
    tf.scripts["staging-cluster"] = CLEAN_NOOP;
    const before = gh.requests.length;
    const r = await drift(tf);
    expect(r.code).toBe(0);
    expect(r.stderr).not.toMatch(/drift found/);
    expect(r.stdout).toBe(`staging: clean, issue #${issue.number} https://github.com/acme/infra/issues/${issue.number} closed\n`);
    expect(gh.requests.slice(before).filter((q) => q.method !== "GET").map((q) => `${q.method} ${q.path}`)).toEqual([
      `POST /repos/acme/infra/issues/${issue.number}/comments`,
      `PATCH /repos/acme/infra/issues/${issue.number}`,
    ]);
    expect(issue).toMatchObject({ state: "closed", state_reason: "completed" });
    expect(gh.on(issue.number).map((c) => c.body)).toEqual([expect.stringContaining("No drift in `staging` any more: 2 stacks planned without changes")]);

    const again = gh.requests.length;
    const clean = await drift(tf);
    expect(clean).toMatchObject({ code: 0, stdout: "staging: clean, no open drift issue\n" });
    expect(gh.requests.slice(again).filter((q) => q.method !== "GET")).toEqual([]);
  });

  it("treats resource_drift alone as drift (plan without changes)", async () => {
    const tf = new ReplayTerraform({ "staging-cluster": { exit: 0, plan: fixture("tofu-eq-drift-refresh-only.json") }, "staging-gitops": CLEAN });
    const r = await drift(tf);
    expect(r.code).toBe(2);
    expect(openIssues()[0]!.body).toContain("**Not applied**: nothing.");
  });
});

describe("gitops drift: errors", () => {
  it("reports errors in the issue with the drift, escaped in code blocks, and exits 1; errors alone open no issue", async () => {
    const stderr = "Error: No valid credential sources found\n\n```\n</details> @octocat <img src=x>\n";
    const tf = new ReplayTerraform({
      "staging-cluster": DRIFT,
      "staging-gitops": { exit: 1, stderr },
      // A plan document that says planning failed (errored: true) is an error too.
      "production-cluster": { exit: 2, plan: fixture("tofu-show-plan-error.json") },
    });
    const r = await drift(tf, []);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: planning failed in production \(production-cluster\); staging \(staging-gitops\); drift found in staging$/m);
    // bootstrap and local-gitops are left out unless named with --env.
    expect(tf.planned.sort()).toEqual(["production-cluster", "staging-cluster", "staging-gitops"]);
    expect(r.stdout).toMatch(/^production: error, no open drift issue \(errors alone do not open one\)\nstaging: drift, issue #\d+ \S+ created\n$/);

    expect(gh.issues.map((i) => i.title)).toEqual([ISSUE_TITLE]);
    const body = gh.issues[0]!.body ?? "";
    expect(body).toContain("### ❌ `staging-gitops`: error");
    expect(body).toContain("Error: No valid credential sources found");
    expect(body).toContain("**1 could not be checked**");
    expect(liveMentions(body)).toEqual([]);
    expect(unexpectedTags(body)).toEqual([]);
    assertWellFormed(body);
  });

  it("errors without drift refresh an open issue but never close it", async () => {
    const tf = new ReplayTerraform({ "staging-cluster": DRIFT, "staging-gitops": CLEAN });
    await drift(tf);
    const issue = openIssues()[0]!;
    tf.scripts["staging-cluster"] = { exit: 1, stderr: "Error: Error acquiring the state lock\n" };
    const r = await drift(tf);
    expect(r.code).toBe(1);
    expect(issue.state).toBe("open");
    expect(issue.body).toContain("## Drift check failed in staging");
    expect(issue.body).toContain("Error acquiring the state lock");
    expect(issue.body).toContain("### ❌ `staging-gitops`: blocked");
  });
});

describe("gitops drift: whose issue", () => {
  it("never touches a human's issue or a pull request with the same title and label", async () => {
    const human = gh.seedIssue({ title: ISSUE_TITLE, body: "I noticed drift by hand", user: HUMAN, labels: ["drift"] });
    const pr = gh.seedIssue({ title: ISSUE_TITLE, body: "fix drift", user: BOT, labels: ["drift"], pullRequest: true });
    const tf = new ReplayTerraform({ "staging-cluster": DRIFT, "staging-gitops": CLEAN });
    const r = await drift(tf);
    expect(r.code).toBe(2);
    const ours = gh.issues.filter((i) => i !== human && i !== pr);
    expect(ours).toHaveLength(1);
    expect(ours[0]!.user).toBe(BOT);

    tf.scripts["staging-cluster"] = CLEAN;
    expect((await drift(tf)).code).toBe(0);
    expect(ours[0]!.state).toBe("closed");
    expect(human).toMatchObject({ state: "open", body: "I noticed drift by hand" });
    expect(pr).toMatchObject({ state: "open", body: "fix drift" });
    expect(gh.on(human.number)).toEqual([]);
    expect(gh.on(pr.number)).toEqual([]);
  });

  it("--author makes that user's issue ours, found across pages of issues", async () => {
    for (let i = 0; i < 120; i++) gh.seedIssue({ title: `chore ${i}`, labels: ["drift"], user: HUMAN });
    const pat = gh.seedIssue({ title: ISSUE_TITLE, body: "old", user: HUMAN, labels: ["drift"] });
    for (let i = 0; i < 90; i++) gh.seedIssue({ title: `later ${i}`, labels: ["drift", "bug"], user: BOT });
    const tf = new ReplayTerraform({ "staging-cluster": DRIFT, "staging-gitops": CLEAN });
    const r = await drift(tf, ["--env", "staging", "--author", "octocat"]);
    expect(r.stdout).toMatch(new RegExp(`^staging: drift, issue #${pat.number} \\S+ updated\\n$`));
    expect(gh.requests.filter((q) => q.method === "GET").map((q) => new URLSearchParams(q.query).get("page") ?? "1")).toEqual(["1", "2", "3"]);
    expect(gh.requests.filter((q) => q.method === "GET").every((q) => /labels=drift/.test(q.query) && /state=open/.test(q.query))).toBe(true);
    expect(gh.issues.filter((i) => i.title === ISSUE_TITLE)).toHaveLength(1);
  });

  it("closes newer duplicates left by a race and keeps the oldest", async () => {
    const oldest = gh.seedIssue({ title: ISSUE_TITLE, body: "a", labels: ["drift"] });
    const newer = gh.seedIssue({ title: ISSUE_TITLE, body: "b", labels: ["drift"] });
    const tf = new ReplayTerraform({ "staging-cluster": DRIFT, "staging-gitops": CLEAN });
    await drift(tf);
    expect(openIssues()).toEqual([oldest]);
    expect(newer).toMatchObject({ state: "closed", state_reason: "not_planned" });
    expect(gh.on(newer.number)[0]!.body).toBe(`Duplicate of #${oldest.number}.`);
  });
});

describe("gitops drift: GitHub failures", () => {
  it("a create that failed with 5xx after landing is found by listing again, not created twice", async () => {
    gh.fail({ method: "POST", path: /\/issues$/, status: 502, afterEffect: true, body: { message: "Server Error" } });
    const tf = new ReplayTerraform({ "staging-cluster": DRIFT, "staging-gitops": CLEAN });
    const r = await drift(tf);
    expect(r.code).toBe(2);
    expect(openIssues()).toHaveLength(1);
    expect(gh.requests.map((q) => q.method)).toEqual(["GET", "POST", "GET"]);
    expect(r.sleeps).toEqual([2000]);
    expect(r.stderr).toMatch(/creating the drift issue failed \(502/);
    expect(r.stdout).toMatch(/ unchanged\n$/);
  });

  it("a create that failed before landing is retried once", async () => {
    gh.fail({ method: "POST", path: /\/issues$/, status: 500 });
    const tf = new ReplayTerraform({ "staging-cluster": DRIFT, "staging-gitops": CLEAN });
    const r = await drift(tf);
    expect(r.code).toBe(2);
    expect(gh.requests.map((q) => q.method)).toEqual(["GET", "POST", "GET", "POST"]);
    expect(openIssues()).toHaveLength(1);
  });

  it("exits 1 when GitHub keeps failing, saying drift was found", async () => {
    for (let i = 0; i < 3; i++) gh.fail({ method: "POST", path: /\/issues$/, status: 500, body: { message: "Server Error" } });
    const tf = new ReplayTerraform({ "staging-cluster": DRIFT, "staging-gitops": CLEAN });
    const r = await drift(tf);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: staging: GitHub request failed \(POST .*\/repos\/acme\/infra\/issues\): 500: Server Error; drift found in staging$/m);
    expect(gh.issues).toEqual([]);
  });
});

describe("gitops drift: secrets and size", () => {
  it("never puts a sensitive value from the plans into the issue", async () => {
    const tf = new ReplayTerraform({
      "staging-cluster": { exit: 2, plan: fixture("derived-sensitive-attributes.json") },
      "staging-gitops": { exit: 2, plan: sensitiveDriftFixture() },
    });
    const r = await drift(tf);
    expect(r.code).toBe(2);
    const body = openIssues()[0]!.body ?? "";
    expect(body).not.toMatch(/SECRET-/);
    // The drifted attribute is still named, its values masked.
    expect(body).toContain("- `string`: _(sensitive)_ → _(sensitive)_");
  });

  it("fits the size limit and keeps every stack's status", async () => {
    const results = await Promise.all(["a", "b", "c"].map((stack, i) => planned(stack, i === 2 ? "tofu-eq-drift-simple.json" : "borchero-tf1.13-create-hundreds.json")));
    const body = renderDriftReport(results.map(stackDrift), { env: "staging", maxChars: 6000 });
    expect(body.length).toBeLessThanOrEqual(6000);
    expect(body.split("\n")[0]).toBe("<!-- gitops:drift env=staging -->");
    for (const s of ["a", "b", "c"]) expect(body).toMatch(new RegExp(`### ⚠️ \`${s}\`: `));
    expect(body).toContain("Shortened to fit 6,000 characters");
    expect(body).toContain("_300 resource lines not listed (issue size limit)._");
    // The largest lists are cut; the small stack's outside change stays listed.
    expect(body).toContain("- `tfcoremock_simple_resource.drift`\n  - `string`");
    assertWellFormed(body);

    const tiny = renderDriftReport(results.map(stackDrift), { env: "staging", maxChars: 2500 });
    expect(tiny.length).toBeLessThanOrEqual(2500);
    for (const s of ["a", "b", "c"]) expect(tiny).toMatch(new RegExp(`### ⚠️ \`${s}\`: [^\n]+\n\n[^]*Plan: `));
    assertWellFormed(tiny);
    expect(() => renderDriftReport(results.map(stackDrift), { env: "staging", maxChars: 900 })).toThrow("does not fit 900 characters");
  });

  it("has the exact title for the environment", () => {
    expect(driftIssueTitle("production")).toBe("Drift detected in production");
  });
});

describe("gitops drift: usage", () => {
  it.each([
    [["--env", "staging"], {}, /GITHUB_TOKEN is not set/],
    [["--env", "nope"], { GITHUB_TOKEN: "t" }, /--env nope: no stacks of that environment/],
    [["--env", "staging", "--parallel", "0"], { GITHUB_TOKEN: "t" }, /--parallel "0"/],
  ])("%j exits 2 with a usage error", async (args, env, message) => {
    const r = await runCli(["drift", "--cdktf-out", out, "--repo", "acme/infra", ...args], { env, terraform: new ReplayTerraform({}) });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: /);
    expect(r.stderr).toMatch(message);
  });

  it("--env local checks local-gitops when named", async () => {
    const tf = new ReplayTerraform({ "local-gitops": CLEAN });
    const r = await drift(tf, ["--env", "local"]);
    expect(r).toMatchObject({ code: 0, stdout: "local: clean, no open drift issue\n" });
    expect(tf.planned).toEqual(["local-gitops"]);
  });
});

/** One stack planned through the real planning code with the fake runner. */
async function planned(stack: string, plan: string): Promise<StackPlanResult> {
  const manifestDir = mkdtempSync(join(tmp, "m-"));
  const ctx: PlanningContext = {
    manifest: { dir: manifestDir, version: "0.21.0", stacks: new Map([[stack, { name: stack, workingDirectory: `stacks/${stack}`, synthesizedStackPath: "", dependencies: [] }]]) },
    terraform: new ReplayTerraform({ [stack]: { exit: 2, plan: fixture(plan) } }),
    outDir: mkdtempSync(join(tmp, "o-")),
    parallel: 1,
    lockState: false,
    mask: createMask(),
    protectedTypes: [],
    writeFile: async () => undefined,
    makeDir: async () => undefined,
    log: { begin: () => undefined, line: () => undefined, end: () => undefined },
  };
  const result = await planStack(ctx, stack, new Map());
  // Sanity: the fixture really was replayed.
  expect(result.plan).toEqual(parsePlanJson(readFileSync(fixture(plan), "utf8"), plan));
  return result;
}
