// Plans a set of synthesized stacks with Terraform, in dependency order, and keeps per stack what
// the review needs: status, summary, fingerprint, the saved plan file and the rendered section.
import { join, resolve } from "node:path";
import { type ProtectedDestroy, findProtectedDestroys } from "./destroy-guard";
import type { SynthManifest } from "./manifest";
import { type PlanJson, parsePlanJson } from "./plan/plan-json";
import { type StackReview, reviewPlan } from "./plan/review";
import type { PlanCounts } from "./plan/summary";
import { type StackSection, buildStackSection } from "./render/section";
import { interrupted } from "./interrupt";
import { runInDependencyOrder } from "./schedule";
import { type LineSink, PLAN_FILE, type TerraformRunner } from "./terraform";
import { createLineMask, createMask, type Mask, sensitiveValuesOf } from "./mask";
import { type LockHolder, lockNote, parseLockError } from "./state-lock";

/**
 * - changes / no-changes: planned.
 * - error: terraform failed (init or plan), or the plan is `errored`.
 * - blocked: a dependency errored or was blocked, so this stack was not planned.
 * - pending: planning failed only because a dependency that has pending changes was never applied
 *   (its remote state does not exist yet): planned after that dependency is applied.
 */
export type StackPlanStatus = "changes" | "no-changes" | "error" | "blocked" | "pending";

export interface StackPlanResult {
  readonly stack: string;
  readonly status: StackPlanStatus;
  readonly counts: PlanCounts | null;
  readonly fingerprint: string | null;
  readonly review: StackReview | null;
  /** The parsed plan; holds sensitive values, never written anywhere but plan.json in the stack's out dir. */
  readonly plan: PlanJson | null;
  /** Absolute path of the saved plan, when terraform wrote one. */
  readonly planFile: string | null;
  /** Terraform's stderr or our explanation, for error, blocked and pending stacks. */
  readonly errorText?: string;
  /** The dependency this stack waits for (pending) or was stopped by (blocked). */
  readonly waitingFor?: string;
  /** Dependencies with pending changes: this plan may change once they are applied. */
  readonly dependsOnPending: readonly string[];
  readonly protectedDestroys: readonly ProtectedDestroy[];
  /** Terraform could not take the state lock: who holds it (see state-lock.ts). */
  readonly lockHolder?: LockHolder;
  readonly section: StackSection;
}

/** What planning needs from the outside world; tests replace every part. */
export interface PlanningContext {
  readonly manifest: SynthManifest;
  readonly terraform: TerraformRunner;
  /** Per stack: where to write plan.tfplan and plan.json. */
  readonly outDir: string;
  readonly parallel: number;
  readonly protectedTypes: readonly string[];
  /**
   * Whether plans take the state lock. Only apply does: a plan that is reviewed and thrown away
   * (pull requests, drift, local diff) runs with `-lock=false`, so the read-only plan role needs no
   * write access to the state bucket and code under review cannot hold or remove a lock.
   */
  readonly lockState: boolean;
  /**
   * Plan destroys (`plan -destroy`): the stacks of this context were removed from the code and run in
   * the base synth's directories (see removed-stacks.ts).
   */
  readonly destroy?: boolean;
  /** Notes put first on every section of this context (a removed stack's explanation). */
  readonly extraNotes?: (stack: string) => readonly string[];
  /**
   * Masks credentials in Terraform's output (see mask.ts). Every error text and streamed line goes
   * through it before anything stores, prints or posts it.
   */
  readonly mask: Mask;
  /** Key of the plan fingerprints (GITOPS_FINGERPRINT_KEY); plain sha256 without one. */
  readonly fingerprintKey?: string | undefined;
  readonly writeFile: (path: string, text: string) => Promise<void>;
  readonly makeDir: (path: string) => Promise<void>;
  /** Progress and terraform's output, for humans (stderr). */
  readonly log: StackLog;
}

export interface StackLog {
  /** Starts a stack's block of output (a collapsible group on GitHub Actions). */
  begin(stack: string, index: number, total: number): void;
  line(stack: string, text: string): void;
  end(stack: string, status: string, seconds: number): void;
}

/** Terraform's words when a terraform_remote_state source has no state yet. */
const MISSING_REMOTE_STATE = /Unable to find remote state|No stored state was found for the given workspace/;

/** Which dependency outcome stops this stack from being planned at all. */
function blockingDependency(dependencyResults: ReadonlyMap<string, StackPlanResult>): string | undefined {
  for (const [name, result] of dependencyResults) if (result.status === "error" || result.status === "blocked") return name;
  return undefined;
}

function pendingDependencies(dependencyResults: ReadonlyMap<string, StackPlanResult>): string[] {
  return [...dependencyResults].filter(([, r]) => r.status === "changes" || r.status === "pending").map(([name]) => name);
}

/** Notes shown in the stack's section, above its resources. */
export function sectionNotes(result: Pick<StackPlanResult, "stack" | "status" | "waitingFor" | "dependsOnPending" | "protectedDestroys" | "lockHolder">): string[] {
  const notes: string[] = [];
  if (result.lockHolder) notes.push(lockNote(result.stack, result.lockHolder));
  if (result.status === "blocked") notes.push(`Blocked by \`${result.waitingFor}\`, which failed: this stack was not planned.`);
  if (result.status === "pending") {
    notes.push(`Pending \`${result.waitingFor}\`: planned after it is applied (its state or outputs do not exist yet).`);
  } else if (result.dependsOnPending.length > 0) {
    const names = result.dependsOnPending.map((d) => `\`${d}\``).join(", ");
    notes.push(`Depends on ${names}, which has pending changes: this plan may change once it is applied.`);
  }
  if (result.protectedDestroys.length > 0) {
    const list = result.protectedDestroys.map((d) => `\`${d.address}\` (${d.action})`).join(", ");
    notes.push(`**Protected resources would be destroyed:** ${list}. Applying needs the \`allow-destroy\` label, added after the latest push by a maintainer other than the author.`);
  }
  return notes;
}

/** Absolute working directory of a stack (where terraform runs). */
export function stackDirectory(manifest: SynthManifest, stack: string): string {
  const entry = manifest.stacks.get(stack);
  if (!entry) throw new Error(`stack ${stack} is not in the manifest`);
  return resolve(manifest.dir, entry.workingDirectory);
}

type Draft = Omit<StackPlanResult, "section">;

function finish(draft: Draft, extraNotes: readonly string[] = []): StackPlanResult {
  const notes = [...extraNotes, ...sectionNotes(draft)];
  const section = buildStackSection({
    stack: draft.stack,
    review: draft.review,
    notes,
    ...(draft.status === "blocked" || draft.status === "pending" ? { status: draft.status } : {}),
    ...(draft.errorText !== undefined && draft.status === "error" ? { errorText: draft.errorText } : {}),
  });
  return { ...draft, section };
}

/** A stack that could not be planned at all, for reasons of our own (e.g. a removed stack still in use). */
export function unplannedStack(stack: string, errorText: string, notes: readonly string[] = []): StackPlanResult {
  return finish({ stack, status: "error", ...EMPTY, dependsOnPending: [], errorText }, notes);
}

const EMPTY = { counts: null, fingerprint: null, review: null, plan: null, planFile: null, protectedDestroys: [] } as const;

export async function planStack(
  ctx: PlanningContext,
  stack: string,
  dependencyResults: ReadonlyMap<string, StackPlanResult>,
): Promise<StackPlanResult> {
  const done = (draft: Draft) => finish(draft, ctx.extraNotes?.(stack) ?? []);
  const dir = stackDirectory(ctx.manifest, stack);
  const dependsOnPending = pendingDependencies(dependencyResults);
  const blocker = blockingDependency(dependencyResults);
  if (blocker) {
    return done({ stack, status: "blocked", ...EMPTY, waitingFor: blocker, dependsOnPending, errorText: `blocked by ${blocker}` });
  }

  const stackOut = resolve(ctx.outDir, stack);
  await ctx.makeDir(stackOut);
  const planFile = join(stackOut, PLAN_FILE);
  const sink = maskedSink(ctx, stack);

  const init = await ctx.terraform.init(dir, sink);
  if (init.exitCode !== 0) {
    return done({ stack, status: "error", ...EMPTY, dependsOnPending, errorText: ctx.mask(init.stderr) || `terraform init exited with ${init.exitCode}` });
  }
  const plan = await ctx.terraform.plan(dir, planFile, sink, { lock: ctx.lockState, ...(ctx.destroy ? { destroy: true } : {}) });
  if (plan.outcome === "error") {
    const waitingFor = dependsOnPending[0];
    if (waitingFor !== undefined && MISSING_REMOTE_STATE.test(plan.stderr)) {
      return done({ stack, status: "pending", ...EMPTY, waitingFor, dependsOnPending, errorText: ctx.mask(plan.stderr) });
    }
    const lockHolder = parseLockError(plan.stderr);
    return done({
      stack,
      status: "error",
      ...EMPTY,
      dependsOnPending,
      errorText: ctx.mask(plan.stderr) || `terraform plan exited with ${plan.exitCode}`,
      ...(lockHolder ? { lockHolder } : {}),
    });
  }

  const text = await ctx.terraform.showJson(dir, planFile);
  await ctx.writeFile(join(stackOut, "plan.json"), text);
  const parsed = parsePlanJson(text, `${stack}/plan.json`);
  const review = reviewPlan(parsed, { fingerprintKey: ctx.fingerprintKey });
  const status: StackPlanStatus = review.counts.errored ? "error" : review.counts.noChanges ? "no-changes" : "changes";
  return done({
    stack,
    status,
    counts: review.counts,
    fingerprint: status === "error" ? null : review.fingerprint,
    review,
    plan: parsed,
    planFile,
    dependsOnPending,
    protectedDestroys: findProtectedDestroys(parsed, ctx.protectedTypes),
    ...(status === "error" ? { errorText: maskWithPlan(ctx.mask, parsed)(plan.stderr) } : {}),
  });
}

/** Terraform's streamed output for one stack, masked line by line (private key blocks span lines). */
export function maskedSink(ctx: Pick<PlanningContext, "mask" | "log">, stack: string): LineSink {
  const mask = createLineMask(ctx.mask);
  return (line) => ctx.log.line(stack, mask(line));
}

/** `mask` plus the values the plan marks sensitive, which no pattern could know. */
export function maskWithPlan(mask: Mask, plan: PlanJson | null): Mask {
  if (!plan) return mask;
  const values = createMask([], sensitiveValuesOf(plan));
  return (text) => mask(values(text));
}

/**
 * Runs `task` for every stack in dependency order, at most `ctx.parallel` at a time, with progress in
 * the stack log. A task that throws (unreadable plan JSON, a vanished binary) becomes that stack's
 * `onError` result only; the other stacks go on. `onResult` (e.g. a PR comment update) sees every
 * result; its failures are logged, never allowed to stop the stacks that depend on this one.
 */
export async function runStackTasks<R extends { readonly status: string }>(
  ctx: Pick<PlanningContext, "manifest" | "parallel" | "log">,
  stacks: readonly string[],
  task: (stack: string, dependencyResults: ReadonlyMap<string, R>) => Promise<R>,
  onError: (stack: string, dependencyResults: ReadonlyMap<string, R>, message: string) => R,
  onResult?: (result: R) => Promise<void>,
): Promise<R[]> {
  const nodes = stacks.map((name) => ({ name, dependencies: ctx.manifest.stacks.get(name)?.dependencies ?? [] }));
  let started = 0;
  const results = await runInDependencyOrder<R>(nodes, ctx.parallel, async (stack, deps) => {
    const began = Date.now();
    ctx.log.begin(stack, ++started, stacks.length);
    let result: R;
    try {
      // After an interrupt nothing new starts; the stacks already running stop through terraform.
      result = interrupted() ? onError(stack, deps, "not started: the run was interrupted") : await task(stack, deps);
    } catch (error) {
      result = onError(stack, deps, error instanceof Error ? error.message : String(error));
    }
    try {
      await onResult?.(result);
    } catch (error) {
      ctx.log.line(stack, `could not report the result: ${error instanceof Error ? error.message : String(error)}`);
    }
    ctx.log.end(stack, result.status, (Date.now() - began) / 1000);
    return result;
  });
  return [...results.values()];
}

/**
 * Plans `stacks` (names in the manifest) in dependency order. One stack's failure never stops the
 * others; its dependents are reported as blocked.
 */
export function planStacks(ctx: PlanningContext, stacks: readonly string[]): Promise<StackPlanResult[]> {
  return runStackTasks<StackPlanResult>(
    ctx,
    stacks,
    (stack, deps) => planStack(ctx, stack, deps),
    (stack, deps, message) => finish({ stack, status: "error", ...EMPTY, dependsOnPending: pendingDependencies(deps), errorText: ctx.mask(message) }, ctx.extraNotes?.(stack) ?? []),
  );
}

/** `{"<stack>":"<fingerprint>"}` for every stack that planned, with or without changes. */
export function fingerprintsOf(results: readonly StackPlanResult[]): Record<string, string> {
  const map: Record<string, string> = {};
  for (const r of results) if (r.fingerprint) map[r.stack] = r.fingerprint;
  return map;
}
