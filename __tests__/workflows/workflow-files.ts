// Reads .github/workflows/*.yml as data for the workflow tests: jobs, steps, run scripts, and the
// `gitops` and npm commands those scripts call.
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parse } from "yaml";

export const REPO_ROOT = resolve(__dirname, "../..");
export const WORKFLOW_DIR = join(REPO_ROOT, ".github/workflows");

export type Permissions = string | Record<string, string>;

export interface Step {
  readonly name?: string;
  readonly id?: string;
  readonly if?: string;
  readonly uses?: string;
  readonly run?: string;
  readonly "working-directory"?: string;
  readonly with?: Record<string, unknown>;
  readonly env?: Record<string, unknown>;
}

export interface Concurrency {
  readonly group: string;
  readonly "cancel-in-progress"?: boolean | string;
}

export interface Job {
  readonly name?: string;
  readonly if?: string;
  readonly needs?: string | string[];
  readonly "runs-on"?: unknown;
  readonly "timeout-minutes"?: number;
  readonly permissions?: Permissions;
  readonly environment?: unknown;
  readonly concurrency?: string | Concurrency;
  readonly strategy?: { matrix?: Record<string, unknown> };
  readonly outputs?: Record<string, string>;
  /** A job that calls a reusable workflow. */
  readonly uses?: string;
  readonly with?: Record<string, unknown>;
  readonly secrets?: Record<string, unknown> | "inherit";
  readonly steps?: Step[];
}

export interface Workflow {
  readonly name?: string;
  readonly on: Record<string, unknown>;
  readonly permissions?: Permissions;
  readonly concurrency?: string | Concurrency;
  readonly env?: Record<string, string>;
  readonly jobs: Record<string, Job>;
}

export interface WorkflowFile {
  /** e.g. "plan.yml" */
  readonly file: string;
  /** Repository-relative path, as actionlint and messages show it. */
  readonly path: string;
  readonly text: string;
  readonly workflow: Workflow;
}

export function loadWorkflows(): WorkflowFile[] {
  return readdirSync(WORKFLOW_DIR)
    .filter((f) => f.endsWith(".yml") || f.endsWith(".yaml"))
    .sort()
    .map((file) => {
      const text = readFileSync(join(WORKFLOW_DIR, file), "utf8");
      return { file, path: `.github/workflows/${file}`, text, workflow: parse(text) as Workflow };
    });
}

export function workflowByFile(files: readonly WorkflowFile[], file: string): Workflow {
  const found = files.find((f) => f.file === file);
  if (!found) throw new Error(`.github/workflows/${file} is missing`);
  return found.workflow;
}

export interface JobRef {
  readonly file: string;
  readonly id: string;
  readonly job: Job;
}

export function allJobs(files: readonly WorkflowFile[]): JobRef[] {
  return files.flatMap((f) => Object.entries(f.workflow.jobs).map(([id, job]) => ({ file: f.file, id, job })));
}

export function stepsOf(job: Job): Step[] {
  return job.steps ?? [];
}

/** Every `run:` script of a job. */
export function scriptsOf(job: Job): string[] {
  return stepsOf(job).flatMap((s) => (typeof s.run === "string" ? [s.run] : []));
}

/** Shell lines with backslash continuations joined, so one command is one line. */
export function logicalLines(script: string): string[] {
  return script.replace(/\\\n\s*/g, " ").split("\n");
}

export interface GitopsCall {
  readonly subcommand: string;
  /** Long options given on the command line or through a bash array expanded into it. */
  readonly options: string[];
  readonly line: string;
}

const GITOPS_CALL = /\bnpm run (?:--silent |-s )?gitops -- ([a-z][a-z-]*)(.*)$/;
const LONG_OPTION = /(?:^|[\s(])(--[a-z][a-z0-9-]*)/g;

function longOptions(text: string): string[] {
  return [...text.matchAll(LONG_OPTION)].map((m) => m[1] as string);
}

/** `gitops` invocations of a script; options from `args=(...)`/`args+=(...)` count for `"${args[@]}"`. */
export function gitopsCalls(script: string): GitopsCall[] {
  const lines = logicalLines(script);
  const calls: GitopsCall[] = [];
  for (const line of lines) {
    const match = GITOPS_CALL.exec(line);
    if (!match) continue;
    const rest = match[2] ?? "";
    const options = longOptions(rest);
    for (const expansion of rest.matchAll(/"\$\{([A-Za-z_][A-Za-z0-9_]*)\[@\]\}"/g)) {
      const array = expansion[1] as string;
      const assignment = new RegExp(`\\b${array}\\+?=\\((.*)\\)`);
      for (const other of lines) {
        const assigned = assignment.exec(other);
        if (assigned) options.push(...longOptions(assigned[1] ?? ""));
      }
    }
    calls.push({ subcommand: match[1] as string, options: [...new Set(options)], line: line.trim() });
  }
  return calls;
}

/** npm scripts a script runs (`npm run X`, `npm test`); `npm ci` is not a script. */
export function npmScriptsCalled(script: string): string[] {
  const names = [...script.matchAll(/\bnpm run (?:--silent |-s )?([A-Za-z0-9:_.-]+)/g)].map((m) => m[1] as string);
  if (/\bnpm (?:test|t)\b/.test(script)) names.push("test");
  return names;
}

export function jobRunsGitops(job: Job, subcommand: string): boolean {
  return scriptsOf(job).some((s) => gitopsCalls(s).some((c) => c.subcommand === subcommand));
}

/** The workflow a job calls with `uses: ./.github/workflows/x.yml`, if any. */
export function calledWorkflow(files: readonly WorkflowFile[], job: Job): WorkflowFile | undefined {
  if (!job.uses?.startsWith("./.github/workflows/")) return undefined;
  const file = job.uses.slice("./.github/workflows/".length);
  return files.find((f) => f.file === file);
}

/** A job and, for a reusable-workflow call, the jobs it runs: what the job's permissions are for. */
export function effectiveJobs(files: readonly WorkflowFile[], job: Job): Job[] {
  const called = calledWorkflow(files, job);
  return called ? Object.values(called.workflow.jobs) : [job];
}

export function permissionOf(permissions: Permissions | undefined, scope: string): string | undefined {
  if (permissions === undefined || typeof permissions === "string") return permissions;
  return permissions[scope];
}

export function usesAction(job: Job, action: string): boolean {
  return stepsOf(job).some((s) => s.uses?.split("@")[0] === action);
}

export function triggers(workflow: Workflow): string[] {
  const on: unknown = workflow.on;
  if (typeof on === "string") return [on];
  if (Array.isArray(on)) return on.map(String);
  return Object.keys(workflow.on);
}
