// Kubernetes objects as the preview sees them: parsed from YAML, keyed kind/namespace/name, Secrets
// reduced to their names before anything else looks at them, and compared field by field.
import { createHash } from "node:crypto";
import { parseAllDocuments } from "yaml";
import { UsageError } from "../errors";

export interface KubeObject {
  readonly apiVersion?: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly labels?: Record<string, string> };
  readonly [key: string]: unknown;
}

export interface FieldChange {
  readonly path: string;
  readonly before: string;
  readonly after: string;
}

/** What stands for a Secret's values: they never reach a diff, only whether they changed. */
export const HIDDEN = "(hidden)";

/** Every object of a multi-document YAML text; `source` names the file or render in errors. */
export function parseObjects(text: string, source: string): KubeObject[] {
  const objects: KubeObject[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0) throw new UsageError(`${source}: invalid YAML: ${doc.errors[0]!.message.split("\n")[0]}`);
    const value = doc.toJS() as unknown;
    if (value === null || value === undefined) continue;
    if (typeof value !== "object" || Array.isArray(value)) throw new UsageError(`${source}: expected Kubernetes objects, got ${typeof value}`);
    const obj = value as Partial<KubeObject>;
    if (typeof obj.kind !== "string" || typeof obj.metadata?.name !== "string") {
      throw new UsageError(`${source}: an object without kind or metadata.name`);
    }
    objects.push(hideSecretValues(obj as KubeObject));
  }
  return objects;
}

/** Secret values replaced by one digest-derived marker per Secret, so a change is seen, never its value. */
export function hideSecretValues(obj: KubeObject): KubeObject {
  if (obj.kind !== "Secret") return obj;
  const { data, stringData, ...rest } = obj as KubeObject & { data?: unknown; stringData?: unknown };
  const digest = createHash("sha256").update(JSON.stringify({ data, stringData })).digest("hex").slice(0, 12);
  return { ...rest, kind: "Secret", metadata: obj.metadata, values: `${HIDDEN} #${digest}` } as KubeObject;
}

export function objectKey(obj: KubeObject, defaultNamespace = ""): string {
  return `${obj.kind}/${obj.metadata.namespace ?? defaultNamespace}/${obj.metadata.name}`;
}

function short(value: unknown): string {
  if (value === undefined) return "(absent)";
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return text.length > 120 ? `${text.slice(0, 119)}…` : text;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** Changed leaves between two objects, paths like spec.template.spec.containers[0].image. */
export function fieldChanges(before: unknown, after: unknown, path = ""): FieldChange[] {
  if (JSON.stringify(before) === JSON.stringify(after)) return [];
  if (isRecord(before) && isRecord(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return keys.flatMap((k) => fieldChanges(before[k], after[k], path ? `${path}.${k}` : k));
  }
  if (Array.isArray(before) && Array.isArray(after) && before.length === after.length) {
    return before.flatMap((b, i) => fieldChanges(b, after[i], `${path}[${i}]`));
  }
  // A Secret's marker changed: say so without any value.
  if (typeof before === "string" && typeof after === "string" && before.startsWith(HIDDEN) && after.startsWith(HIDDEN)) {
    return [{ path, before: HIDDEN, after: `${HIDDEN}, changed` }];
  }
  return [{ path: path || "(object)", before: short(before), after: short(after) }];
}
