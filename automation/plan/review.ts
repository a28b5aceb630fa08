// Turns a plan into what a reviewer reads: per-resource actions and changed attributes, with every
// sensitive value already replaced. Renderers only ever see this model, never raw plan values.
import type { ChangeJson, JsonValue, PlanJson, ResourceChangeJson } from "./plan-json";
import { fingerprintPlan } from "./fingerprint";
import { type ActionKind, type PlanCounts, classifyActions, isImporting, isMoved, isOutputChange, isShownChange, summarizePlan, terraformPlanLine } from "./summary";

export const SENSITIVE = "(sensitive)";
export const UNKNOWN = "(known after apply)";

export interface AttributeChange {
  /** Attribute path as Terraform writes it: `tags.Name`, `ingress[0].cidr_blocks`. */
  readonly path: string;
  /** Short display values; `(sensitive)`, `(known after apply)` or `null` (absent) instead of secrets. */
  readonly before: string;
  readonly after: string;
  readonly forcesReplacement: boolean;
}

export interface ResourceReview {
  readonly address: string;
  readonly previousAddress?: string;
  readonly action: ActionKind;
  readonly moved: boolean;
  readonly importing: boolean;
  readonly dataSource: boolean;
  /** Terraform's action_reason, e.g. replace_because_cannot_update. */
  readonly reason?: string;
  readonly replacePaths: readonly string[];
  readonly attributes: readonly AttributeChange[];
  /** Attributes left out because the per-resource cap was reached. */
  readonly omittedAttributes: number;
}

export interface OutputReview {
  readonly name: string;
  readonly action: ActionKind;
  readonly before: string;
  readonly after: string;
}

export interface StackReview {
  readonly counts: PlanCounts;
  readonly planLine: string | null;
  readonly fingerprint: string | null;
  readonly resources: readonly ResourceReview[];
  readonly outputs: readonly OutputReview[];
  readonly actionInvocations: number;
  /** Addresses of the actions the plan invokes (Terraform 1.14), in plan order. */
  readonly actionAddresses: readonly string[];
}

/** How much of each value and resource a review shows. */
interface DisplayLimits {
  /** Longest display value before truncation. @default 60 */
  readonly maxValueChars?: number;
  /** Attribute lines per resource. @default 20 */
  readonly maxAttributes?: number;
}

export interface ReviewOptions extends DisplayLimits {
  /** Makes the fingerprint an HMAC with this key (see fingerprintPlan). @default plain sha256 */
  readonly fingerprintKey?: string | undefined;
}

export function reviewPlan(plan: PlanJson, options: ReviewOptions = {}): StackReview {
  const limits = { maxValueChars: options.maxValueChars ?? 60, maxAttributes: options.maxAttributes ?? 20 };
  const counts = summarizePlan(plan);
  const shown = (plan.resource_changes ?? []).filter(isShownChange);
  const actionInvocations = plan.action_invocations?.length ?? 0;
  const outputs = Object.entries(plan.output_changes ?? {})
    .filter(([, change]) => isOutputChange(change.actions))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, change]) => reviewOutput(name, change, limits.maxValueChars));
  return {
    counts,
    planLine: terraformPlanLine(counts, shown.length, actionInvocations),
    fingerprint: fingerprintPlan(plan, options.fingerprintKey),
    resources: shown.map((rc) => reviewResource(rc, limits)),
    outputs,
    actionInvocations,
    actionAddresses: (plan.action_invocations ?? []).map((a) =>
      a !== null && typeof a === "object" && typeof (a as { address?: unknown }).address === "string" ? (a as { address: string }).address : "(unnamed action)",
    ),
  };
}

function reviewResource(rc: ResourceChangeJson, limits: Required<DisplayLimits>): ResourceReview {
  const action = classifyActions(rc.change.actions);
  const replacePaths = (rc.change.replace_paths ?? []).map((p) => formatPath(p));
  let attributes: AttributeChange[] = [];
  if (action === "update" || action === "replace" || action === "unknown" || (action === "no-op" && isImporting(rc))) {
    attributes = diffAttributes(rc.change, new Set(replacePaths), limits.maxValueChars);
  }
  const kept = attributes.slice(0, limits.maxAttributes);
  return {
    address: rc.address,
    ...(isMoved(rc) && rc.previous_address !== undefined ? { previousAddress: rc.previous_address } : {}),
    action,
    moved: isMoved(rc),
    importing: isImporting(rc),
    dataSource: rc.mode === "data",
    ...(rc.action_reason !== undefined ? { reason: rc.action_reason } : {}),
    replacePaths,
    attributes: kept,
    omittedAttributes: attributes.length - kept.length,
  };
}

function reviewOutput(name: string, change: ChangeJson, maxChars: number): OutputReview {
  const sensitive = containsSensitive(change.before_sensitive) || containsSensitive(change.after_sensitive);
  const action = classifyActions(change.actions);
  if (sensitive) return { name, action, before: change.before == null ? "null" : SENSITIVE, after: SENSITIVE };
  const unknown = change.after_unknown === true;
  return {
    name,
    action,
    before: displayValue(change.before ?? null, maxChars),
    after: unknown ? UNKNOWN : displayValue(change.after ?? null, maxChars),
  };
}

/** Terraform's replace_paths / attribute paths as `a.b[0]["key with space"]`. */
export function formatPath(path: ReadonlyArray<string | number>): string {
  let out = "";
  for (const step of path) {
    if (typeof step === "number") out += `[${step}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(step)) out += out === "" ? step : `.${step}`;
    else out += `[${JSON.stringify(step)}]`;
  }
  return out;
}

/** True when the mark (a before_sensitive / after_sensitive subtree) marks anything sensitive. */
export function containsSensitive(mark: JsonValue | undefined): boolean {
  if (mark === true) return true;
  if (mark === null || typeof mark !== "object") return false;
  if (Array.isArray(mark)) return mark.some(containsSensitive);
  return Object.values(mark).some(containsSensitive);
}

function child(mark: JsonValue | undefined, key: string | number): JsonValue | undefined {
  if (mark === true) return true;
  if (mark === null || typeof mark !== "object") return undefined;
  if (Array.isArray(mark)) return typeof key === "number" ? mark[key] : undefined;
  return typeof key === "string" ? mark[key] : undefined;
}

function childValue(value: JsonValue | undefined, key: string | number): JsonValue | undefined {
  if (value === null || value === undefined || typeof value !== "object") return undefined;
  if (Array.isArray(value)) return typeof key === "number" ? value[key] : undefined;
  return typeof key === "string" ? value[key] : undefined;
}

const MAX_DEPTH = 4;

interface Side {
  value: JsonValue | undefined;
  sensitive: JsonValue | undefined;
}

/**
 * Changed leaves between before and after, down to MAX_DEPTH levels. A node marked sensitive on
 * either side is reported as one `(sensitive)` line and never entered, so neither values nor map keys
 * under a sensitive mark reach the output. Where a line is written, sensitivity is decided once from
 * both sides' marks and applied to both, as Terraform does: a value that becomes (or stops being)
 * sensitive would otherwise leak through the side without the mark. At the depth limit, or where the
 * two sides have different shapes, any sensitive mark below on either side hides both values.
 */
function diffAttributes(change: ChangeJson, replacePaths: ReadonlySet<string>, maxChars: number): AttributeChange[] {
  const out: AttributeChange[] = [];
  const show = (value: JsonValue | undefined, hidden: boolean): string =>
    value === null || value === undefined ? "null" : hidden ? SENSITIVE : displayValue(value, maxChars);
  const walk = (path: Array<string | number>, before: Side, after: Side, unknown: JsonValue | undefined): void => {
    const name = formatPath(path);
    const forces = replacePaths.has(name);
    const unknownHere = unknown === true;
    const hidden = containsSensitive(before.sensitive) || containsSensitive(after.sensitive);
    if (path.length > 0 && (before.sensitive === true || after.sensitive === true)) {
      if (unknownHere || !deepEqual(before.value, after.value)) {
        out.push({ path: name, before: show(before.value, true), after: unknownHere ? UNKNOWN : show(after.value, true), forcesReplacement: forces });
      }
      return;
    }
    if (unknownHere) {
      if (path.length > 0) out.push({ path: name, before: show(before.value, hidden), after: UNKNOWN, forcesReplacement: forces });
      return;
    }
    const descend =
      path.length < MAX_DEPTH &&
      (path.length === 0
        ? isContainer(before.value) || isContainer(after.value)
        : isContainer(before.value) && isContainer(after.value) && Array.isArray(before.value) === Array.isArray(after.value));
    if (descend) {
      for (const key of unionKeys(before.value, after.value, unknown)) {
        walk(
          [...path, key],
          { value: childValue(before.value, key), sensitive: child(before.sensitive, key) },
          { value: childValue(after.value, key), sensitive: child(after.sensitive, key) },
          child(unknown, key),
        );
      }
      return;
    }
    if (path.length === 0) return;
    const unknownInside = containsSensitive(unknown); // same walk: any `true` below
    if (unknownInside || !deepEqual(before.value, after.value)) {
      const afterText = show(after.value, hidden);
      out.push({ path: name, before: show(before.value, hidden), after: unknownInside ? `${afterText} ${UNKNOWN}` : afterText, forcesReplacement: forces });
    }
  };
  walk([], { value: change.before ?? null, sensitive: change.before_sensitive }, { value: change.after ?? null, sensitive: change.after_sensitive }, change.after_unknown);
  // Replacement reasons first: they are why a resource is destroyed.
  return out.sort((a, b) => Number(b.forcesReplacement) - Number(a.forcesReplacement));
}

function isContainer(v: JsonValue | undefined): v is JsonValue[] | { [key: string]: JsonValue } {
  return v !== null && typeof v === "object";
}

function unionKeys(a: JsonValue | undefined, b: JsonValue | undefined, c: JsonValue | undefined): Array<string | number> {
  if (Array.isArray(a) || Array.isArray(b)) {
    const len = Math.max(Array.isArray(a) ? a.length : 0, Array.isArray(b) ? b.length : 0, Array.isArray(c) ? c.length : 0);
    return Array.from({ length: len }, (_, i) => i);
  }
  const keys = new Set<string>();
  for (const v of [a, b, c]) if (isContainer(v) && !Array.isArray(v)) for (const k of Object.keys(v)) keys.add(k);
  return [...keys].sort();
}

function deepEqual(a: JsonValue | undefined, b: JsonValue | undefined): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined || a === null || b === null) return (a ?? null) === (b ?? null);
  if (typeof a !== "object" || typeof b !== "object") return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  const ao = a as { [key: string]: JsonValue };
  const bo = b as { [key: string]: JsonValue };
  const ak = Object.keys(ao);
  if (ak.length !== Object.keys(bo).length) return false;
  return ak.every((k) => k in bo && deepEqual(ao[k], bo[k]));
}

/** A short single-line rendering of a non-sensitive value; long values are cut with "…". */
export function displayValue(value: JsonValue, maxChars: number): string {
  const text = JSON.stringify(value) ?? "null";
  return text.length > maxChars ? `${text.slice(0, Math.max(1, maxChars - 1))}…` : text;
}
