import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readFingerprints } from "../../automation/render/comment";
import { writeSynthOutput } from "./support/fake-terraform";
import { runCli } from "./support/memory-io";
import { fixture } from "./support/paths";

const tmp = mkdtempSync(join(tmpdir(), "gitops-cli-"));

describe("gitops summarize", () => {
  it("prints exactly the json contract", async () => {
    const r = await runCli(["summarize", fixture("borchero-tf1.13-import.json"), "--format", "json"]);
    expect(r).toMatchObject({ code: 0, stderr: "" });
    expect(r.stdout).toBe('{"add":0,"change":0,"destroy":0,"import":1,"replace":0,"read":0,"forget":0,"outputChanges":0,"noChanges":false,"errored":false}\n');
  });

  it("prints the Plan line as text", async () => {
    expect((await runCli(["summarize", fixture("borchero-tf1.13-import.json")])).stdout).toBe("Plan: 1 to import, 0 to add, 0 to change, 0 to destroy.\n");
    expect((await runCli(["summarize", fixture("borchero-tf1.13-empty.json")])).stdout).toBe("No changes.\n");
  });

  it.each([
    ["a missing file", ["/nonexistent/plan.json"], /^error: \/nonexistent\/plan\.json: no such file\n$/],
    ["a non-plan file", [fixture("SOURCES.md")], /SOURCES\.md: not valid JSON/],
    ["no argument", [], /missing required argument 'plan'/],
    ["a bad --format", [fixture("borchero-tf1.13-empty.json"), "--format", "yaml"], /--format <format>' argument 'yaml' is invalid/],
  ])("exits 2 for %s, without a stack trace", async (_what, args, message) => {
    const r = await runCli(["summarize", ...args]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

describe("gitops render", () => {
  it("renders several stacks including NAME=error:FILE", async () => {
    const stderr = join(tmp, "stderr.txt");
    writeFileSync(stderr, "Error: No valid credential sources found\n");
    const r = await runCli(["render", "--stack", `staging-cluster=${fixture("borchero-tf1.13-modify.json")}`, "--stack", `staging-gitops=error:${stderr}`, "--title", "Plan for staging"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^<!-- gitops:plan key=plan -->\n\n## Plan for staging\n/);
    expect(r.stdout).toContain("`staging-gitops`: Error");
    expect(r.stdout).toContain("No valid credential sources found");
    expect(Object.keys(readFingerprints(r.stdout)!)).toEqual(["staging-cluster"]);
  });

  it("merges section files from separate plan jobs into the same comment", async () => {
    const direct = await runCli(["render", "--stack", `a=${fixture("tfplan2md-tf1.14-azdo-plan1.json")}`, "--stack", `b=${fixture("borchero-tf1.13-delete.json")}`, "--max-chars", "4000"]);
    const files = ["a", "b"].map((name, i) => {
      const plan = i === 0 ? "tfplan2md-tf1.14-azdo-plan1.json" : "borchero-tf1.13-delete.json";
      return runCli(["render", "--stack", `${name}=${fixture(plan)}`, "--format", "sections"]).then((r) => {
        const file = join(tmp, `${name}.section.json`);
        writeFileSync(file, r.stdout);
        return file;
      });
    });
    const [a, b] = await Promise.all(files);
    const merged = await runCli(["render", "--section", a!, "--section", b!, "--max-chars", "4000"]);
    expect(merged.code).toBe(0);
    expect(merged.stdout).toBe(direct.stdout);
    expect(merged.stdout.length).toBeLessThanOrEqual(4000);
    expect(readFileSync(a!, "utf8")).not.toContain('"resource_changes"');
  });

  it("says which commit the plans are for and links the run, under the status line", async () => {
    const sha = "0123456789abcdef0123456789abcdef01234567";
    const runUrl = "https://github.com/acme/infra/actions/runs/123456789";
    const r = await runCli(["render", "--stack", `a=${fixture("borchero-tf1.13-empty.json")}`, "--commit", sha, "--run-url", runUrl]);
    expect(r.code).toBe(0);
    const [, , overall, source] = r.stdout.split("\n\n");
    expect(overall).toMatch(/^1 stack planned/);
    expect(source).toBe(`Planned for commit \`0123456789ab\` merged into its base · [workflow run with the full plans](${runUrl})`);
  });

  it("says when the pull request changes the review tooling, which its base rendered", async () => {
    const plain = await runCli(["render", "--stack", `a=${fixture("borchero-tf1.13-empty.json")}`]);
    const r = await runCli(["render", "--stack", `a=${fixture("borchero-tf1.13-empty.json")}`, "--tooling-changed"]);
    expect(plain.stdout).not.toContain("changes the review tooling");
    expect(r.stdout.split("\n\n")[3]).toBe(
      "⚙️ This pull request changes the review tooling (`automation/`, `scripts/`, workflows or dependencies). Its plans were made and rendered by the tooling of the base commit; the changed tooling takes effect after merge.",
    );
  });

  it.each([
    [["render"], /nothing to render/],
    [["render", "--stack", `a=${fixture("borchero-tf1.13-empty.json")}`, "--commit", "main"], /--commit "main": expected a commit SHA/],
    [["render", "--stack", `a=${fixture("borchero-tf1.13-empty.json")}`, "--format", "sections", "--commit", "0123456"], /--commit, --run-url, --tooling-changed and --destroy-approval belong to the comment/],
    [["render", "--stack", `a=${fixture("borchero-tf1.13-empty.json")}`, "--run-url", "javascript:alert(1)"], /--run-url "javascript:alert\(1\)": expected an https URL/],
    [["render", "--stack", `a=${fixture("borchero-tf1.13-empty.json")}`, "--run-url", "https://x.test/a) [click](https://evil.test"], /--run-url .*expected an https URL/],
    [["render", "--stack", "noequals"], /expected NAME=PLAN\.json/],
    [["render", "--stack", "bad name=x.json"], /stack name "bad name"/],
    [["render", "--stack", `a=${fixture("borchero-tf1.13-empty.json")}`, "--max-chars", "ten"], /--max-chars "ten"/],
    [["render", "--stack", `a=${fixture("borchero-tf1.13-empty.json")}`, "--stack", `a=${fixture("borchero-tf1.13-empty.json")}`], /stack "a" given twice/],
    [["render", "--stack", `a=${fixture("borchero-tf1.13-empty.json")}`, "--key", "has space"], /--key "has space"/],
    [["render", "--section", fixture("borchero-tf1.13-empty.json")], /not a gitops-stack-section\/v1 section/],
  ])("exits 2: %j", async (args, message) => {
    const r = await runCli(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });
});

describe("the bundled CLI (one real process)", () => {
  it("npm run gitops works: output on stdout, exit codes 0 and 2, no stack trace", () => {
    const ok = spawnSync(process.execPath, ["scripts/run-bundled.mjs", "automation/index.ts", "summarize", fixture("borchero-tf1.13-modify.json"), "--format", "json"], { encoding: "utf8" });
    expect(ok.stderr).toBe("");
    expect(ok.status).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ add: 2, destroy: 2, replace: 2 });
    const bad = spawnSync(process.execPath, ["scripts/run-bundled.mjs", "automation/index.ts", "summarize", fixture("SOURCES.md")], { encoding: "utf8" });
    expect(bad.status).toBe(2);
    expect(bad.stdout).toBe("");
    expect(bad.stderr).toMatch(/^error: .*SOURCES\.md: not valid JSON/);
    expect(bad.stderr).not.toMatch(/\n\s+at /);
  });

  it("keeps the schema models out of the bundle, and gitops preview still loads them when it needs them", () => {
    // A Helm-sourced Application (validated, not rendered) whose syncPolicy.retry.limit has the wrong type.
    const app = (limit: string) =>
      `apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: web, namespace: argocd}\nspec:\n  project: default\n  source: {repoURL: "https://charts.example.org", chart: web, targetRevision: 1.0.0}\n  destination: {server: "https://kubernetes.default.svc", namespace: web}\n  syncPolicy: {retry: {limit: ${limit}}}\n`;
    for (const [side, limit] of [["base", "5"], ["head", '"five"']] as const) {
      const dir = join(tmp, "preview", side, "gitops", "apps", "dev");
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, "web.yaml"), app(limit));
    }
    const r = spawnSync(process.execPath, ["scripts/run-bundled.mjs", "automation/index.ts", "preview", "--base", join(tmp, "preview", "base"), "--head", join(tmp, "preview", "head"), "--format", "json"], {
      encoding: "utf8",
    });
    expect(r.stderr).toContain("Application/argocd/web: schema (argoproj.io/v1alpha1 Application)");
    expect(r.status).toBe(1);
    // The bundle the preview just ran from holds no copy of the models: the finding above came from
    // the model it required from node_modules (automation/preview/schema.ts).
    const bundle = readFileSync(join(__dirname, "../../.build/gitops.js"), "utf8");
    expect(bundle).not.toMatch(/^\/\/ node_modules\/(@kubernetes-models|kubernetes-models)\//m);

    // The same bundle where no node_modules can be found (a broken install): the preview fails
    // instead of skipping every schema check.
    const alone = join(tmp, "bundle-alone");
    mkdirSync(alone);
    copyFileSync(join(__dirname, "../../.build/gitops.js"), join(alone, "gitops.js"));
    const broken = spawnSync(process.execPath, [join(alone, "gitops.js"), "preview", "--base", join(tmp, "preview", "base"), "--head", join(tmp, "preview", "head")], { encoding: "utf8", cwd: alone });
    expect(broken.stderr).toContain("Cannot find module '@kubernetes-models/argo-cd/argoproj.io/v1alpha1'");
    expect(broken.status).toBe(1);
  });
});

describe("gitops plan-role", () => {
  it("refuses a stack whose provider does not pin exactly one account, and an unknown environment", async () => {
    const synth = writeSynthOutput(join(tmp, "plan-role", "cdktf.out"), { "qa-cluster": [] });
    const unpinned = await runCli(["plan-role", "--cdktf-out", synth, "--env", "qa"]);
    expect(unpinned.code).toBe(2);
    expect(unpinned.stderr).toContain("expected the AWS provider to allow exactly one account and name a region (aws.allowedAccountIds in config/qa.yaml), got []");
    expect((await runCli(["plan-role", "--cdktf-out", synth, "--env", "prod"])).stderr).toContain("--env prod: no prod-cluster stack");
  });
});
