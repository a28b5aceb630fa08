// What each workflow does: triggers, ordering, concurrency, what leaves a job, and the runner choice.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { loadEnvironmentConfigs } from "../../config/schema";
import { APPLY_ROLE_MAX_SESSION_SECONDS, PLAN_ROLE_MAX_SESSION_SECONDS } from "../../stacks/role-sessions";
import {
  REPO_ROOT,
  allJobs,
  calledWorkflow,
  gitopsCalls,
  jobRunsGitops,
  loadWorkflows,
  scriptsOf,
  stepsOf,
  workflowByFile,
  type Concurrency,
  type Job,
  type Step,
} from "./workflow-files";

const files = loadWorkflows();
const ci = workflowByFile(files, "ci.yml");
const plan = workflowByFile(files, "plan.yml");
const apply = workflowByFile(files, "apply.yml");
const drift = workflowByFile(files, "drift.yml");

const runsTerraform = (job: Job) => ["plan", "apply", "drift"].some((c) => jobRunsGitops(job, c));
const FORK_GUARD = "github.event.pull_request.head.repo.full_name == github.repository";
/** Exactly what a plan job may let out: rendered sections, summaries, fingerprints. */
const SAFE_UPLOADS = ["comment.md", "section.json", "summary.json", "fingerprints.json"];

function step(job: Job, predicate: (s: Step) => boolean): Step {
  const found = stepsOf(job).find(predicate);
  if (!found) throw new Error("step not found");
  return found;
}

function concurrencyOf(c: string | Concurrency | undefined): Concurrency | undefined {
  return typeof c === "string" ? { group: c } : c;
}

describe("ci.yml", () => {
  it("runs on pull requests and pushes to main", () => {
    expect(ci.on).toEqual({ pull_request: null, push: { branches: ["main"] } });
  });

  it("installs, lints, typechecks, tests and synthesizes with the Node version of .nvmrc and the npm cache", () => {
    const job = ci.jobs.check as Job;
    const node = step(job, (s) => s.uses?.startsWith("actions/setup-node@") === true);
    expect(node.with).toEqual({ "node-version-file": ".nvmrc", cache: "npm" });
    expect(readFileSync(join(REPO_ROOT, ".nvmrc"), "utf8").trim()).toMatch(/^(22|24)$/);
    const commands = scriptsOf(job).map((s) => s.split("\n").find((l) => /\bnpm /.test(l))?.trim().split(" 2>&1")[0]);
    expect(commands.map((c) => c?.split(" >")[0])).toEqual([
      "npm ci",
      "npm run lint",
      "npm run typecheck",
      "npm test",
      "npm run synth",
      'npm run --silent gitops -- preview --base "$empty" --head .',
    ]);
  });

  it("checks every Argo CD Application against today's rules: the preview against a new empty directory as the base", () => {
    const script = scriptsOf(ci.jobs.check as Job).find((s) => s.includes("gitops -- preview")) ?? "";
    // On a line of its own, so a failing mktemp stops the step instead of previewing against "".
    expect(script.split("\n")[0]).toBe("empty=$(mktemp -d)");
    expect(script).toContain('exit "$status"');
  });
});

describe("plan.yml", () => {
  it("runs on pull_request for opened, synchronize, reopened, labeled and unlabeled", () => {
    expect(plan.on).toEqual({ pull_request: { types: ["opened", "synchronize", "reopened", "labeled", "unlabeled"] } });
  });

  it("keeps one run per pull request, cancelling the superseded one", () => {
    expect(plan.concurrency).toEqual({ group: "plan-${{ github.event.pull_request.number }}", "cancel-in-progress": true });
  });

  it("never gives cloud credentials or a write token to a fork's pull request", () => {
    const privileged = Object.entries(plan.jobs).filter(([, j]) => typeof j.permissions === "object" && Object.values(j.permissions).includes("write"));
    expect(privileged.map(([id]) => id).sort()).toEqual(["comment", "plan", "preview"]);
    for (const [, job] of privileged) expect(job.if).toContain(FORK_GUARD);
  });

  it("tells fork pull requests that plans need a maintainer, in the job summary", () => {
    const status = plan.jobs.status as Job;
    expect(status.if).toBe("${{ always() }}");
    expect(status.permissions).toEqual({});
    const script = scriptsOf(status).join("\n");
    expect(script).toContain("Plans need a maintainer");
    expect(script).toContain("$GITHUB_STEP_SUMMARY");
  });

  it("plans the changed environments as a matrix, from `gitops changed` of the head and base synth", () => {
    const changes = plan.jobs.changes as Job;
    const calls = scriptsOf(changes).flatMap(gitopsCalls);
    expect(calls.map((c) => c.subcommand)).toEqual(["changed"]);
    expect(calls[0]?.line).toContain('--base "$RUNNER_TEMP/synth/base" --head "$RUNNER_TEMP/synth/head" --format json');
    const job = plan.jobs.plan as Job;
    expect(job.strategy?.matrix).toEqual({ environment: "${{ fromJSON(needs.changes.outputs.environments) }}" });
    expect(changes.outputs?.environments).toBe("${{ steps.changed.outputs.environments }}");
  });

  it("turns changed, added and removed stacks into environments, never planning bootstrap or local-gitops", () => {
    const script = step(plan.jobs.changes as Job, (s) => s.id === "changed").run ?? "";
    const filters = [...script.matchAll(/jq -c '([^']+)'/g)].map((m) => m[1] as string);
    expect(filters).toHaveLength(2);
    const changed = { changed: ["staging-cluster", "bootstrap", "local-gitops"], added: ["qa-gitops", "staging-gitops"], removed: ["old-cluster"] };
    const jq = (filter: string, input: unknown) => execFileSync("jq", ["-c", filter], { input: JSON.stringify(input) }).toString().trim();
    let stacks: string;
    try {
      stacks = jq(filters[0] as string, changed);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return console.warn("jq not installed: skipping the jq filter check");
      throw error;
    }
    expect(JSON.parse(stacks)).toEqual(["old-cluster", "qa-gitops", "staging-cluster", "staging-gitops"]);
    expect(JSON.parse(jq(filters[1] as string, JSON.parse(stacks)))).toEqual(["old", "qa", "staging"]);
  });

  it("plans strictly, only what changed versus the base, with allow-destroy only when it counts", () => {
    const job = plan.jobs.plan as Job;
    const calls = scriptsOf(job).flatMap(gitopsCalls);
    expect(calls.map((c) => c.subcommand)).toEqual(["plan-role", "allow-destroy", "plan"]);
    expect(calls[2]?.options).toEqual(expect.arrayContaining(["--changed-from", "--strict", "--labels", "--env", "--out"]));
    const planStep = step(job, (s) => s.id === "plan");
    expect(planStep.run).toContain('--labels "$PR_LABELS"');
    // Not the PR's labels as they are: the allow-destroy step's verdict (who added it, when, with what access).
    expect(planStep.env?.PR_LABELS).toBe("${{ steps.destroy.outputs.labels }}");
    expect(planStep.env?.GITHUB_TOKEN).toBeUndefined();
    const destroy = step(job, (s) => s.id === "destroy");
    expect(destroy.run).toBe('npm run --silent gitops -- allow-destroy --repo "$GITHUB_REPOSITORY" --pr "$PR_NUMBER"');
    expect(job.permissions).toEqual({ contents: "read", "id-token": "write", "pull-requests": "read" });
  });

  it("merges the uploaded sections into one sticky comment without plan JSON", () => {
    const job = plan.jobs.comment as Job;
    expect(job.needs).toEqual(["changes", "plan"]);
    const download = step(job, (s) => s.uses?.startsWith("actions/download-artifact@") === true);
    expect(download.with?.pattern).toBe("plan-*");
    const calls = scriptsOf(job).flatMap(gitopsCalls);
    const render = calls.find((c) => c.subcommand === "render");
    expect(render?.options).toEqual(expect.arrayContaining(["--section", "--commit", "--run-url"]));
    // The PR's head commit, so reviewers can tell a stale comment from a current one.
    expect(stepsOf(job).find((s) => s.run?.includes("gitops -- render"))?.env?.HEAD_SHA).toBe("${{ github.event.pull_request.head.sha }}");
    expect(calls.filter((c) => c.subcommand === "comment").length).toBeGreaterThanOrEqual(1);
    expect(scriptsOf(job).join("\n")).not.toMatch(/plan\.json|tfplan/);
  });
});

describe("plan.yml: trusted rendering (the PR's code runs only in the synth job, without credentials)", () => {
  const jobs = plan.jobs as Record<string, Job>;
  const BASE_REFS = ["${{ needs.changes.outputs.base }}", "${{ steps.base.outputs.sha }}"];
  /** Checkouts of the pull request itself: no `ref`, so GitHub's merge commit. */
  const prCheckouts = (job: Job) => stepsOf(job).filter((s) => s.uses?.startsWith("actions/checkout@") === true && s.with?.ref === undefined);

  it("synth is the only job that runs the pull request's code, and it holds nothing worth stealing", () => {
    const runners = Object.entries(jobs).filter(([, job]) => prCheckouts(job).some((c) => c.with?.path === undefined)).map(([id]) => id);
    expect(runners).toEqual(["synth"]);
    const synth = jobs.synth as Job;
    expect(synth.permissions).toEqual({ contents: "read" });
    expect(stepsOf(synth).some((s) => s.uses?.startsWith("aws-actions/") === true)).toBe(false);
    expect(JSON.stringify(synth)).not.toMatch(/secrets\.|github\.token|GITHUB_TOKEN/);
    expect(scriptsOf(synth).map((s) => s.trim())).toEqual(["npm ci", 'CDKTF_OUTDIR="$RUNNER_TEMP/synth/head" npm run synth']);
  });

  it("the jobs that decide, plan, fingerprint and post check out the base commit and run its CLI", () => {
    for (const id of ["changes", "plan", "comment", "preview"]) {
      const job = jobs[id] as Job;
      const checkouts = stepsOf(job).filter((s) => s.uses?.startsWith("actions/checkout@") === true);
      const base = checkouts.filter((c) => BASE_REFS.includes(String(c.with?.ref)));
      expect({ id, base: base.length }).toEqual({ id, base: 1 });
      // Any other checkout is the PR's merge commit in its own directory, read with git only.
      for (const other of checkouts.filter((c) => !base.includes(c))) {
        expect({ id, path: other.with?.path, ref: other.with?.ref }).toEqual({ id, path: "pr", ref: undefined });
      }
      const baseDir = base[0]?.with?.path as string | undefined;
      for (const s of stepsOf(job).filter((x) => x.run !== undefined)) {
        const inBase = baseDir === undefined || s["working-directory"] === baseDir;
        const runsProjectCode = /\bnpm\b|\bnode\s|gitops -- /.test(s.run ?? "");
        if (runsProjectCode) expect({ id, step: s.name ?? s.run, inBase }).toEqual({ id, step: s.name ?? s.run, inBase: true });
        // The PR's checkout is only ever read by git.
        for (const line of (s.run ?? "").split("\n").filter((l) => /\bpr\b/.test(l) && !/\bpr=|\$pr\b|PR_/.test(l))) {
          expect({ id, line: line.trim() }).toEqual({ id, line: expect.stringMatching(/git -C pr /) });
        }
      }
    }
  });

  it("takes only the synthesized Terraform from the synth job", () => {
    const uploads = stepsOf(jobs.synth as Job).filter((s) => s.uses?.startsWith("actions/upload-artifact@") === true);
    expect(uploads.map((u) => [u.with?.name, u.with?.path])).toEqual([["synth-head", "${{ runner.temp }}/synth/head"]]);
    const downloads = Object.entries(jobs).flatMap(([id, job]) =>
      stepsOf(job)
        .filter((s) => s.uses?.startsWith("actions/download-artifact@") === true && s.with?.name === "synth-head")
        .map(() => id),
    );
    expect(downloads).toEqual(["changes"]);
  });

  it("tells reviewers when the pull request changes the tooling that rendered its plan", () => {
    const changes = jobs.changes as Job;
    const base = step(changes, (s) => s.id === "base");
    expect(base.run).toContain("git -C pr diff --name-only HEAD^1 HEAD -- automation scripts .github package.json package-lock.json");
    expect(changes.outputs?.["tooling-changed"]).toBe("${{ steps.base.outputs.tooling-changed }}");
    const render = step(jobs.comment as Job, (s) => (s.run ?? "").includes("gitops -- render"));
    expect(render.env?.TOOLING_CHANGED).toBe("${{ needs.changes.outputs.tooling-changed }}");
    expect(render.run).toContain('if [ "$TOOLING_CHANGED" = "true" ]; then args+=(--tooling-changed); fi');
  });
});

describe("apply-environment.yml: stacks removed from the code", () => {
  const job = workflowByFile(files, "apply-environment.yml").jobs.apply as Job;

  it("synthesizes the previous commit of main and lets apply destroy what was removed since, if reviewed", () => {
    const checkout = step(job, (s) => s.uses?.startsWith("actions/checkout@") === true);
    expect(checkout.with?.["fetch-depth"]).toBe(2);
    const previous = step(job, (s) => s.name === "synth the previous commit");
    expect(previous.run).toContain('git worktree add --detach "$RUNNER_TEMP/previous-src" HEAD^1');
    expect(previous.run).toContain('CDKTF_OUTDIR="$RUNNER_TEMP/previous" npm run synth');
    const apply = step(job, (s) => (s.run ?? "").includes("gitops -- apply"));
    expect(apply.run).toContain('if [ -f "$RUNNER_TEMP/previous/manifest.json" ]; then args+=(--changed-from "$RUNNER_TEMP/previous"); fi');
    expect(stepsOf(job).indexOf(previous)).toBeLessThan(stepsOf(job).indexOf(apply));
  });

  it("still runs for an environment whose config was removed", () => {
    const synth = step(job, (s) => s.name === "synth");
    expect(synth.run).toContain('if [ -f "config/$TARGET_ENV.yaml" ]; then');
  });
});

describe("runners", () => {
  it("every job that runs terraform checks for the AWS CLI first (aws eks get-token) and says what to install", () => {
    const jobs = allJobs(files).filter((j) => ["plan", "apply", "drift", "unlock"].some((c) => jobRunsGitops(j.job, c)));
    expect(jobs.map((j) => `${j.file}#${j.id}`).sort()).toEqual(["apply-environment.yml#apply", "drift.yml#drift", "plan.yml#plan", "unlock.yml#unlock"]);
    for (const { file, id, job } of jobs) {
      const steps = stepsOf(job);
      const check = steps.findIndex((s) => (s.run ?? "").includes("if ! command -v aws >/dev/null 2>&1; then"));
      const gitops = steps.findIndex((s) => /gitops -- (?:plan|apply|drift|unlock)(?:\s|$)/.test(s.run ?? ""));
      expect({ where: `${file}#${id}`, checked: check >= 0 && check < gitops }).toEqual({ where: `${file}#${id}`, checked: true });
      expect(steps[check]?.run).toContain("install AWS CLI v2");
    }
  });
});

describe("plan.yml: the Argo CD preview", () => {
  const job = plan.jobs.preview as Job;

  it("runs when gitops/ changed, with the base's tooling over the pull request's files, and posts its own sticky comment", () => {
    expect(job.if).toContain("needs.changes.outputs.gitops-changed == 'true'");
    const calls = scriptsOf(job).flatMap(gitopsCalls);
    expect(calls.map((c) => c.subcommand)).toEqual(["allow-destroy", "preview", "comment"]);
    expect(step(job, (s) => s.id === "preview").run).toContain('preview --base "$GITHUB_WORKSPACE/base" --head "$GITHUB_WORKSPACE/pr" --strict --labels "$PR_LABELS"');
    expect(step(job, (s) => (s.run ?? "").includes("gitops -- comment")).run).toContain("--key gitops-preview");
    expect(step(job, (s) => s.id === "preview").env).toEqual({ PR_LABELS: "${{ steps.destroy.outputs.labels }}" });
  });

  it("is part of the plan status check, which fails when the preview failed", () => {
    const status = plan.jobs.status as Job;
    expect(status.needs).toContain("preview");
    expect(scriptsOf(status).join("\n")).toContain('if [ "$PREVIEW_RESULT" = "failure" ] || [ "$PREVIEW_RESULT" = "cancelled" ]; then');
  });
});

describe("unlock.yml", () => {
  const unlock = workflowByFile(files, "unlock.yml");
  const target = unlock.jobs.target as Job;
  const job = unlock.jobs.unlock as Job;

  it("is started by hand with a stack and a lock ID, which reach scripts only through env", () => {
    expect(Object.keys(unlock.on)).toEqual(["workflow_dispatch"]);
    const inputs = (unlock.on.workflow_dispatch as { inputs: Record<string, { required: boolean }> }).inputs;
    expect(Object.entries(inputs).map(([k, v]) => [k, v.required])).toEqual([["stack", true], ["lock_id", true]]);
    const release = step(job, (s) => (s.run ?? "").includes("gitops -- unlock"));
    expect(release.env).toEqual({ STACK: "${{ inputs.stack }}", LOCK_ID: "${{ inputs.lock_id }}" });
    expect(release.run).toBe('exec npm run --silent gitops -- unlock --stack "$STACK" --lock-id "$LOCK_ID"');
  });

  it("derives the environment from a validated stack name, and refuses while an apply runs", () => {
    const check = step(target, (s) => s.id === "stack");
    const output = join(mkdtempSync(join(tmpdir(), "unlock-output-")), "output");
    const validate = (stack: string) => {
      writeFileSync(output, "");
      try {
        execFileSync("bash", ["-c", check.run ?? ""], { env: { ...process.env, STACK: stack, LOCK_ID: "6f1c2b7e-0d4a-4c1b-9e55-3a2f8d9c0b11", GITHUB_OUTPUT: output }, stdio: "pipe" });
        return readFileSync(output, "utf8");
      } catch {
        return "refused";
      }
    };
    expect(validate("staging-cluster")).toBe("environment=staging\n");
    expect(validate("production-gitops")).toBe("environment=production\n");
    for (const bad of ["local-gitops", "bootstrap", "staging-cluster; rm -rf /", "../x-cluster"]) expect([bad, validate(bad)]).toEqual([bad, "refused"]);
    expect(target.permissions).toEqual({ actions: "read" });
    expect(scriptsOf(target).join("\n")).toContain("gh run list --workflow apply.yml --status");
  });

  it("runs in the stack's GitHub environment with its apply role, only from main", () => {
    expect(job.environment).toBe("${{ needs.target.outputs.environment }}");
    expect(job.permissions).toEqual({ contents: "read", "id-token": "write" });
    const assume = step(job, (s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@") === true);
    expect(assume.with?.["role-to-assume"]).toBe("${{ vars.GITOPS_APPLY_ROLE_ARN }}");
    const steps = stepsOf(job);
    const guard = steps.findIndex((s) => (s.run ?? "").includes('if [ "$RUN_REF" != "refs/heads/main" ]; then'));
    expect(guard).toBeGreaterThanOrEqual(0);
    expect(guard).toBeLessThan(steps.indexOf(assume));
  });
});

describe("artifacts", () => {
  const jobsThatPlan = allJobs(files).filter((j) => runsTerraform(j.job));

  it("jobs that run terraform upload only rendered sections, summaries and fingerprints", () => {
    expect(jobsThatPlan.length).toBeGreaterThanOrEqual(3);
    for (const { file, id, job } of jobsThatPlan) {
      for (const upload of stepsOf(job).filter((s) => s.uses?.startsWith("actions/upload-artifact@"))) {
        const paths = String(upload.with?.path ?? "").split("\n").map((p) => p.trim()).filter(Boolean);
        expect(paths.length).toBeGreaterThan(0);
        for (const p of paths) {
          const base = p.split("/").pop() ?? "";
          expect({ where: `${file}#${id}`, path: p, safe: SAFE_UPLOADS.includes(base) }).toEqual({ where: `${file}#${id}`, path: p, safe: true });
        }
        expect(upload.with?.["include-hidden-files"]).not.toBe(true);
      }
    }
  });

  it("no upload anywhere names a plan file or plan JSON", () => {
    const uploads = allJobs(files).flatMap((j) => stepsOf(j.job).filter((s) => s.uses?.startsWith("actions/upload-artifact@")));
    expect(uploads.length).toBeGreaterThanOrEqual(2);
    for (const u of uploads) expect(String(u.with?.path)).not.toMatch(/tfplan|plan\.json|\*\*/);
  });

  it("a job that uploads anything else (the synth outputs) never assumes a role or runs terraform", () => {
    const changes = plan.jobs.changes as Job;
    expect(stepsOf(changes).some((s) => s.uses?.startsWith("actions/upload-artifact@"))).toBe(true);
    expect(changes.permissions).toEqual({ contents: "read" });
    expect(runsTerraform(changes)).toBe(false);
    expect(stepsOf(changes).some((s) => s.uses?.startsWith("hashicorp/setup-terraform@"))).toBe(false);
  });
});

describe("terraform setup", () => {
  const jobsWithTerraform = allJobs(files).filter((j) => stepsOf(j.job).some((s) => s.uses?.startsWith("hashicorp/setup-terraform@")));

  it("pins terraform >= 1.10 (S3 use_lockfile), without the wrapper, with a provider plugin cache", () => {
    expect(jobsWithTerraform.map((j) => `${j.file}#${j.id}`).sort()).toEqual(["apply-environment.yml#apply", "drift.yml#drift", "plan.yml#plan", "unlock.yml#unlock"]);
    for (const { file, job } of jobsWithTerraform) {
      const setup = step(job, (s) => s.uses?.startsWith("hashicorp/setup-terraform@") === true);
      expect(setup.with).toEqual({ terraform_version: "${{ env.TERRAFORM_VERSION }}", terraform_wrapper: false });
      const version = workflowByFile(files, file).env?.TERRAFORM_VERSION ?? "";
      const [major, minor] = version.split(".").map(Number);
      expect(version).toMatch(/^\d+\.\d+\.\d+$/);
      expect((major ?? 0) > 1 || (major === 1 && (minor ?? 0) >= 10)).toBe(true);
      const cache = step(job, (s) => s.uses?.startsWith("actions/cache@") === true);
      expect(cache.with?.path).toBe("~/.terraform.d/plugin-cache");
      expect(scriptsOf(job).join("\n")).toContain('TF_PLUGIN_CACHE_DIR=$HOME/.terraform.d/plugin-cache');
    }
  });

  it("runs jobs that reach a cluster on the runner from vars.GITOPS_RUNNER, ubuntu-latest by default", () => {
    for (const { job } of jobsWithTerraform) {
      expect(job["runs-on"]).toBe("${{ format(vars.GITOPS_RUNNER || 'ubuntu-latest', github.run_id, github.run_attempt) }}");
    }
  });

  it("plan and drift use the read-only plan role; apply uses the environment's apply role", () => {
    const role = (file: string, id: string) => step(workflowByFile(files, file).jobs[id] as Job, (s) => s.uses?.startsWith("aws-actions/") === true).with?.["role-to-assume"];
    // The plan role of the environment's account (gitops plan-role), unless the repository variable is set.
    expect(role("plan.yml", "plan")).toBe("${{ vars.GITOPS_PLAN_ROLE_ARN || steps.plan-role.outputs.arn }}");
    expect(role("drift.yml", "drift")).toBe("${{ vars.GITOPS_PLAN_ROLE_ARN || steps.plan-role.outputs.arn }}");
    expect(role("apply-environment.yml", "apply")).toBe("${{ vars.GITOPS_APPLY_ROLE_ARN }}");
  });

  it("asks for the role's longest session, and the apply session outlasts the apply job's timeout", () => {
    // A session shorter than the job would expire mid-apply, which is as bad as a cancel; a longer one
    // than the role's max_session_duration makes the role assumption itself fail.
    const assume = (file: string, id: string) => {
      const job = workflowByFile(files, file).jobs[id] as Job;
      const seconds = step(job, (s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@") === true).with?.["role-duration-seconds"];
      // 360 minutes is GitHub's default when a job sets no timeout.
      return { seconds, timeoutSeconds: (job["timeout-minutes"] ?? 360) * 60 };
    };
    const apply = assume("apply-environment.yml", "apply");
    expect(apply.seconds).toBe(APPLY_ROLE_MAX_SESSION_SECONDS);
    expect(apply.seconds).toBeGreaterThanOrEqual(apply.timeoutSeconds);
    for (const [file, id] of [["plan.yml", "plan"], ["drift.yml", "drift"]] as const) {
      const plan = assume(file, id);
      expect({ file, seconds: plan.seconds }).toEqual({ file, seconds: PLAN_ROLE_MAX_SESSION_SECONDS });
      expect(plan.seconds).toBeGreaterThanOrEqual(plan.timeoutSeconds);
    }
  });
});

describe("apply.yml", () => {
  const applyJobs = allJobs(files).filter((j) => jobRunsGitops(j.job, "apply"));
  const applyFiles = ["apply.yml", ...new Set(allJobs(files).flatMap((j) => (j.file === "apply.yml" ? [calledWorkflow(files, j.job)?.file ?? "?"] : [])))];

  it("runs on push to main and on workflow_dispatch with environment and fingerprints inputs", () => {
    expect(Object.keys(apply.on).sort()).toEqual(["push", "workflow_dispatch"]);
    expect(apply.on.push).toEqual({ branches: ["main"] });
    const inputs = (apply.on.workflow_dispatch as { inputs: Record<string, { type: string; options?: string[] }> }).inputs;
    expect(inputs.environment).toMatchObject({ type: "choice", options: ["staging", "production"] });
    expect(inputs.fingerprints).toMatchObject({ type: "string" });
  });

  it("never cancels an apply in progress: every concurrency setting says cancel-in-progress: false", () => {
    expect(applyFiles).toEqual(["apply.yml", "apply-environment.yml"]);
    const settings = applyFiles.flatMap((file) => {
      const wf = workflowByFile(files, file);
      return [wf.concurrency, ...Object.values(wf.jobs).map((j) => j.concurrency)].map(concurrencyOf).filter((c): c is Concurrency => c !== undefined);
    });
    expect(settings.length).toBeGreaterThanOrEqual(1);
    for (const c of settings) expect(c["cancel-in-progress"]).toBe(false);
  });

  it("serializes applies per environment, in the job that applies, behind the GitHub environment", () => {
    expect(applyJobs).toHaveLength(1);
    const job = applyJobs[0]?.job as Job;
    expect(concurrencyOf(job.concurrency)).toEqual({ group: "gitops-apply-${{ inputs.environment }}", "cancel-in-progress": false });
    expect(job.environment).toBe("${{ inputs.environment }}");
    // No timeout shorter than the longest apply: a timeout kills terraform just like a cancel.
    expect(job["timeout-minutes"]).toBe(360);
  });

  it("shares no concurrency group with another workflow (a pending drift must never displace a pending apply)", () => {
    const groups = allJobs(files)
      .filter((j) => !applyFiles.includes(j.file))
      .flatMap((j) => [concurrencyOf(j.job.concurrency)?.group])
      .concat(files.filter((f) => !applyFiles.includes(f.file)).map((f) => concurrencyOf(f.workflow.concurrency)?.group))
      .filter((g): g is string => g !== undefined);
    for (const g of groups) expect(g).not.toMatch(/apply/);
  });

  it("applies staging, then production", () => {
    expect(Object.keys(apply.jobs)).toEqual(["staging", "production"]);
    expect(apply.jobs.staging?.with?.environment).toBe("staging");
    expect(apply.jobs.production?.with?.environment).toBe("production");
    expect(apply.jobs.production?.needs).toBe("staging");
    expect(apply.jobs.production?.if).toContain("needs.staging.result == 'success'");
    // Production applies the commit staging applied, not a newer head staging has not seen.
    expect(apply.jobs.production?.with?.ref).toBe("${{ needs.staging.outputs.sha || '' }}");
  });

  it("applies the head of main when the job starts, so a dropped pending run loses nothing", () => {
    const job = applyJobs[0]?.job as Job;
    const checkout = step(job, (s) => s.uses?.startsWith("actions/checkout@") === true);
    expect(checkout.with?.ref).toBe("${{ inputs.ref || 'main' }}");
    expect(readFileSync(join(REPO_ROOT, ".github/workflows/apply.yml"), "utf8")).toMatch(/only ONE pending run[\s\S]*loses[\s#]+nothing/);
  });

  it("applies the merged PR's reviewed plan, or the fingerprints a human approved", () => {
    const job = applyJobs[0]?.job as Job;
    const calls = scriptsOf(job).flatMap(gitopsCalls);
    expect(calls.map((c) => c.subcommand)).toEqual(["apply"]);
    expect(calls[0]?.options).toEqual(expect.arrayContaining(["--env", "--reviewed", "--reviewed-pr", "--repo", "--commit", "--run-url"]));
    const applyStep = step(job, (s) => /gitops -- apply/.test(s.run ?? ""));
    expect(applyStep.env).toMatchObject({
      FINGERPRINTS: "${{ inputs.fingerprints }}",
      PR_NUMBER: "${{ steps.commit.outputs.pr }}",
      // The commit that was checked out and synthesized, named in the apply comment.
      APPLY_SHA: "${{ steps.commit.outputs.sha }}",
    });
    expect(scriptsOf(job).join("\n")).toContain("node .github/scripts/merged-pr.mjs");
  });
});

describe("reusable workflow calls", () => {
  const calls = allJobs(files).filter((j) => j.job.uses?.startsWith("./"));

  it("pass only declared inputs, every required one, and read only declared outputs", () => {
    expect(calls.length).toBeGreaterThanOrEqual(2);
    for (const { file, id, job } of calls) {
      const called = calledWorkflow(files, job);
      expect(called).toBeDefined();
      const spec = called?.workflow.on.workflow_call as { inputs?: Record<string, { required?: boolean }>; outputs?: Record<string, unknown> };
      const declared = Object.keys(spec.inputs ?? {});
      const given = Object.keys(job.with ?? {});
      expect({ job: `${file}#${id}`, unknown: given.filter((k) => !declared.includes(k)) }).toEqual({ job: `${file}#${id}`, unknown: [] });
      const required = Object.entries(spec.inputs ?? {}).filter(([, v]) => v.required).map(([k]) => k);
      expect({ job: `${file}#${id}`, missing: required.filter((k) => !given.includes(k)) }).toEqual({ job: `${file}#${id}`, missing: [] });
      const wf = workflowByFile(files, file);
      const read = [...JSON.stringify(wf).matchAll(new RegExp(`needs\\.${id}\\.outputs\\.([A-Za-z0-9_-]+)`, "g"))].map((m) => m[1]);
      for (const output of read) expect(Object.keys(spec.outputs ?? {})).toContain(output);
    }
  });
});

describe("drift.yml", () => {
  it("runs daily and on demand", () => {
    expect(Object.keys(drift.on).sort()).toEqual(["schedule", "workflow_dispatch"]);
    const [schedule] = drift.on.schedule as { cron: string }[];
    expect(schedule?.cron).toMatch(/^\d+ \d+ \* \* \*$/);
  });

  it("runs `gitops drift` per environment with issues: write and the plan role", () => {
    const job = drift.jobs.drift as Job;
    expect(job.permissions).toEqual({ contents: "read", "id-token": "write", issues: "write" });
    const calls = scriptsOf(job).flatMap(gitopsCalls);
    expect(calls.map((c) => c.subcommand)).toEqual(["plan-role", "drift"]);
    expect(calls[1]?.options).toEqual(["--env", "--repo"]);
  });
});

describe("dependabot.yml", () => {
  const config = parse(readFileSync(join(REPO_ROOT, ".github/dependabot.yml"), "utf8")) as {
    version: number;
    updates: { "package-ecosystem": string; directory: string; schedule: { interval: string }; groups?: Record<string, { patterns: string[] }> }[];
  };

  it("updates npm and github-actions weekly", () => {
    expect(config.version).toBe(2);
    expect(config.updates.map((u) => [u["package-ecosystem"], u.directory, u.schedule.interval])).toEqual([
      ["npm", "/", "weekly"],
      ["github-actions", "/", "weekly"],
    ]);
  });

  it("groups cdktf with its provider packages", () => {
    const npm = config.updates.find((u) => u["package-ecosystem"] === "npm");
    const grouped = Object.values(npm?.groups ?? {}).find((g) => g.patterns.includes("cdktf"));
    expect(grouped?.patterns).toEqual(expect.arrayContaining(["cdktf", "@cdktf/*"]));
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as { dependencies: Record<string, string> };
    const providers = Object.keys(pkg.dependencies).filter((d) => d.startsWith("@cdktf/provider-"));
    expect(providers.length).toBeGreaterThan(0);
  });
});

describe("environments", () => {
  // Adding config/qa.yaml makes plan.yml plan qa on its own; apply and drift list their environments
  // by name, so a new environment also needs a job in apply.yml and an entry in drift.yml.
  const awsEnvironments = loadEnvironmentConfigs(join(REPO_ROOT, "config"))
    .filter((c) => c.kind === "aws")
    .map((c) => c.environment)
    .sort();

  it("apply.yml applies every AWS environment of config/, and offers each for a manual apply", () => {
    const applied = Object.values(apply.jobs).flatMap((j) => (typeof j.with?.environment === "string" ? [j.with.environment] : []));
    expect([...applied].sort()).toEqual(awsEnvironments);
    const inputs = (apply.on.workflow_dispatch as { inputs: Record<string, { options?: string[] }> }).inputs;
    expect([...(inputs.environment?.options ?? [])].sort()).toEqual(awsEnvironments);
  });

  it("drift.yml checks every AWS environment of config/, on schedule and on demand", () => {
    const matrix = String(drift.jobs.drift?.strategy?.matrix?.environment);
    const scheduled = /'(\[[^']*\])'/.exec(matrix)?.[1];
    expect((JSON.parse(scheduled ?? "null") as string[]).sort()).toEqual(awsEnvironments);
    const inputs = (drift.on.workflow_dispatch as { inputs: Record<string, { options?: string[] }> }).inputs;
    expect([...(inputs.environment?.options ?? [])].sort()).toEqual(["all", ...awsEnvironments].sort());
  });
});
