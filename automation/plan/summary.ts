// Counts a plan the way Terraform's human renderer does (jsonformat/plan.go renderHuman).
import type { PlanJson, ResourceChangeJson } from "./plan-json";

/** Field order is the `summarize --format json` contract. */
export interface PlanCounts {
  add: number;
  change: number;
  destroy: number;
  import: number;
  replace: number;
  read: number;
  forget: number;
  outputChanges: number;
  noChanges: boolean;
  errored: boolean;
}

/** What one resource change does, with Terraform's two replace orders and forget pairs folded together. */
export type ActionKind = "create" | "update" | "delete" | "replace" | "read" | "forget" | "create-forget" | "no-op" | "unknown";

export function classifyActions(actions: readonly string[]): ActionKind {
  const key = actions.join(",");
  switch (key) {
    case "create":
    case "update":
    case "delete":
    case "read":
    case "forget":
    case "no-op":
      return key;
    case "delete,create":
    case "create,delete":
      return "replace";
    case "create,forget": // Terraform
    case "forget,create": // OpenTofu
      return "create-forget";
    default:
      return "unknown";
  }
}

export function isMoved(rc: ResourceChangeJson): boolean {
  return rc.previous_address !== undefined && rc.previous_address !== rc.address;
}

export function isImporting(rc: ResourceChangeJson): boolean {
  return rc.change.importing !== undefined && rc.change.importing !== null;
}

/**
 * Whether Terraform would show this entry at all: plain no-ops, deleted data sources and ephemeral
 * resources are never shown; moved or importing no-ops are.
 */
export function isShownChange(rc: ResourceChangeJson): boolean {
  if (rc.mode === "ephemeral") return false;
  const kind = classifyActions(rc.change.actions);
  if (kind === "no-op") return isMoved(rc) || isImporting(rc);
  if (kind === "delete" && rc.mode === "data") return false;
  return true;
}

export function isOutputChange(actions: readonly string[]): boolean {
  return classifyActions(actions) !== "no-op";
}

export function summarizePlan(plan: PlanJson): PlanCounts {
  const counts: PlanCounts = {
    add: 0,
    change: 0,
    destroy: 0,
    import: 0,
    replace: 0,
    read: 0,
    forget: 0,
    outputChanges: 0,
    noChanges: false,
    errored: plan.errored === true,
  };
  let shown = 0;
  for (const rc of plan.resource_changes ?? []) {
    if (!isShownChange(rc)) continue;
    shown++;
    if (isImporting(rc)) counts.import++;
    switch (classifyActions(rc.change.actions)) {
      case "create":
        counts.add++;
        break;
      case "update":
        counts.change++;
        break;
      case "delete":
        counts.destroy++;
        break;
      case "replace":
        counts.add++;
        counts.destroy++;
        counts.replace++;
        break;
      case "read":
        counts.read++;
        break;
      case "forget":
        counts.forget++;
        break;
      case "create-forget":
        counts.add++;
        counts.forget++;
        break;
      case "no-op":
      case "unknown":
        break;
    }
  }
  for (const change of Object.values(plan.output_changes ?? {})) {
    if (isOutputChange(change.actions)) counts.outputChanges++;
  }
  counts.noChanges = shown === 0 && counts.outputChanges === 0 && (plan.action_invocations?.length ?? 0) === 0;
  return counts;
}

/**
 * Terraform's "Plan:" line in its own wording and order, or null when Terraform prints none
 * (no changes, or only output changes). Forget is not part of Terraform's line (OpenTofu adds it).
 */
export function terraformPlanLine(counts: PlanCounts, shownResourceChanges: number, actionInvocations: number): string | null {
  if (shownResourceChanges === 0 && actionInvocations === 0) return null;
  const importPart = counts.import > 0 ? `${counts.import} to import, ` : "";
  const actionsPart = actionInvocations > 0 ? ` Actions: ${actionInvocations} to invoke.` : "";
  return `Plan: ${importPart}${counts.add} to add, ${counts.change} to change, ${counts.destroy} to destroy.${actionsPart}`;
}

export function formatCountsText(counts: PlanCounts, planLine: string | null): string {
  if (counts.errored) return "Error: Terraform reported that planning failed.";
  if (counts.noChanges) return "No changes.";
  const lines: string[] = [];
  if (planLine) lines.push(planLine);
  if (counts.read > 0) lines.push(`${counts.read} to read.`);
  if (counts.forget > 0) lines.push(`${counts.forget} to forget.`);
  if (counts.outputChanges > 0) lines.push(`Changes to Outputs: ${counts.outputChanges}.`);
  return lines.join("\n");
}
