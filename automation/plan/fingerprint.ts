// A stable hash of what a plan will do, so apply can refuse a plan that differs from the reviewed one.
import { createHash, createHmac } from "node:crypto";
import type { JsonValue, PlanJson } from "./plan-json";
import { isOutputChange, isShownChange } from "./summary";

/** A fingerprint as plan writes it and apply reads it: a scheme and 64 hex digits. */
export const FINGERPRINT_PATTERN = /^(?:sha256|hmac-sha256):[0-9a-f]{64}$/;

/** `sha256` or `hmac-sha256`: fingerprints of different schemes never match. */
export function fingerprintScheme(fingerprint: string): string {
  return fingerprint.slice(0, fingerprint.indexOf(":"));
}

/** `hmac-sha256:5ae67813d857`: enough to tell plans apart at a glance. */
export function shortFingerprint(fingerprint: string): string {
  return fingerprint.slice(0, fingerprint.indexOf(":") + 13);
}

/**
 * A hash over canonical JSON (object keys sorted) of every resource change Terraform would show
 * (sorted by address, then previous address) and every output change that is not a no-op (sorted by
 * name). Only the fields that describe the change are hashed, so run metadata (timestamp,
 * prior_state, planned_values, resource_drift, sensitivity marks) never moves it. Moved-only and
 * import-only entries are included: applying them changes state, so they are part of the review.
 * So are Terraform 1.14 action invocations (sorted by address): an action-only plan runs something,
 * and must not share the fingerprint of an empty plan. Plans without actions hash as they did before
 * actions existed. Errored plans have no fingerprint: they cannot be applied.
 *
 * Sensitive values are hashed too (a changed secret is a changed plan), and the fingerprint is
 * published on the pull request. With a `key` it is an HMAC (`hmac-sha256:`), so nobody without the
 * key can test guesses of a secret against it; without one it is a plain `sha256:`.
 */
export function fingerprintPlan(plan: PlanJson, key?: string): string | null {
  if (plan.errored === true) return null;
  const resources = (plan.resource_changes ?? [])
    .filter(isShownChange)
    .sort((a, b) => compare(a.address, b.address) || compare(a.previous_address ?? "", b.previous_address ?? ""));
  const outputs = Object.entries(plan.output_changes ?? {})
    .filter(([, change]) => isOutputChange(change.actions))
    .sort(([a], [b]) => compare(a, b));

  // Hash piece by piece: a 50 MB plan should not need a second 50 MB string.
  const hash = key === undefined ? createHash("sha256") : createHmac("sha256", key);
  hash.update('{"outputs":[');
  outputs.forEach(([name, change], i) => {
    if (i > 0) hash.update(",");
    writeCanonical(hash, {
      actions: change.actions,
      after: change.after ?? null,
      after_unknown: change.after_unknown ?? null,
      before: change.before ?? null,
      name,
    });
  });
  hash.update('],"resources":[');
  resources.forEach((rc, i) => {
    if (i > 0) hash.update(",");
    writeCanonical(hash, {
      actions: rc.change.actions,
      address: rc.address,
      after: rc.change.after ?? null,
      after_unknown: rc.change.after_unknown ?? null,
      before: rc.change.before ?? null,
      importing: rc.change.importing ?? null,
      previous_address: rc.previous_address ?? null,
      replace_paths: (rc.change.replace_paths as JsonValue | undefined) ?? null,
    });
  });
  hash.update("]");
  // What an action will do: which action, with which configuration, on which trigger. Sensitivity
  // marks are left out, as for resources.
  const actions = (plan.action_invocations ?? []).map((a) => {
    const o = (a !== null && typeof a === "object" ? a : {}) as Record<string, JsonValue | undefined>;
    return {
      address: o.address ?? null,
      config_unknown: o.config_unknown ?? null,
      config_values: o.config_values ?? null,
      invoke_action_trigger: o.invoke_action_trigger ?? null,
      name: o.name ?? null,
      provider_name: o.provider_name ?? null,
      type: o.type ?? null,
    };
  });
  if (actions.length > 0) {
    const key = (a: (typeof actions)[number]) => `${String(a.address)}\u0000${canonicalJson(a.invoke_action_trigger)}`;
    hash.update(',"actions":[');
    [...actions]
      .sort((a, b) => compare(key(a), key(b)))
      .forEach((action, i) => {
        if (i > 0) hash.update(",");
        writeCanonical(hash, action);
      });
    hash.update("]");
  }
  hash.update("}");
  return `${key === undefined ? "sha256" : "hmac-sha256"}:${hash.digest("hex")}`;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** JSON with object keys in code-unit order at every level; arrays keep their order. */
export function canonicalJson(value: JsonValue): string {
  const parts: string[] = [];
  emit(value, (s) => parts.push(s));
  return parts.join("");
}

/** What writeCanonical needs of a Hash or an Hmac. */
interface HashSink {
  update(data: string): unknown;
}

function writeCanonical(hash: HashSink, value: JsonValue): void {
  // Terraform already writes object keys sorted; then the native serializer gives the same bytes, fast.
  if (isSortedDeep(value)) {
    hash.update(JSON.stringify(value));
    return;
  }
  let buffer = "";
  emit(value, (s) => {
    buffer += s;
    if (buffer.length > 65536) {
      hash.update(buffer);
      buffer = "";
    }
  });
  hash.update(buffer);
}

function isSortedDeep(value: JsonValue): boolean {
  if (value === null || typeof value !== "object") return true;
  if (Array.isArray(value)) return value.every(isSortedDeep);
  let previous: string | undefined;
  for (const key in value) {
    if (previous !== undefined && !(previous < key)) return false;
    previous = key;
    if (!isSortedDeep(value[key] ?? null)) return false;
  }
  return true;
}

function emit(value: JsonValue, out: (s: string) => void): void {
  if (value === null || typeof value !== "object") {
    out(JSON.stringify(value));
    return;
  }
  if (Array.isArray(value)) {
    out("[");
    value.forEach((item, i) => {
      if (i > 0) out(",");
      emit(item, out);
    });
    out("]");
    return;
  }
  out("{");
  const keys = Object.keys(value).sort(compare);
  keys.forEach((key, i) => {
    if (i > 0) out(",");
    out(JSON.stringify(key));
    out(":");
    emit(value[key] ?? null, out);
  });
  out("}");
}
