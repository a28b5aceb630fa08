// How the automation runs Terraform: a TerraformRunner interface (tests replace it) and the process
// implementation, which only ever uses machine-readable interfaces: exit codes, `show -json`,
// `version -json`. Human output is streamed for people to read, never parsed.
import { spawn } from "node:child_process";
import { accessSync, constants, statSync } from "node:fs";
import { delimiter, isAbsolute, join } from "node:path";
import { UsageError } from "./errors";
import { forgetInit, initConfigDigest, initIsCurrent, recordInit } from "./init-marker";
import { trackTerraformProcess } from "./interrupt";

/** Terraform 1.10 added S3 native locking (`use_lockfile`), which every environment's backend uses. */
export const MIN_TERRAFORM_VERSION = "1.10.0";
export const PLAN_FILE = "plan.tfplan";

/** Receives Terraform's human output, one line at a time. */
export type LineSink = (line: string, stream: "stdout" | "stderr") => void;

export interface StepResult {
  readonly exitCode: number;
  /** stderr, kept for error reports (Terraform writes its diagnostics there). */
  readonly stderr: string;
}

/** How a plan treats the state lock and what it plans. */
export interface PlanOptions {
  /**
   * Take the state lock (the default). Plans that are only reviewed (pull requests, drift, local diff)
   * pass false: they never write state, and the role they run with cannot write lock objects.
   */
  readonly lock?: boolean;
  /** `plan -destroy`: plan the destruction of everything in the state (a stack removed from the code). */
  readonly destroy?: boolean;
}

/** `plan -detailed-exitcode`: 0 no changes, 2 changes, anything else an error. */
export interface PlanResult extends StepResult {
  readonly outcome: "no-changes" | "changes" | "error";
}

export interface TerraformRunner {
  /** The binary's version, e.g. "1.11.4". */
  version(): Promise<string>;
  init(dir: string, log: LineSink): Promise<StepResult>;
  /** Writes the saved plan to `dir/<planFile>`. */
  plan(dir: string, planFile: string, log: LineSink, options?: PlanOptions): Promise<PlanResult>;
  /** `show -json <planFile>`: the plan JSON text (can be tens of megabytes). */
  showJson(dir: string, planFile: string): Promise<string>;
  /** Applies exactly the saved plan. */
  apply(dir: string, planFile: string, log: LineSink): Promise<StepResult>;
  /** `force-unlock -force ID`: releases a state lock whose holder is gone. */
  forceUnlock(dir: string, lockId: string, log: LineSink): Promise<StepResult>;
}

export function planOutcome(exitCode: number): PlanResult["outcome"] {
  return exitCode === 0 ? "no-changes" : exitCode === 2 ? "changes" : "error";
}

/** Compares dotted versions numerically; pre-release suffixes are ignored. */
export function compareVersions(a: string, b: string): number {
  const parts = (v: string) => v.replace(/^v/, "").split(/[-+]/)[0]!.split(".").map((n) => Number(n) || 0);
  const [x, y] = [parts(a), parts(b)];
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  return 0;
}

const NOT_FOUND_HINT = `install Terraform >= ${MIN_TERRAFORM_VERSION.replace(/\.0$/, "")} (or OpenTofu), or point --terraform or GITOPS_TERRAFORM at the binary`;

/** Finds the binary: an explicit path, else the GITOPS_TERRAFORM variable, else `terraform` on PATH. */
export function resolveTerraformBinary(explicit: string | undefined, env: Readonly<Record<string, string | undefined>>): string {
  const wanted = explicit ?? env.GITOPS_TERRAFORM ?? "terraform";
  const isExecutable = (path: string) => {
    try {
      accessSync(path, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  };
  if (wanted.includes("/") || isAbsolute(wanted)) {
    if (isExecutable(wanted)) return wanted;
    throw new UsageError(`terraform not found at ${wanted}; ${NOT_FOUND_HINT}`);
  }
  for (const dir of (env.PATH ?? "").split(delimiter).filter(Boolean)) {
    const candidate = join(dir, wanted);
    if (isExecutable(candidate)) return candidate;
  }
  throw new UsageError(`terraform not found (looked for "${wanted}" on PATH); ${NOT_FOUND_HINT}`);
}

/**
 * The CLI's own credentials, which Terraform never needs: the configuration it runs comes from the
 * pull request, and a provider or `external` data source could read its environment.
 */
const CLI_ONLY_VARIABLES = new Set(["GITOPS_FINGERPRINT_KEY", "GITOPS_FINGERPRINT_KEY_FILE", "GITOPS_MASKS", "GITHUB_TOKEN", "GH_TOKEN"]);

/** Environment for every Terraform process: no prompts, no checkpoint calls, no cloud metadata probing. */
export function terraformEnv(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const base = Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined && !CLI_ONLY_VARIABLES.has(e[0])));
  return { ...base, TF_IN_AUTOMATION: "1", TF_INPUT: "0", CHECKPOINT_DISABLE: "1" };
}

interface ProcessResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Terraform's `-lock-timeout` when none is given: long enough for another run's apply step to finish. */
export const DEFAULT_LOCK_TIMEOUT = "5m";

/**
 * A Terraform duration for `-lock-timeout` (Go's time.ParseDuration as Terraform uses it): one or more
 * number+unit pairs such as `0s`, `90s`, `5m` or `1h30m`. Checked here so a typo is a usage error, not a
 * terraform failure per stack.
 */
export function parseLockTimeout(value: string): string {
  if (!/^(\d+(\.\d+)?(ms|s|m|h))+$/.test(value)) {
    throw new UsageError(`--lock-timeout ${JSON.stringify(value)}: expected a duration such as 0s, 30s, 5m or 1h30m`);
  }
  return value;
}

/**
 * Versions already asked of a binary in this process, by path, size and modification time: a
 * long-running caller (tests, a future server) then starts one `terraform version` per binary, not
 * one per command. A replaced binary (another size or time) or another version selected for a shim is
 * asked again.
 */
const knownVersions = new Map<string, string>();

/** Version managers (tfenv, asdf, mise) pick the version behind one shim path from these variables. */
const VERSION_SELECTORS = /^(TFENV_|TOFUENV_|ASDF_|MISE_)/;

function binaryIdentity(binary: string, env: Readonly<Record<string, string>>): string | undefined {
  try {
    const s = statSync(binary);
    const selectors = Object.entries(env).filter(([k]) => VERSION_SELECTORS.test(k)).sort();
    return JSON.stringify([binary, s.size, s.mtimeMs, selectors]);
  } catch {
    return undefined;
  }
}

const INIT_ARGS = ["init", "-input=false", "-no-color"];

/** Runs Terraform as a child process. */
export class ProcessTerraformRunner implements TerraformRunner {
  constructor(
    private readonly binary: string,
    private readonly env: Record<string, string> = terraformEnv(process.env),
    /** `plan -lock-timeout`: how long to wait for another run's state lock. */
    private readonly lockTimeout = DEFAULT_LOCK_TIMEOUT,
  ) {}

  async version(): Promise<string> {
    const identity = binaryIdentity(this.binary, this.env);
    const known = identity && knownVersions.get(identity);
    if (known) return known;
    const result = await this.exec(process.cwd(), ["version", "-json"], undefined, true);
    try {
      const parsed = JSON.parse(result.stdout) as { terraform_version?: unknown };
      if (typeof parsed.terraform_version === "string") {
        if (identity) knownVersions.set(identity, parsed.terraform_version);
        return parsed.terraform_version;
      }
    } catch {
      // fall through: not JSON, so not a Terraform we can drive
    }
    throw new UsageError(`${this.binary} version -json did not report a version (exit ${result.exitCode}): ${result.stderr.trim().slice(0, 200)}`);
  }

  /** Directories whose init this runner skipped: a plan there that asks for an init gets one. */
  private readonly skippedInit = new Set<string>();

  /** Runs `terraform init` unless the last successful one in `dir` saw the same inputs (init-marker.ts). */
  async init(dir: string, log: LineSink): Promise<StepResult> {
    const identity = binaryIdentity(this.binary, this.env);
    const binary = `${identity ?? this.binary}\0${(identity && knownVersions.get(identity)) ?? ""}`;
    const digest = await initConfigDigest(dir, { args: INIT_ARGS, binary, env: this.env });
    if (await initIsCurrent(dir, digest)) {
      this.skippedInit.add(dir);
      log("terraform init: skipped, the backend, providers, modules and lock file are unchanged since the last init here", "stdout");
      return { exitCode: 0, stderr: "" };
    }
    const result = await this.exec(dir, INIT_ARGS, log);
    if (result.exitCode === 0) await recordInit(dir, digest);
    return result;
  }

  async plan(dir: string, planFile: string, log: LineSink, options: PlanOptions = {}): Promise<PlanResult> {
    const lock = options.lock === false ? ["-lock=false"] : [`-lock-timeout=${this.lockTimeout}`];
    const destroy = options.destroy ? ["-destroy"] : [];
    const run = async (): Promise<PlanResult> => {
      const result = await this.exec(dir, ["plan", "-input=false", "-no-color", ...destroy, ...lock, "-detailed-exitcode", `-out=${planFile}`], log);
      return { ...result, outcome: planOutcome(result.exitCode) };
    };
    const result = await run();
    // After a skipped init, .terraform/ may still not be what the marker says (a cleared plugin cache,
    // a hand-edited directory): Terraform then asks for `terraform init`. Run it, and plan once more.
    if (result.outcome === "error" && this.skippedInit.has(dir) && /terraform init/.test(result.stderr)) {
      this.skippedInit.delete(dir);
      await forgetInit(dir);
      log("terraform plan asked for an init after it was skipped: running terraform init", "stderr");
      const init = await this.init(dir, log);
      return init.exitCode === 0 ? run() : { ...init, outcome: "error" };
    }
    return result;
  }

  async showJson(dir: string, planFile: string): Promise<string> {
    const result = await this.exec(dir, ["show", "-json", "-no-color", planFile], undefined, true);
    if (result.exitCode !== 0) throw new Error(`terraform show -json ${planFile} failed (exit ${result.exitCode}): ${result.stderr.trim()}`);
    return result.stdout;
  }

  apply(dir: string, planFile: string, log: LineSink): Promise<StepResult> {
    return this.exec(dir, ["apply", "-input=false", "-no-color", `-lock-timeout=${this.lockTimeout}`, planFile], log);
  }

  forceUnlock(dir: string, lockId: string, log: LineSink): Promise<StepResult> {
    return this.exec(dir, ["force-unlock", "-force", "-no-color", lockId], log);
  }

  private exec(cwd: string, args: readonly string[], log: LineSink | undefined, captureStdout = false): Promise<ProcessResult> {
    return new Promise((resolve, reject) => {
      // Its own process group: a terminal's Ctrl-C reaches Terraform once (forwarded by us), not
      // twice, which Terraform would take as "exit immediately".
      const child = spawn(this.binary, args, { cwd, env: this.env, stdio: ["ignore", "pipe", "pipe"], detached: true });
      trackTerraformProcess(child);
      const stdout: Buffer[] = [];
      const stderr: Buffer[] = [];
      const lines = { stdout: "", stderr: "" };
      const forward = (stream: "stdout" | "stderr", chunk: Buffer) => {
        if (!log) return;
        const text = lines[stream] + chunk.toString("utf8");
        const parts = text.split("\n");
        lines[stream] = parts.pop() ?? "";
        for (const line of parts) log(line, stream);
      };
      child.stdout.on("data", (chunk: Buffer) => {
        if (captureStdout) stdout.push(chunk);
        forward("stdout", chunk);
      });
      child.stderr.on("data", (chunk: Buffer) => {
        stderr.push(chunk);
        forward("stderr", chunk);
      });
      child.on("error", (error: NodeJS.ErrnoException) => {
        reject(error.code === "ENOENT" ? new UsageError(`terraform not found at ${this.binary}; ${NOT_FOUND_HINT}`) : error);
      });
      child.on("close", (code, signal) => {
        for (const stream of ["stdout", "stderr"] as const) if (lines[stream] && log) log(lines[stream], stream);
        const stderrText = Buffer.concat(stderr).toString("utf8");
        resolve({
          exitCode: code ?? 1,
          stdout: Buffer.concat(stdout).toString("utf8"),
          stderr: signal ? `${stderrText}\nterraform was stopped by ${signal}` : stderrText,
        });
      });
    });
  }
}

export interface TerraformRunnerOptions {
  /** `-lock-timeout` of every step that takes the state lock (checked with parseLockTimeout). */
  readonly lockTimeout?: string;
}

/**
 * Resolves and checks the binary once per command: a missing binary or one older than
 * MIN_TERRAFORM_VERSION is a usage error (exit 2), not a stack trace halfway through a run.
 */
export async function createTerraformRunner(
  explicit: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
  options: TerraformRunnerOptions = {},
): Promise<TerraformRunner> {
  const runner = new ProcessTerraformRunner(resolveTerraformBinary(explicit, env), terraformEnv(env), options.lockTimeout ?? DEFAULT_LOCK_TIMEOUT);
  await assertSupportedVersion(runner);
  return runner;
}

export async function assertSupportedVersion(runner: TerraformRunner): Promise<string> {
  const version = await runner.version();
  if (compareVersions(version, MIN_TERRAFORM_VERSION) < 0) {
    throw new UsageError(
      `terraform ${version} is too old: the S3 backends use use_lockfile, which needs Terraform >= ${MIN_TERRAFORM_VERSION.replace(/\.0$/, "")}`,
    );
  }
  return version;
}
