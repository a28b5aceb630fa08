// Applies exactly what was reviewed. Every stack of the environment is planned afresh, in dependency
// order and after its dependencies were applied; a stack is applied only when its fresh plan has the
// fingerprint reviewers approved. Anything else is left alone, with its dependents, and reported.
import { findProtectedDestroys } from "./destroy-guard";
import { fingerprintScheme } from "./plan/fingerprint";
import { describeLockHolder, type LockHolder, parseLockError } from "./state-lock";
import { maskedSink, maskWithPlan, planStack, runStackTasks, stackDirectory, type PlanningContext, type StackPlanResult } from "./planning";

/**
 * - applied: the fresh plan matched the review and terraform applied it.
 * - up-to-date: nothing to do.
 * - failed: terraform apply failed (the stack may be partly applied).
 * - changed: the fresh plan differs from the reviewed one (merged in between, drift, or a
 *   dependency's apply changed its inputs).
 * - not-reviewed: changes no reviewed plan covers (pending in the PR, or pushed without one).
 * - needs-label: deletes a protected resource and the PR lacks the allow-destroy label.
 * - blocked: a dependency was not brought up to date in this run.
 * - error: planning failed.
 */
export type ApplyStatus = "applied" | "up-to-date" | "failed" | "changed" | "not-reviewed" | "needs-label" | "blocked" | "error";

export interface StackApplyResult {
  readonly stack: string;
  readonly status: ApplyStatus;
  readonly plan: StackPlanResult | null;
  readonly reviewedFingerprint: string | null;
  /** Why, in one line, for the report. */
  readonly detail: string;
  /** terraform apply's stderr when it failed. */
  readonly errorText?: string;
}

/** Statuses after which the stack is as merged: dependents may go ahead. */
const SETTLED: readonly ApplyStatus[] = ["applied", "up-to-date"];

export function isSettled(status: ApplyStatus): boolean {
  return SETTLED.includes(status);
}

export interface ApplyContext extends PlanningContext {
  readonly reviewed: Readonly<Record<string, string>>;
  readonly labels: readonly string[];
  /** Called after each stack, e.g. to update the PR comment. */
  readonly onResult?: (result: StackApplyResult, resultsSoFar: readonly StackApplyResult[]) => Promise<void>;
}

async function applyStack(ctx: ApplyContext, stack: string, deps: ReadonlyMap<string, StackApplyResult>): Promise<StackApplyResult> {
  const reviewedFingerprint = ctx.reviewed[stack] ?? null;
  const unsettled = [...deps].find(([, r]) => !isSettled(r.status));
  if (unsettled) {
    return { stack, status: "blocked", plan: null, reviewedFingerprint, detail: `not planned: dependency ${unsettled[0]} is ${unsettled[1].status}` };
  }
  // Dependencies are settled, so the fresh plan sees their applied outputs.
  const plan = await planStack(ctx, stack, new Map());
  if (plan.status === "no-changes") return { stack, status: "up-to-date", plan, reviewedFingerprint, detail: "no changes" };
  if (plan.status !== "changes" || !plan.planFile || !plan.plan) {
    const detail = plan.lockHolder ? `planning failed: ${describeLockHolder(plan.lockHolder)}; ${unlockHint(stack, plan.lockHolder)}` : `planning failed (${plan.status})`;
    return { stack, status: "error", plan, reviewedFingerprint, detail, ...(plan.errorText ? { errorText: plan.errorText } : {}) };
  }
  if (reviewedFingerprint === null) {
    return { stack, status: "not-reviewed", plan, reviewedFingerprint, detail: `has changes no reviewed plan covers (fresh plan ${plan.fingerprint})` };
  }
  if (plan.fingerprint !== reviewedFingerprint) {
    const reviewedScheme = fingerprintScheme(reviewedFingerprint);
    const freshScheme = plan.fingerprint ? fingerprintScheme(plan.fingerprint) : "none";
    // Fingerprints of two schemes never match, whatever the plans: say why instead of "changed".
    const detail =
      reviewedScheme === freshScheme
        ? `plan changed since review: reviewed ${reviewedFingerprint}, now ${plan.fingerprint}`
        : `cannot compare: the review has a ${reviewedScheme} fingerprint and this run computes ${freshScheme}; plan and apply need the same GITOPS_FINGERPRINT_KEY (now ${plan.fingerprint})`;
    return { stack, status: "changed", plan, reviewedFingerprint, detail };
  }
  const protectedDestroys = findProtectedDestroys(plan.plan, ctx.protectedTypes);
  if (protectedDestroys.length > 0 && !ctx.labels.includes("allow-destroy")) {
    const list = protectedDestroys.map((d) => d.address).join(", ");
    return { stack, status: "needs-label", plan, reviewedFingerprint, detail: `would destroy protected ${list}; the pull request needs the allow-destroy label` };
  }
  const applied = await ctx.terraform.apply(stackDirectory(ctx.manifest, stack), plan.planFile, maskedSink(ctx, stack));
  if (applied.exitCode !== 0) {
    const errorText = maskWithPlan(ctx.mask, plan.plan)(applied.stderr);
    const holder = parseLockError(applied.stderr);
    const detail = holder ? `terraform apply failed: ${describeLockHolder(holder)}; ${unlockHint(stack, holder)}` : `terraform apply exited with ${applied.exitCode}`;
    return { stack, status: "failed", plan, reviewedFingerprint, detail, errorText };
  }
  return { stack, status: "applied", plan, reviewedFingerprint, detail: plan.review?.planLine ?? "applied" };
}

function unlockHint(stack: string, holder: LockHolder): string {
  return `if that run is gone, release it with: gitops unlock --stack ${stack} --lock-id ${holder.id}`;
}

/** Applies `stacks` in dependency order; resolves to one result per stack, in that order. */
export function applyStacks(ctx: ApplyContext, stacks: readonly string[]): Promise<StackApplyResult[]> {
  const finished: StackApplyResult[] = [];
  return runStackTasks<StackApplyResult>(
    ctx,
    stacks,
    (stack, deps) => applyStack(ctx, stack, deps),
    (stack, _deps, message) => ({ stack, status: "error", plan: null, reviewedFingerprint: ctx.reviewed[stack] ?? null, detail: ctx.mask(message) }),
    async (result) => {
      finished.push(result);
      await ctx.onResult?.(result, finished);
    },
  );
}
