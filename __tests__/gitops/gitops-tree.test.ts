// The gitops/ tree is what Argo CD pulls: a typo here is not caught by synth or plan, only by a
// sync that fails on the cluster. These tests parse every YAML under gitops/ instead.
import { existsSync, readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { loadEnvironmentConfigs } from "../../config/schema";
import { ARGOCD_DEFAULTS } from "../../constructs/argocd/defaults";
import { argoCdAppsChartValues, ROOT_PROJECT } from "../../constructs/argocd/values";
import {
  checkEnvironmentApps,
  checkKinds,
  checkKustomizations,
  checkNoLatest,
  imageProblem,
  loadManifests,
  type Manifest,
} from "./checks";

const repoRoot = resolve(__dirname, "../..");
const gitopsDir = join(repoRoot, "gitops");
const configs = loadEnvironmentConfigs(join(repoRoot, "config"));
const { manifests, problems: parseProblems } = loadManifests(gitopsDir, repoRoot);
const under = (dir: string) => manifests.filter((m) => m.file.startsWith(`${dir}/`));
const argoNamespace = ARGOCD_DEFAULTS.namespace;

describe("gitops/ tree", () => {
  it("parses, and every document has a known apiVersion and kind", () => {
    expect(manifests.length).toBeGreaterThan(10);
    expect(parseProblems).toEqual([]);
    expect(checkKinds(manifests)).toEqual([]);
  });

  it("uses no latest or missing image tags anywhere", () => {
    expect(checkNoLatest(manifests)).toEqual([]);
  });

  it("has kustomizations whose resources and patches exist in the repository", () => {
    expect(manifests.filter((m) => m.doc.kind === "Kustomization").length).toBeGreaterThanOrEqual(4);
    expect(checkKustomizations(manifests, repoRoot)).toEqual([]);
  });

  it("has an apps directory for every environment config, and none without one", () => {
    const appsDirs = readdirSync(join(gitopsDir, "apps")).sort();
    const configured = configs.map((c) => c.gitops.path).sort();
    expect(appsDirs.map((d) => `gitops/apps/${d}`)).toEqual(configured);
  });
});

describe.each(configs.map((c) => [c.environment, c] as const))("gitops apps of %s", (_env, config) => {
  const apps = under(config.gitops.path);

  it("holds only what the root app's project may create", () => {
    // The root Application syncs this directory under ROOT_PROJECT, which whitelists these kinds only.
    const values = argoCdAppsChartValues({ name: "root", namespace: argoNamespace, ...config.gitops });
    const project = (values.projects as Record<string, { namespaceResourceWhitelist: Array<{ group: string; kind: string }> }>)[ROOT_PROJECT];
    const allowed = (project?.namespaceResourceWhitelist ?? []).map((k) => `${k.group}/${k.kind}`);
    const kinds = apps.map((m) => `${String(m.doc.apiVersion).split("/")[0]}/${String(m.doc.kind)}`);
    expect(kinds.length).toBeGreaterThan(0);
    expect(kinds.filter((k) => !allowed.includes(k))).toEqual([]);
  });

  it("points every Application at the config's repository and revision or a pinned chart, with automated prune and self-heal", () => {
    expect(checkEnvironmentApps({ ...config.gitops, environment: config.environment }, apps, repoRoot, argoNamespace)).toEqual([]);
  });

  it("deploys a workload from this repository through its own overlay and a platform add-on from a Helm chart", () => {
    const specs = apps.filter((m) => m.doc.kind === "Application").map((m) => m.doc.spec as { source: { path?: string; chart?: string } });
    const paths = specs.map((s) => s.source.path).filter((p): p is string => p !== undefined);
    expect(paths.length).toBeGreaterThan(0);
    for (const path of paths) expect(path).toMatch(new RegExp(`^gitops/workloads/[\\w-]+/overlays/${config.environment}$`));
    expect(specs.some((s) => s.source.chart !== undefined)).toBe(true);
  });
});

describe("podinfo overlays", () => {
  type Effective = { replicas: unknown; tag: unknown; resources: unknown };
  const overlay = (env: string): Effective => {
    const dir = `gitops/workloads/podinfo/overlays/${env}`;
    const kustomization = under(dir).find((m) => m.doc.kind === "Kustomization")?.doc as { images?: Array<{ newTag?: string }> };
    const patch = under(dir).find((m) => m.doc.kind === "Deployment")?.doc as {
      spec: { replicas: number; template: { spec: { containers: Array<{ resources: unknown }> } } };
    };
    return { replicas: patch.spec.replicas, tag: kustomization.images?.[0]?.newTag, resources: patch.spec.template.spec.containers[0]?.resources };
  };

  it("exist for every environment", () => {
    for (const c of configs) expect(existsSync(join(repoRoot, "gitops/workloads/podinfo/overlays", c.environment, "kustomization.yaml"))).toBe(true);
  });

  it("differ between staging and production in replicas, resources and image tag", () => {
    const staging = overlay("staging");
    const production = overlay("production");
    expect(production.replicas).toBeGreaterThan(staging.replicas as number);
    expect(staging.tag).not.toEqual(production.tag);
    expect(staging.resources).not.toEqual(production.resources);
    for (const o of [staging, production, overlay("local")]) expect(o.tag).toMatch(/^\d+\.\d+\.\d+$/);
  });
});

describe("the checks catch mistakes", () => {
  const app = (spec: Record<string, unknown>): Manifest => ({
    file: "gitops/apps/x/app.yaml",
    doc: { apiVersion: "argoproj.io/v1alpha1", kind: "Application", metadata: { name: "bad", namespace: "argocd" }, spec },
  });
  const project: Manifest = {
    file: "gitops/apps/x/project.yaml",
    doc: {
      apiVersion: "argoproj.io/v1alpha1",
      kind: "AppProject",
      metadata: { name: "x", namespace: "argocd" },
      spec: { sourceRepos: ["https://github.com/example/infra"], destinations: [{ server: "https://kubernetes.default.svc", namespace: "demo" }] },
    },
  };
  const env = { environment: "x", repoUrl: "https://github.com/example/infra", path: "gitops/apps/x", targetRevision: "main" };
  const good = {
    project: "x",
    source: { repoURL: env.repoUrl, targetRevision: "main", path: "gitops/workloads/podinfo/base" },
    destination: { server: "https://kubernetes.default.svc", namespace: "demo" },
    syncPolicy: {
      automated: { prune: true, selfHeal: true },
      syncOptions: ["CreateNamespace=true"],
      retry: { limit: 3, backoff: { duration: "5s", factor: 2, maxDuration: "1m" } },
    },
  };
  const problems = (spec: Record<string, unknown>) => checkEnvironmentApps(env, [project, app(spec)], repoRoot, "argocd");

  it("accepts a correct Application", () => {
    expect(problems(good)).toEqual([]);
  });

  it.each([
    ["another repository", { source: { ...good.source, repoURL: "https://github.com/other/repo" } }, /source.repoURL: expected https:\/\/github.com\/example\/infra/],
    ["another revision", { source: { ...good.source, targetRevision: "dev" } }, /targetRevision: expected main/],
    ["a missing path", { source: { ...good.source, path: "gitops/workloads/nope" } }, /source.path: expected a directory/],
    ["a path outside the repository", { source: { ...good.source, path: "../elsewhere" } }, /source.path/],
    ["the default project", { project: "default" }, /spec.project/],
    ["no self-heal", { syncPolicy: { ...good.syncPolicy, automated: { prune: true } } }, /prune: true and selfHeal: true/],
    ["no CreateNamespace", { syncPolicy: { ...good.syncPolicy, syncOptions: [] } }, /CreateNamespace=true/],
    ["no retry", { syncPolicy: { ...good.syncPolicy, retry: undefined } }, /syncPolicy.retry/],
    ["an unlisted namespace", { destination: { ...good.destination, namespace: "kube-system" } }, /not in AppProject x's destinations/],
    ["an unpinned chart", { source: { repoURL: "https://charts.example.com", chart: "c", targetRevision: "3.x" } }, /pinned version/],
  ])("rejects %s", (_what, change, message) => {
    expect(problems({ ...good, ...change }).join("\n")).toMatch(message);
  });

  it("rejects latest and untagged images, and accepts tags and digests", () => {
    expect(imageProblem("ghcr.io/stefanprodan/podinfo:latest")).toMatch(/latest/);
    expect(imageProblem("localhost:5000/podinfo")).toMatch(/no tag/);
    expect(imageProblem("ghcr.io/stefanprodan/podinfo:6.9.1")).toBeUndefined();
    expect(imageProblem(`podinfo@sha256:${"a".repeat(64)}`)).toBeUndefined();
    const doc = { kind: "Kustomization", images: [{ name: "x", newTag: "latest" }], values: { image: { tag: "latest" } } };
    expect(checkNoLatest([{ file: "k.yaml", doc }])).toHaveLength(2);
  });

  it("rejects unknown kinds and kustomization references to missing files", () => {
    expect(checkKinds([{ file: "a.yaml", doc: { apiVersion: "argoproj.io/v1alpha1", kind: "Aplication" } }])).toHaveLength(1);
    const kustomization = { apiVersion: "kustomize.config.k8s.io/v1beta1", kind: "Kustomization", resources: ["missing.yaml", "../../base"], patches: [{ path: "nope.yaml" }] };
    const found = checkKustomizations([{ file: "gitops/workloads/podinfo/overlays/staging/kustomization.yaml", doc: kustomization }], repoRoot);
    expect(found).toEqual([
      expect.stringContaining("resources: missing.yaml does not exist"),
      expect.stringContaining("patches: nope.yaml does not exist"),
    ]);
  });
});
