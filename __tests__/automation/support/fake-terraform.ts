// A TerraformRunner that replays real plan JSON (from __tests__/fixtures/plans/) per stack, with
// scripted exit codes, stderr and delays, and records what was asked of it.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import type { PlanResult, StepResult, TerraformRunner } from "../../../automation/terraform";
import { planOutcome } from "../../../automation/terraform";
import { PLAN_FIXTURES } from "./paths";

export interface StackScript {
  /** Plan JSON fixture file name (in __tests__/fixtures/plans/) that `show -json` returns. */
  readonly plan?: string;
  /** `plan -detailed-exitcode` result. @default 2 when `plan` is set, else 0 */
  readonly planExit?: number;
  readonly planStderr?: string;
  readonly initExit?: number;
  readonly applyExit?: number;
  readonly applyStderr?: string;
  /** Milliseconds each plan takes, to observe parallelism. */
  readonly delayMs?: number;
}

export interface FakeCall {
  readonly op: "init" | "plan" | "show" | "apply" | "force-unlock";
  readonly stack: string;
  readonly file?: string;
}

export class FakeTerraform implements TerraformRunner {
  readonly calls: FakeCall[] = [];
  running = 0;
  peak = 0;

  /** `scripts[stack]` may be a list: one entry per plan call (e.g. a plan that changes on re-plan). */
  constructor(private readonly scripts: Record<string, StackScript | StackScript[]>) {}

  private script(stack: string): StackScript {
    const s = this.scripts[stack];
    if (!Array.isArray(s)) return s ?? {};
    const planned = this.calls.filter((c) => c.op === "plan" && c.stack === stack).length;
    return s[Math.min(Math.max(planned - 1, 0), s.length - 1)] ?? {};
  }

  async version(): Promise<string> {
    return "1.11.4";
  }

  async init(dir: string): Promise<StepResult> {
    const stack = basename(dir);
    this.calls.push({ op: "init", stack });
    const exitCode = this.script(stack).initExit ?? 0;
    return { exitCode, stderr: exitCode ? "Error: Failed to query available provider packages" : "" };
  }

  async plan(dir: string, planFile: string, log: (line: string, stream: "stdout" | "stderr") => void): Promise<PlanResult> {
    const stack = basename(dir);
    this.calls.push({ op: "plan", stack, file: planFile });
    const s = this.script(stack);
    this.running++;
    this.peak = Math.max(this.peak, this.running);
    await new Promise((r) => setTimeout(r, s.delayMs ?? 1));
    this.running--;
    const exitCode = s.planExit ?? (s.plan ? 2 : 0);
    log(`planning ${stack}`, "stdout");
    if (exitCode !== 1) {
      mkdirSync(join(planFile, ".."), { recursive: true });
      writeFileSync(planFile, `fake plan of ${stack}`);
    }
    return { exitCode, stderr: s.planStderr ?? "", outcome: planOutcome(exitCode) };
  }

  async showJson(dir: string, planFile: string): Promise<string> {
    const stack = basename(dir);
    this.calls.push({ op: "show", stack, file: planFile });
    return readFileSync(join(PLAN_FIXTURES, this.script(stack).plan ?? "borchero-tf1.13-empty.json"), "utf8");
  }

  async apply(dir: string, planFile: string): Promise<StepResult> {
    const stack = basename(dir);
    this.calls.push({ op: "apply", stack, file: planFile });
    const s = this.script(stack);
    return { exitCode: s.applyExit ?? 0, stderr: s.applyStderr ?? "" };
  }

  async forceUnlock(dir: string, lockId: string): Promise<StepResult> {
    this.calls.push({ op: "force-unlock", stack: basename(dir), file: lockId });
    return { exitCode: 0, stderr: "" };
  }

  ops(op: FakeCall["op"]): string[] {
    return this.calls.filter((c) => c.op === op).map((c) => c.stack);
  }
}

/** A synth output dir with a manifest and one (empty) stack per entry. */
export function writeSynthOutput(dir: string, stacks: Record<string, readonly string[]>): string {
  const manifest: Record<string, unknown> = {};
  for (const [name, dependencies] of Object.entries(stacks)) {
    mkdirSync(join(dir, "stacks", name), { recursive: true });
    writeFileSync(join(dir, "stacks", name, "cdk.tf.json"), JSON.stringify({ resource: { terraform_data: { [name.replace(/-/g, "_")]: {} } } }));
    manifest[name] = {
      annotations: [],
      constructPath: name,
      dependencies,
      name,
      stackMetadataPath: `stacks/${name}/metadata.json`,
      synthesizedStackPath: `stacks/${name}/cdk.tf.json`,
      workingDirectory: `stacks/${name}`,
    };
  }
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "manifest.json"), JSON.stringify({ stacks: manifest, version: "0.21.0" }));
  return dir;
}
