// The security requirements of the workflows, checked on the parsed YAML (and, for pins, the raw text).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  REPO_ROOT,
  allJobs,
  effectiveJobs,
  jobRunsGitops,
  loadWorkflows,
  permissionOf,
  scriptsOf,
  stepsOf,
  triggers,
  usesAction,
  workflowByFile,
  type Job,
} from "./workflow-files";

const files = loadWorkflows();

/** Dotted paths of every string in `value` that contains `needle`. */
function pathsMentioning(value: unknown, needle: string, path: readonly string[] = []): string[] {
  if (typeof value === "string") return value.includes(needle) ? [path.join(".")] : [];
  if (value !== null && typeof value === "object") return Object.entries(value).flatMap(([k, v]) => pathsMentioning(v, needle, [...path, k]));
  return [];
}
const jobs = allJobs(files);
const label = (j: { file: string; id: string }) => `${j.file}#${j.id}`;

/** Scopes a job (or the reusable workflow it calls) holds with `write`. */
function writeScopes(job: Job): string[] {
  const p = job.permissions;
  if (p === undefined || typeof p === "string") return [];
  return Object.entries(p)
    .filter(([, level]) => level === "write")
    .map(([scope]) => scope);
}

const assumesAws = (job: Job) => usesAction(job, "aws-actions/configure-aws-credentials");
const postsOnPullRequest = (job: Job) => jobRunsGitops(job, "comment") || jobRunsGitops(job, "apply");
const writesIssues = (job: Job) => jobRunsGitops(job, "drift");

describe("permissions", () => {
  it.each(files.map((f) => [f.path, f.workflow.permissions]))("%s starts from none or contents: read", (_path, permissions) => {
    expect([{}, { contents: "read" }]).toContainEqual(permissions);
  });

  it("every job states its permissions as a map (no write-all/read-all, no inheriting the default)", () => {
    const offenders = jobs.filter((j) => typeof j.job.permissions !== "object" || j.job.permissions === null).map(label);
    expect(offenders).toEqual([]);
  });

  it("write access is only ever id-token, pull-requests or issues", () => {
    const other = jobs.flatMap((j) => writeScopes(j.job).filter((s) => !["id-token", "pull-requests", "issues"].includes(s)).map((s) => `${label(j)}: ${s}`));
    expect(other).toEqual([]);
  });

  it("id-token: write exactly where an AWS role is assumed", () => {
    for (const j of jobs) {
      const needs = effectiveJobs(files, j.job).some(assumesAws);
      expect({ job: label(j), idToken: permissionOf(j.job.permissions, "id-token") === "write" }).toEqual({ job: label(j), idToken: needs });
    }
    expect(jobs.filter((j) => assumesAws(j.job)).length).toBeGreaterThanOrEqual(3);
  });

  it("pull-requests: write exactly in the jobs that post on the PR (the plan comment and apply)", () => {
    const holders = jobs.filter((j) => permissionOf(j.job.permissions, "pull-requests") === "write");
    for (const j of jobs) {
      const needs = effectiveJobs(files, j.job).some(postsOnPullRequest);
      expect({ job: label(j), write: holders.includes(j) }).toEqual({ job: label(j), write: needs });
    }
    expect(holders.map(label).sort()).toEqual(["apply-environment.yml#apply", "apply.yml#production", "apply.yml#staging", "plan.yml#comment", "plan.yml#preview"]);
  });

  it("issues: write only in drift", () => {
    for (const j of jobs) {
      const needs = effectiveJobs(files, j.job).some(writesIssues);
      expect({ job: label(j), write: permissionOf(j.job.permissions, "issues") === "write" }).toEqual({ job: label(j), write: needs });
    }
    expect(jobs.filter((j) => permissionOf(j.job.permissions, "issues") === "write").map(label)).toEqual(["drift.yml#drift"]);
  });

  it("a reusable workflow's jobs ask for no more than the calling job grants", () => {
    for (const j of jobs.filter((x) => x.job.uses)) {
      const granted = new Set(writeScopes(j.job));
      const asked = effectiveJobs(files, j.job).flatMap(writeScopes);
      expect({ job: label(j), missing: asked.filter((s) => !granted.has(s)) }).toEqual({ job: label(j), missing: [] });
    }
  });
});

describe("untrusted code and input", () => {
  it("no workflow runs on pull_request_target or workflow_run", () => {
    for (const f of files) {
      expect({ file: f.file, on: triggers(f.workflow).filter((t) => t === "pull_request_target" || t === "workflow_run") }).toEqual({ file: f.file, on: [] });
    }
  });

  it("every checkout drops the token (persist-credentials: false)", () => {
    const checkouts = jobs.flatMap((j) => stepsOf(j.job).filter((s) => s.uses?.startsWith("actions/checkout@")).map((s) => ({ job: label(j), persist: s.with?.["persist-credentials"] })));
    expect(checkouts.length).toBeGreaterThanOrEqual(6);
    for (const c of checkouts) expect(c).toEqual({ job: c.job, persist: false });
  });

  it("no expression is expanded inside a run script: values reach scripts through env", () => {
    const offenders = jobs.flatMap((j) => scriptsOf(j.job).filter((s) => s.includes("${{")).map((s) => `${label(j)}: ${s.split("\n").find((l) => l.includes("${{"))}`));
    expect(offenders).toEqual([]);
  });

  it("PR labels and dispatch fingerprints are passed to scripts through env", () => {
    const envValues = jobs.flatMap((j) => stepsOf(j.job).flatMap((s) => Object.values(s.env ?? {}).map(String)));
    expect(envValues).toContain("${{ steps.destroy.outputs.labels }}");
    expect(envValues).toContain("${{ inputs.fingerprints }}");
  });
});

describe("third-party actions", () => {
  const usesLines = files.flatMap((f) =>
    f.text
      .split("\n")
      .map((line, i) => ({ where: `${f.path}:${i + 1}`, line: line.trim() }))
      .filter(({ line }) => /^(?:- )?uses:/.test(line)),
  );

  it("are pinned to a full 40-character commit SHA with the release in a comment", () => {
    const remote = usesLines.filter(({ line }) => !/uses:\s*\.\//.test(line));
    expect(remote.length).toBeGreaterThanOrEqual(20);
    const unpinned = remote.filter(({ line }) => !/^(?:- )?uses: [A-Za-z0-9_.-]+\/[A-Za-z0-9_./-]+@[0-9a-f]{40} # v\d+(?:\.\d+){0,2}$/.test(line));
    expect(unpinned).toEqual([]);
  });

  it("pin each action to one SHA everywhere, so one release is in use", () => {
    const shas = new Map<string, Set<string>>();
    for (const { line } of usesLines) {
      const m = /uses: ([^@\s]+)@(\S+)/.exec(line);
      if (!m || m[1]?.startsWith("./")) continue;
      shas.set(m[1] as string, (shas.get(m[1] as string) ?? new Set()).add(m[2] as string));
    }
    for (const [action, set] of shas) expect({ action, shas: set.size }).toEqual({ action, shas: 1 });
  });

  it("local uses: are only this repository's reusable workflows", () => {
    const local = usesLines.filter(({ line }) => /uses:\s*\.\//.test(line));
    for (const { line } of local) expect(line).toMatch(/^uses: \.\/\.github\/workflows\/[a-z-]+\.yml$/);
  });
});

describe("credentials", () => {
  const everything = files.map((f) => f.text).join("\n");

  it("AWS is reached only by OIDC role assumption: no access keys anywhere", () => {
    expect(everything).not.toMatch(/aws-access-key-id|aws-secret-access-key|aws-session-token|AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY/i);
    const assume = jobs.flatMap((j) => stepsOf(j.job).filter((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@")));
    expect(assume.length).toBeGreaterThanOrEqual(3);
    for (const step of assume) {
      expect(Object.keys(step.with ?? {}).sort()).toEqual(["aws-region", "role-duration-seconds", "role-session-name", "role-to-assume"]);
      // The apply role per GitHub environment; the plan role derived from the environment's account
      // (gitops plan-role), unless the repository variable overrides it.
      expect(step.with?.["role-to-assume"]).toMatch(/^\$\{\{ vars\.GITOPS_APPLY_ROLE_ARN \}\}$|^\$\{\{ vars\.GITOPS_PLAN_ROLE_ARN \|\| steps\.plan-role\.outputs\.arn \}\}$/);
    }
  });

  it("uses two secrets: the fingerprint key, handed over in a file, and the mask patterns", () => {
    // The job token comes from github.token; AWS from OIDC. Anything else named secrets.* is new.
    expect([...new Set(everything.match(/\bsecrets\.[A-Za-z0-9_]+/g))].sort()).toEqual(["secrets.GITOPS_FINGERPRINT_KEY", "secrets.GITOPS_MASKS"]);
    expect(jobs.filter((j) => j.job.secrets === "inherit").map(label)).toEqual([]);
    // Every place a secret is read, anywhere in the parsed workflows (workflow, job or step env,
    // `with:`, scripts): a step env, or a reusable-workflow call.
    const mentions = files.flatMap((f) => pathsMentioning(f.workflow, "secrets.").map((path) => `${f.file}:${path}`));
    const stepOf = (mention: string) => {
      const m = /^(.+?):jobs\.([^.]+)\.steps\.(\d+)\.env\.[A-Z_]+$/.exec(mention);
      return m ? stepsOf(workflowByFile(files, m[1]!).jobs[m[2]!]!)[Number(m[3])] : undefined;
    };
    const inSteps = mentions.filter((m) => stepOf(m) !== undefined);
    expect(inSteps.map((m) => m.replace(/\.steps\.\d+\./, ".steps.*.")).sort()).toEqual([
      "apply-environment.yml:jobs.apply.steps.*.env.GITOPS_FINGERPRINT_KEY",
      "apply-environment.yml:jobs.apply.steps.*.env.GITOPS_MASKS",
      "drift.yml:jobs.drift.steps.*.env.GITOPS_MASKS",
      "plan.yml:jobs.plan.steps.*.env.GITOPS_FINGERPRINT_KEY",
      "plan.yml:jobs.plan.steps.*.env.GITOPS_MASKS",
    ]);
    for (const m of inSteps) {
      const run = stepOf(m)?.run ?? "";
      if (m.endsWith("GITOPS_MASKS")) {
        expect([m, run]).toEqual([m, expect.stringMatching(/gitops -- (?:plan|apply|drift)(?:\s|$)/)]);
      } else {
        // The key is written to a private file by a step of its own; terraform's step never has it in
        // its environment, where the configuration under review could read it.
        expect([m, run]).toEqual([m, expect.stringContaining(`(umask 077 && printf '%s' "$GITOPS_FINGERPRINT_KEY" > "$RUNNER_TEMP/fingerprint.key")`)]);
        expect([m, /npm|gitops|terraform/.test(run)]).toEqual([m, false]);
      }
    }
    const cliSteps = jobs.flatMap((j) => stepsOf(j.job).filter((s) => /gitops -- (?:plan|apply)(?:\s|$)/.test(s.run ?? "")));
    expect(cliSteps.length).toBeGreaterThanOrEqual(2);
    for (const step of cliSteps) {
      expect(step.env?.GITOPS_FINGERPRINT_KEY).toBeUndefined();
      expect(step.run).toContain('export GITOPS_FINGERPRINT_KEY_FILE="$RUNNER_TEMP/fingerprint.key"');
    }
    // The rest are the calls of the reusable apply workflow.
    expect(mentions.filter((m) => !inSteps.includes(m)).sort()).toEqual([
      "apply.yml:jobs.production.secrets.GITOPS_FINGERPRINT_KEY",
      "apply.yml:jobs.production.secrets.GITOPS_MASKS",
      "apply.yml:jobs.staging.secrets.GITOPS_FINGERPRINT_KEY",
      "apply.yml:jobs.staging.secrets.GITOPS_MASKS",
    ]);
  });

  it("passes the fingerprint key and masks to the reusable apply workflow, which declares them", () => {
    const applyCalls = jobs.filter((j) => j.job.uses === "./.github/workflows/apply-environment.yml");
    expect(applyCalls.map(label).sort()).toEqual(["apply.yml#production", "apply.yml#staging"]);
    for (const call of applyCalls) {
      expect(call.job.secrets).toEqual({ GITOPS_FINGERPRINT_KEY: "${{ secrets.GITOPS_FINGERPRINT_KEY }}", GITOPS_MASKS: "${{ secrets.GITOPS_MASKS }}" });
    }
    const declared = (workflowByFile(files, "apply-environment.yml").on.workflow_call as { secrets?: Record<string, unknown> }).secrets;
    expect(Object.keys(declared ?? {})).toEqual(["GITOPS_FINGERPRINT_KEY", "GITOPS_MASKS"]);
  });

  it("asks for an apply role only in runs of refs/heads/main", () => {
    const apply = workflowByFile(files, "apply-environment.yml").jobs.apply as Job;
    const steps = stepsOf(apply);
    const assume = steps.findIndex((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@") === true);
    const guard = steps.findIndex((s) => (s.run ?? "").includes('if [ "$RUN_REF" != "refs/heads/main" ]; then'));
    expect(guard).toBeGreaterThanOrEqual(0);
    expect(guard).toBeLessThan(assume);
    expect(steps[guard]?.env?.RUN_REF).toBe("${{ github.ref }}");
    expect(steps[guard]?.if).toBeUndefined();
  });

  it("never echoes the token or traces scripts", () => {
    const scripts = jobs.flatMap((j) => scriptsOf(j.job).map((s) => ({ job: label(j), s })));
    for (const { job, s } of scripts) {
      expect({ job, tracing: /\bset -[a-wyz]*x|\bset -o xtrace/.test(s), token: /\$\{?GITHUB_TOKEN\b/.test(s) }).toEqual({ job, tracing: false, token: false });
    }
  });

  it("hands the job token only to steps that call GitHub", () => {
    for (const j of jobs) {
      for (const step of stepsOf(j.job)) {
        if (!step.env || !("GITHUB_TOKEN" in step.env || "GH_TOKEN" in step.env)) continue;
        expect(step.run ?? "").toMatch(/gitops -- (?:comment|apply|drift|allow-destroy)\b|merged-pr\.mjs|gh run list /);
      }
    }
  });
});

describe("code owners", () => {
  it("name the platform owners for the tooling, the dependencies and the bootstrap", () => {
    const lines = readFileSync(join(REPO_ROOT, ".github", "CODEOWNERS"), "utf8")
      .split("\n")
      .filter((l) => l.trim() !== "" && !l.startsWith("#"))
      .map((l) => l.trim().split(/\s+/));
    const owned = new Map(lines.map(([pattern, ...owners]) => [pattern, owners]));
    for (const path of ["/.github/", "/automation/", "/scripts/", "/package.json", "/package-lock.json", "/config/bootstrap*"]) {
      expect({ path, owners: owned.get(path) ?? [] }).toEqual({ path, owners: [expect.stringMatching(/^@[\w-]+\/[\w-]+$/)] });
    }
  });
});
