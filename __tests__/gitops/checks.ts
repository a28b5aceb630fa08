// Static checks of the gitops/ tree (what Argo CD pulls). Each returns a list of problems, one line
// each naming the file, so a failing test says what to fix; the tests feed them bad input too.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { parseAllDocuments } from "yaml";

export type Manifest = { file: string; doc: Record<string, unknown> };

/** Kinds the gitops tree may contain, by apiVersion. Anything else is a typo or needs a review. */
export const KNOWN_KINDS: Record<string, readonly string[]> = {
  "argoproj.io/v1alpha1": ["Application", "AppProject"],
  "kustomize.config.k8s.io/v1beta1": ["Kustomization"],
  "apps/v1": ["Deployment"],
  v1: ["Service", "ConfigMap", "ServiceAccount"],
  "policy/v1": ["PodDisruptionBudget"],
  "autoscaling/v2": ["HorizontalPodAutoscaler"],
};

const PINNED_VERSION = /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/;
const IN_CLUSTER = "https://kubernetes.default.svc";

export function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? yamlFiles(join(dir, e.name)) : /\.ya?ml$/.test(e.name) ? [join(dir, e.name)] : []))
    .sort();
}

/** Every document of every YAML file under `dir`; syntax errors and non-mappings are problems. */
export function loadManifests(dir: string, root: string): { manifests: Manifest[]; problems: string[] } {
  const manifests: Manifest[] = [];
  const problems: string[] = [];
  for (const path of yamlFiles(dir)) {
    const file = relative(root, path);
    for (const doc of parseAllDocuments(readFileSync(path, "utf8"))) {
      if (doc.errors.length) {
        problems.push(`${file}: invalid YAML: ${doc.errors[0]?.message.split("\n")[0]}`);
        continue;
      }
      const value: unknown = doc.toJS();
      if (value === null || value === undefined) continue;
      if (typeof value !== "object" || Array.isArray(value)) problems.push(`${file}: expected a mapping, got ${JSON.stringify(value)}`);
      else manifests.push({ file, doc: value as Record<string, unknown> });
    }
  }
  return { manifests, problems };
}

const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
const obj = (v: unknown): Record<string, unknown> => (v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {});
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const nameOf = (m: Manifest): string => str(obj(m.doc.metadata).name) ?? "(unnamed)";

export function checkKinds(manifests: readonly Manifest[]): string[] {
  return manifests.flatMap(({ file, doc }) => {
    const apiVersion = str(doc.apiVersion);
    const kind = str(doc.kind);
    if (!apiVersion || !kind) return [`${file}: expected apiVersion and kind, got ${JSON.stringify({ apiVersion, kind })}`];
    const kinds = KNOWN_KINDS[apiVersion];
    if (!kinds) return [`${file}: unknown apiVersion "${apiVersion}"; expected one of ${Object.keys(KNOWN_KINDS).join(", ")}`];
    return kinds.includes(kind) ? [] : [`${file}: unknown kind "${kind}" for ${apiVersion}; expected one of ${kinds.join(", ")}`];
  });
}

/** An image reference must carry a tag other than `latest`, or a digest. */
export function imageProblem(image: string): string | undefined {
  if (/@sha256:[0-9a-f]{64}$/.test(image)) return undefined;
  const lastSegment = image.slice(image.lastIndexOf("/") + 1);
  const tag = lastSegment.includes(":") ? lastSegment.slice(lastSegment.indexOf(":") + 1) : undefined;
  if (tag === undefined) return `image "${image}" has no tag (means latest)`;
  if (tag === "" || tag.toLowerCase() === "latest") return `image "${image}" uses the latest tag`;
  return undefined;
}

/** Walks every value: `image:` strings, kustomize `newTag`, Helm-style `image: { tag }`. */
export function checkNoLatest(manifests: readonly Manifest[]): string[] {
  const problems: string[] = [];
  const walk = (file: string, node: unknown, key: string | undefined, parentKey: string | undefined): void => {
    if (Array.isArray(node)) {
      node.forEach((n) => walk(file, n, undefined, key));
      return;
    }
    if (node !== null && typeof node === "object") {
      for (const [k, v] of Object.entries(node)) walk(file, v, k, key);
      return;
    }
    if (typeof node !== "string") return;
    if (key === "image") {
      const p = imageProblem(node);
      if (p) problems.push(`${file}: ${p}`);
    } else if ((key === "newTag" || (key === "tag" && parentKey === "image")) && (node === "" || node.toLowerCase() === "latest")) {
      problems.push(`${file}: ${key} "${node}" is not a pinned tag`);
    }
  };
  for (const { file, doc } of manifests) walk(file, doc, undefined, undefined);
  return problems;
}

export interface EnvironmentGitops {
  readonly environment: string;
  readonly repoUrl: string;
  readonly path: string;
  readonly targetRevision: string;
}

/**
 * The Applications and AppProjects of one environment's apps directory, checked against the
 * environment's config: repo, revision, project, destinations, sync policy, paths in this repository.
 */
export function checkEnvironmentApps(env: EnvironmentGitops, manifests: readonly Manifest[], repoRoot: string, argoNamespace: string): string[] {
  const problems: string[] = [];
  const projects = new Map(manifests.filter((m) => m.doc.kind === "AppProject").map((m) => [nameOf(m), obj(m.doc.spec)]));
  const apps = manifests.filter((m) => m.doc.kind === "Application");
  if (apps.length === 0) problems.push(`${env.path}: expected at least one Application, got none`);

  for (const m of manifests) {
    const ns = str(obj(m.doc.metadata).namespace);
    if (ns !== argoNamespace) problems.push(`${m.file}: metadata.namespace: expected "${argoNamespace}" (Argo CD's namespace), got ${JSON.stringify(ns)}`);
  }
  for (const [name, spec] of projects) {
    const repos = list(spec.sourceRepos);
    if (repos.includes("*")) problems.push(`${env.path}: AppProject ${name}: sourceRepos must list repositories, got "*"`);
    for (const d of list(spec.destinations).map(obj)) {
      if (d.namespace === "*" || d.server === "*") problems.push(`${env.path}: AppProject ${name}: destinations must list namespaces, got ${JSON.stringify(d)}`);
    }
  }

  for (const app of apps) {
    const at = `${app.file}: Application ${nameOf(app)}`;
    const spec = obj(app.doc.spec);
    const projectName = str(spec.project);
    const project = projectName === undefined ? undefined : projects.get(projectName);
    if (projectName === "default" || !project) {
      problems.push(`${at}: spec.project: expected an AppProject defined in ${env.path} (not "default"), got ${JSON.stringify(projectName)}`);
    }
    if (spec.sources !== undefined) problems.push(`${at}: spec.sources: expected a single spec.source`);
    const source = obj(spec.source);
    const repoURL = str(source.repoURL);
    const revision = str(source.targetRevision);
    if (str(source.chart)) {
      if (repoURL === env.repoUrl || !repoURL?.startsWith("https://")) {
        problems.push(`${at}: a Helm chart source needs an https Helm repository, got ${JSON.stringify(repoURL)}`);
      }
      if (!revision || !PINNED_VERSION.test(revision)) problems.push(`${at}: chart ${source.chart}: targetRevision: expected a pinned version like 3.13.0, got ${JSON.stringify(revision)}`);
    } else {
      if (repoURL !== env.repoUrl) problems.push(`${at}: source.repoURL: expected ${env.repoUrl} (config gitops.repoUrl), got ${JSON.stringify(repoURL)}`);
      if (revision !== env.targetRevision) problems.push(`${at}: source.targetRevision: expected ${env.targetRevision} (config gitops.targetRevision), got ${JSON.stringify(revision)}`);
      const path = str(source.path);
      const full = path === undefined ? undefined : resolve(repoRoot, path);
      if (!full || !full.startsWith(repoRoot + "/") || !existsSync(full) || !statSync(full).isDirectory()) {
        problems.push(`${at}: source.path: expected a directory of this repository, got ${JSON.stringify(path)}`);
      }
    }
    if (project && repoURL && !list(project.sourceRepos).includes(repoURL)) {
      problems.push(`${at}: source.repoURL ${repoURL} is not in AppProject ${projectName}'s sourceRepos`);
    }

    const destination = obj(spec.destination);
    if (destination.server !== IN_CLUSTER) problems.push(`${at}: destination.server: expected ${IN_CLUSTER}, got ${JSON.stringify(destination.server)}`);
    const allowed = list(project?.destinations).map(obj);
    if (project && !allowed.some((d) => d.namespace === destination.namespace && d.server === destination.server)) {
      problems.push(`${at}: destination namespace ${JSON.stringify(destination.namespace)} is not in AppProject ${projectName}'s destinations`);
    }

    const sync = obj(spec.syncPolicy);
    const automated = obj(sync.automated);
    if (automated.prune !== true || automated.selfHeal !== true) {
      problems.push(`${at}: syncPolicy.automated: expected prune: true and selfHeal: true, got ${JSON.stringify(sync.automated)}`);
    }
    if (!list(sync.syncOptions).includes("CreateNamespace=true")) problems.push(`${at}: syncPolicy.syncOptions: expected CreateNamespace=true`);
    const retry = obj(sync.retry);
    const backoff = obj(retry.backoff);
    if (!(typeof retry.limit === "number" && retry.limit > 0) || !backoff.duration || !backoff.maxDuration || !(Number(backoff.factor) > 1)) {
      problems.push(`${at}: syncPolicy.retry: expected a limit and a backoff (duration, factor > 1, maxDuration), got ${JSON.stringify(sync.retry)}`);
    }
  }
  return problems;
}

/** Kustomization `resources`, `components` and `patches[].path` must name files or directories that exist. */
export function checkKustomizations(manifests: readonly Manifest[], repoRoot: string): string[] {
  const problems: string[] = [];
  for (const { file, doc } of manifests.filter((m) => m.doc.kind === "Kustomization")) {
    const dir = dirname(resolve(repoRoot, file));
    const refs: Array<[string, unknown]> = [
      ...list(doc.resources).map((r): [string, unknown] => ["resources", r]),
      ...list(doc.components).map((r): [string, unknown] => ["components", r]),
      ...list(doc.patches).map((p): [string, unknown] => ["patches", obj(p).path ?? (obj(p).patch ? null : p)]),
    ];
    for (const key of ["patchesStrategicMerge", "patchesJson6902", "bases", "commonLabels"]) {
      if (doc[key] !== undefined) problems.push(`${file}: ${key} is deprecated in kustomize v5; use resources, patches or labels`);
    }
    for (const [key, ref] of refs) {
      if (ref === null) continue; // an inline patch
      if (typeof ref !== "string") {
        problems.push(`${file}: ${key}: expected a path, got ${JSON.stringify(ref)}`);
        continue;
      }
      if (/^[a-z]+:\/\//.test(ref) || ref.includes("?ref=")) {
        problems.push(`${file}: ${key}: ${ref}: remote bases are not allowed; everything comes from this repository`);
        continue;
      }
      const target = resolve(dir, ref);
      if (!target.startsWith(repoRoot + "/") || !existsSync(target)) {
        problems.push(`${file}: ${key}: ${ref} does not exist`);
      } else if (statSync(target).isDirectory() && !["kustomization.yaml", "kustomization.yml", "Kustomization"].some((k) => existsSync(join(target, k)))) {
        problems.push(`${file}: ${key}: ${ref} is a directory without a kustomization.yaml`);
      }
    }
  }
  return problems;
}
