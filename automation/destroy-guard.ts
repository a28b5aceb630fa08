// Deletes and replacements of resources that are expensive or impossible to get back (clusters,
// networks, state buckets, keys, databases, Argo CD itself) need an explicit `allow-destroy` label.
import type { PlanJson } from "./plan/plan-json";
import { classifyActions, isShownChange } from "./plan/summary";

export const ALLOW_DESTROY_LABEL = "allow-destroy";

/**
 * Protected resource types. `type:chart` narrows a helm_release to one chart, so upgrading other
 * releases stays unguarded.
 */
export const DEFAULT_PROTECTED_TYPES: readonly string[] = [
  "aws_eks_cluster",
  // Replaced whenever instance types, capacity type, subnets, AMI type or the node role change. The
  // new group comes up first (create_before_destroy), but the old nodes are drained and their pods
  // rescheduled: a reviewer should agree to that explicitly.
  "aws_eks_node_group",
  "aws_vpc",
  "aws_s3_bucket",
  "aws_kms_key",
  "aws_db_instance",
  "helm_release:argo-cd",
];

export interface ProtectedDestroy {
  readonly address: string;
  readonly type: string;
  readonly action: "delete" | "replace";
}

function chartOf(value: unknown): string | undefined {
  if (value === null || typeof value !== "object") return undefined;
  const chart = (value as Record<string, unknown>).chart;
  return typeof chart === "string" ? chart : undefined;
}

function matches(rule: string, type: string, before: unknown, after: unknown): boolean {
  const [ruleType, chart] = rule.split(":");
  if (ruleType !== type) return false;
  return chart === undefined || chartOf(before) === chart || chartOf(after) === chart;
}

/** Managed resources this plan would delete or replace whose type is protected. */
export function findProtectedDestroys(plan: PlanJson, protectedTypes: readonly string[] = DEFAULT_PROTECTED_TYPES): ProtectedDestroy[] {
  const found: ProtectedDestroy[] = [];
  for (const rc of plan.resource_changes ?? []) {
    if (!isShownChange(rc) || rc.mode === "data" || !rc.type) continue;
    const kind = classifyActions(rc.change.actions);
    if (kind !== "delete" && kind !== "replace") continue;
    if (protectedTypes.some((rule) => matches(rule, rc.type ?? "", rc.change.before, rc.change.after))) {
      found.push({ address: rc.address, type: rc.type, action: kind });
    }
  }
  return found;
}

export function isDestroyAllowed(labels: readonly string[]): boolean {
  return labels.includes(ALLOW_DESTROY_LABEL);
}

/** Parses `--protected-types a,b:chart` (replaces the default list) and `--labels a,b`. */
export function parseList(value: string | undefined): string[] {
  return (value ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
}
