// The pull pipeline's review: what a change to gitops/ does to what Argo CD deploys, per environment,
// rendered offline from two checkouts (base and head) of the repository.
import { join } from "node:path";
import { checkObjects, type Finding } from "./checks";
import { type FieldChange, fieldChanges, type KubeObject, objectKey, parseObjects } from "./objects";
import { renderInputsDigest, type TreeReader } from "./render-inputs";
import { schemaFinding } from "./schema";

/** What the preview needs from the outside world; tests replace every part. */
export interface PreviewIo extends TreeReader {
  /** Names of the subdirectories of `dir`; [] when it does not exist. */
  listDirs(dir: string): Promise<string[]>;
  /** YAML files directly in `dir`, sorted; [] when it does not exist. */
  listYaml(dir: string): Promise<string[]>;
  readText(path: string): Promise<string>;
  exists(path: string): Promise<boolean>;
  /** The output of `kubectl kustomize DIR`. */
  kustomize(dir: string): Promise<string>;
}

export const APPS_DIR = join("gitops", "apps");

export interface ObjectDiff {
  readonly added: readonly string[];
  readonly removed: readonly string[];
  readonly changed: readonly { readonly key: string; readonly changes: readonly FieldChange[] }[];
}

export interface AppPreview {
  readonly name: string;
  readonly kind: "Application" | "AppProject";
  readonly status: "added" | "removed" | "changed" | "unchanged";
  /** Changed fields of the Application or AppProject itself. */
  readonly fields: readonly FieldChange[];
  /** Rendered objects, for Applications whose source is a path in this repository. */
  readonly objects?: ObjectDiff;
  /** Why the objects were not rendered (a Helm chart without helm here). */
  readonly notRendered?: string;
}

export interface EnvironmentPreview {
  readonly env: string;
  readonly apps: readonly AppPreview[];
  /** Deletions reviewers must see first: removed Applications, Namespaces, PVCs, CRDs, pruned objects. */
  readonly deletions: readonly string[];
  readonly findings: readonly Finding[];
}

/** Kinds whose removal loses data or everything in them. */
const LOUD_KINDS = ["Namespace", "PersistentVolumeClaim", "CustomResourceDefinition"];

async function appManifests(io: PreviewIo, root: string, env: string): Promise<Map<string, KubeObject>> {
  const dir = join(root, APPS_DIR, env);
  const found = new Map<string, KubeObject>();
  for (const file of await io.listYaml(dir)) {
    for (const obj of parseObjects(await io.readText(join(dir, file)), join(APPS_DIR, env, file))) {
      if (obj.kind === "Application" || obj.kind === "AppProject") found.set(`${obj.kind}/${obj.metadata.name}`, obj);
    }
  }
  return found;
}

interface Source {
  path?: string;
  chart?: string;
}

function sourceOf(app: KubeObject | undefined): Source | undefined {
  return (app?.spec as { source?: Source } | undefined)?.source;
}

function prunes(app: KubeObject | undefined): boolean {
  return (app?.spec as { syncPolicy?: { automated?: { prune?: boolean } } } | undefined)?.syncPolicy?.automated?.prune === true;
}

function destinationNamespace(app: KubeObject | undefined): string {
  return (app?.spec as { destination?: { namespace?: string } } | undefined)?.destination?.namespace ?? "";
}

/** Whether the Application's namespace enforces the restricted Pod Security level. */
function enforcesRestricted(app: KubeObject, objects: readonly KubeObject[]): (o: KubeObject) => boolean {
  const managed = (app.spec as { syncPolicy?: { managedNamespaceMetadata?: { labels?: Record<string, string> } } }).syncPolicy?.managedNamespaceMetadata?.labels ?? {};
  const restrictedNamespaces = new Set(
    objects.filter((o) => o.kind === "Namespace" && o.metadata.labels?.["pod-security.kubernetes.io/enforce"] === "restricted").map((o) => o.metadata.name),
  );
  const appNamespace = destinationNamespace(app);
  return (o) => {
    const ns = o.metadata.namespace ?? appNamespace;
    return restrictedNamespaces.has(ns) || (ns === appNamespace && managed["pod-security.kubernetes.io/enforce"] === "restricted");
  };
}

async function render(io: PreviewIo, root: string, app: KubeObject | undefined): Promise<KubeObject[] | undefined> {
  const path = sourceOf(app)?.path;
  if (path === undefined) return undefined;
  const dir = join(root, path);
  if (!(await io.exists(dir))) return [];
  return parseObjects(await io.kustomize(dir), `kubectl kustomize ${path}`);
}

/**
 * The base's and the head's render of one Application. When both render the same path from the same
 * inputs (render-inputs.ts), the renders are equal: an Application that is itself unchanged is not
 * rendered at all (the pull request cannot change what it deploys, and findings are about what the
 * pull request changes, the way Atlantis plans only the projects whose files changed); a changed one
 * is rendered once, for the head's findings. Most Applications in a pull request are unchanged, and
 * every render is a kubectl start and an OpenAPI parse (~0.3 s).
 */
async function renderBoth(io: PreviewIo, baseRoot: string, base: KubeObject | undefined, headRoot: string, head: KubeObject | undefined, unchanged: boolean) {
  const path = sourceOf(head)?.path;
  if (path !== undefined && sourceOf(base)?.path === path) {
    const [before, after] = await Promise.all([renderInputsDigest(io, baseRoot, path), renderInputsDigest(io, headRoot, path)]);
    if (before !== undefined && before === after) {
      // Not rendered: no objects on either side, so nothing to compare and nothing to check.
      if (unchanged) return [[], []] as const;
      const objects = await render(io, headRoot, head);
      return [objects, objects] as const;
    }
  }
  return Promise.all([render(io, baseRoot, base), render(io, headRoot, head)]);
}

function diffObjects(base: readonly KubeObject[], head: readonly KubeObject[], namespace: string): ObjectDiff {
  const key = (o: KubeObject) => objectKey(o, namespace);
  const before = new Map(base.map((o) => [key(o), o]));
  const after = new Map(head.map((o) => [key(o), o]));
  const added = [...after.keys()].filter((k) => !before.has(k)).sort();
  const removed = [...before.keys()].filter((k) => !after.has(k)).sort();
  const changed = [...after.keys()]
    .filter((k) => before.has(k))
    .sort()
    .map((k) => ({ key: k, changes: fieldChanges(before.get(k), after.get(k)) }))
    .filter((c) => c.changes.length > 0);
  return { added, removed, changed };
}

export async function previewEnvironment(io: PreviewIo, baseRoot: string, headRoot: string, env: string): Promise<EnvironmentPreview> {
  const [base, head] = await Promise.all([appManifests(io, baseRoot, env), appManifests(io, headRoot, env)]);
  const apps: AppPreview[] = [];
  const deletions: string[] = [];
  const findings: Finding[] = [];
  for (const id of [...new Set([...base.keys(), ...head.keys()])].sort()) {
    const [kind, name] = id.split("/") as ["Application" | "AppProject", string];
    const b = base.get(id);
    const h = head.get(id);
    const status = !b ? "added" : !h ? "removed" : JSON.stringify(b) === JSON.stringify(h) ? "unchanged" : "changed";
    const fields = b && h ? fieldChanges(b, h) : [];
    const appSchema = h && status !== "unchanged" ? schemaFinding(h, `${kind}/${h.metadata.namespace ?? ""}/${name}`) : undefined;
    if (appSchema) findings.push(appSchema);
    let objects: ObjectDiff | undefined;
    let notRendered: string | undefined;
    if (kind === "Application") {
      const chart = sourceOf(h ?? b)?.chart;
      if (chart !== undefined) {
        notRendered = `Helm chart ${chart}: the chart is not rendered here (no helm); its version and values changes are listed above`;
      } else {
        const [before, after] = await renderBoth(io, baseRoot, b, headRoot, h, status === "unchanged");
        if (before !== undefined || after !== undefined) {
          const namespace = destinationNamespace(h ?? b);
          objects = diffObjects(before ?? [], after ?? [], namespace);
          if (h && after) {
            findings.push(...checkObjects(after, (o) => objectKey(o, namespace), enforcesRestricted(h, after)));
            findings.push(...after.flatMap((o) => schemaFinding(o, objectKey(o, namespace)) ?? []));
          }
          if (status === "removed") {
            deletions.push(`Application ${name} is removed: Argo CD deletes everything it deployed (${objects.removed.length} objects: ${objects.removed.join(", ") || "none rendered"})`);
          } else if (objects.removed.length > 0) {
            const loud = objects.removed.filter((k) => LOUD_KINDS.includes(k.split("/")[0]!));
            if (prunes(h) || loud.length > 0) {
              deletions.push(`Application ${name} ${prunes(h) ? "prunes" : "loses"} ${objects.removed.join(", ")}${prunes(h) ? ": Argo CD deletes them on the next sync" : ""}`);
            }
          }
        }
      }
    }
    if (status === "removed" && kind === "AppProject") deletions.push(`AppProject ${name} is removed`);
    if (status === "removed" && kind === "Application" && !deletions.some((d) => d.startsWith(`Application ${name} is removed`))) {
      deletions.push(`Application ${name} is removed: Argo CD deletes everything it deployed`);
    }
    apps.push({ name, kind, status, fields, ...(objects ? { objects } : {}), ...(notRendered && status !== "unchanged" ? { notRendered } : {}) });
  }
  return { env, apps, deletions, findings };
}

/** Environments with an app-of-apps directory in either checkout, sorted. */
export async function previewEnvironments(io: PreviewIo, baseRoot: string, headRoot: string): Promise<string[]> {
  const names = new Set([...(await io.listDirs(join(baseRoot, APPS_DIR))), ...(await io.listDirs(join(headRoot, APPS_DIR)))]);
  return [...names].sort();
}

export function hasChanges(p: EnvironmentPreview): boolean {
  return p.apps.some((a) => a.status !== "unchanged" || (a.objects && (a.objects.added.length + a.objects.removed.length + a.objects.changed.length > 0)));
}
