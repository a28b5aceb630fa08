import { join } from "node:path";
import { Testing, TerraformStack } from "cdktf";
import { loadEnvironmentConfigs, type EnvironmentConfig } from "../../config/schema";
import {
  ArgoCd,
  type ArgoCdProps,
  argoCdAppsChartValues,
  argoCdChartValues,
  externalSecretsChartValues,
  repositorySecretObjects,
  ROOT_PROJECT,
  supportsExternalSecretsV1,
} from "../../constructs/argocd";

const configs = loadEnvironmentConfigs(join(__dirname, "../../config"));
const config = (env: string): EnvironmentConfig => {
  const c = configs.find((x) => x.environment === env);
  if (!c) throw new Error(`no config ${env}`);
  return c;
};

// The props the stacks derive from a config (stacks/gitops-stack.ts does the same mapping).
const propsOf = (c: EnvironmentConfig): ArgoCdProps => ({
  chartVersion: c.gitops.argocdChartVersion,
  appsChartVersion: c.gitops.argocdAppsChartVersion,
  repoUrl: c.gitops.repoUrl,
  appsPath: c.gitops.path,
  targetRevision: c.gitops.targetRevision,
  serverExposure: c.gitops.serverExposure,
  hostname: c.gitops.hostname,
  highAvailability: c.gitops.highAvailability,
  sso: c.gitops.sso,
});

type Json = {
  resource: Record<string, Record<string, Record<string, unknown>>>;
  data?: unknown;
  output?: unknown;
};

// One synth per environment for the whole file.
const synthesized = new Map(
  configs.map((c) => [c.environment, JSON.parse(Testing.synthScope((scope) => new ArgoCd(scope, "argocd", propsOf(c)))) as Json]),
);
const releases = (env: string) => Object.values(synthesized.get(env)?.resource.helm_release ?? {});
const valuesOf = (release: Record<string, unknown> | undefined) => JSON.parse((release?.values as string[])[0]!) as Record<string, unknown>;

type AppsValues = {
  projects: Record<string, { sourceRepos: string[]; destinations: Array<{ namespace: string }>; namespaceResourceWhitelist: unknown[]; clusterResourceWhitelist?: unknown }>;
  applications: Record<string, { project: string; source: Record<string, string>; destination: Record<string, string>; syncPolicy: { automated: unknown } }>;
};

describe("ArgoCd app-of-apps release", () => {
  it.each(["staging", "production", "local"])("points the %s root Application at the config's repo, path and revision", (env) => {
    const c = config(env);
    const apps = releases(env).find((r) => r.chart === "argocd-apps");
    expect(apps).toMatchObject({ version: c.gitops.argocdAppsChartVersion, repository: "https://argoproj.github.io/argo-helm" });
    const values = valuesOf(apps) as AppsValues;
    expect(Object.keys(values.applications)).toEqual(["root"]);
    expect(values.applications.root?.source).toEqual({ repoURL: c.gitops.repoUrl, targetRevision: c.gitops.targetRevision, path: `gitops/apps/${env}` });
    expect(values.applications.root?.syncPolicy.automated).toEqual({ prune: true, selfHeal: true });
  });

  it("uses a dedicated project that only admits this repository, Argo CD's namespace and Application/AppProject kinds", () => {
    const values = valuesOf(releases("staging").find((r) => r.chart === "argocd-apps")) as AppsValues;
    expect(values.applications.root?.project).toBe(ROOT_PROJECT);
    expect(ROOT_PROJECT).not.toBe("default");
    const project = values.projects[ROOT_PROJECT];
    expect(project?.sourceRepos).toEqual(["https://github.com/example/infra"]);
    expect(project?.destinations).toEqual([{ server: "https://kubernetes.default.svc", namespace: "argocd" }]);
    expect(project?.namespaceResourceWhitelist).toEqual([
      { group: "argoproj.io", kind: "Application" },
      { group: "argoproj.io", kind: "AppProject" },
    ]);
    // Absent whitelist = no cluster-scoped resources at all.
    expect(project?.clusterResourceWhitelist).toBeUndefined();
  });

  it("installs the apps release after argo-cd, whose chart brings the CRDs", () => {
    const apps = releases("production").find((r) => r.chart === "argocd-apps");
    expect(apps?.depends_on).toEqual([expect.stringMatching(/^helm_release\.argocd_argo-cd_\w+$/)]);
    expect(synthesized.get("production")?.resource.kubernetes_manifest).toBeUndefined();
  });

  it("exports nothing and reads no secret: the initial admin password stays in the cluster", () => {
    for (const json of synthesized.values()) {
      expect(json.output).toBeUndefined();
      expect(json.data).toBeUndefined();
      expect(JSON.stringify(json)).not.toMatch(/argocdServerAdminPassword|initial-admin-secret/);
    }
  });
});

describe("argoCdChartValues", () => {
  type Values = {
    configs: { cm: Record<string, unknown>; rbac: Record<string, unknown>; secret?: unknown };
    controller: { replicas: number };
    server: { replicas: number; service: { type: string }; pdb: { enabled: boolean }; ingress: { enabled: boolean } };
    repoServer: { replicas: number; pdb: { enabled: boolean } };
    applicationSet: { replicas: number };
    dex: { enabled: boolean };
    "redis-ha"?: { enabled: boolean };
  } & Record<string, unknown>;
  const values = (env: string, over: Partial<ArgoCdProps> = {}) => {
    const p = { ...propsOf(config(env)), ...over };
    return argoCdChartValues({ serverExposure: p.serverExposure ?? "clusterIp", hostname: p.hostname, highAvailability: p.highAvailability ?? false, sso: p.sso ?? false }) as Values;
  };
  const staging = values("staging");
  const production = values("production");

  it("hardens both environments the same way", () => {
    for (const v of [staging, production]) {
      expect(v.server.service.type).toBe("ClusterIP");
      expect(v.server.ingress.enabled).toBe(false);
      expect(v.configs.rbac["policy.default"]).toBe("role:readonly");
      expect(v.configs.cm["users.anonymous.enabled"]).toBe(false);
      expect(v.configs.cm["exec.enabled"]).toBe(false);
      expect(v.configs.secret).toBeUndefined();
    }
  });

  it("runs production highly available and staging on single replicas", () => {
    expect(production["redis-ha"]).toEqual({ enabled: true });
    expect([production.server.replicas, production.repoServer.replicas, production.applicationSet.replicas]).toEqual([2, 2, 2]);
    expect(production.server.pdb.enabled).toBe(true);
    expect(production.repoServer.pdb.enabled).toBe(true);
    // One controller in both: extra replicas shard clusters, and each Argo CD manages one.
    expect(production.controller.replicas).toBe(1);
    expect(staging["redis-ha"]).toBeUndefined();
    expect([staging.server.replicas, staging.repoServer.replicas, staging.applicationSet.replicas]).toEqual([1, 1, 1]);
    expect(staging.server.pdb.enabled).toBe(false);
  });

  it("sets requests and a memory limit on every component", () => {
    for (const v of [staging, production]) {
      for (const component of ["controller", "server", "repoServer", "applicationSet", "notifications", "dex", "redis", "redisSecretInit"]) {
        const r = (v[component] as { resources?: { requests?: Record<string, string>; limits?: Record<string, string> } }).resources;
        expect({ component, cpu: r?.requests?.cpu, memory: r?.requests?.memory, limit: r?.limits?.memory }).toEqual({
          component,
          cpu: expect.stringMatching(/^\d+m$/),
          memory: expect.stringMatching(/^\d+Mi$/),
          limit: expect.stringMatching(/^\d+(Mi|Gi)$/),
        });
      }
    }
  });

  it("disables the local admin and runs Dex only when SSO is configured", () => {
    expect(staging.configs.cm["admin.enabled"]).toBe(true);
    expect(staging.dex.enabled).toBe(false);
    const sso = values("production", { sso: true });
    expect(sso.configs.cm["admin.enabled"]).toBe(false);
    expect(sso.dex.enabled).toBe(true);
  });

  it("exposes the server on an internal load balancer or an ingress only when asked", () => {
    const lb = values("staging", { serverExposure: "internalLoadBalancer" });
    expect(lb.server.service).toMatchObject({ type: "LoadBalancer", annotations: { "service.beta.kubernetes.io/aws-load-balancer-scheme": "internal" } });
    const ingress = values("staging", { serverExposure: "ingress", hostname: "argocd.example.org" });
    expect(ingress.server.ingress).toEqual({ enabled: true, hostname: "argocd.example.org", tls: true });
    expect(ingress.global).toMatchObject({ domain: "argocd.example.org" });
  });
});

// Helm ignores unknown keys, so a misspelt hardening key silently does nothing. These are the keys
// the values functions may set, each checked against the charts' default values.yaml (argo-cd 10.1.1,
// argocd-apps 2.0.5). A new key must be added here, after checking it in the chart.
const ARGO_CD_KEYS = [
  "global.domain",
  "global.logging.format",
  "configs.cm",
  "configs.rbac.policy.default",
  "controller.replicas",
  "controller.resources",
  "server.replicas",
  "server.pdb.enabled",
  "server.pdb.minAvailable",
  "server.service.type",
  "server.service.annotations",
  "server.ingress.enabled",
  "server.ingress.hostname",
  "server.ingress.tls",
  "server.resources",
  "repoServer.replicas",
  "repoServer.pdb.enabled",
  "repoServer.pdb.minAvailable",
  "repoServer.resources",
  "applicationSet.replicas",
  "applicationSet.pdb.enabled",
  "applicationSet.pdb.minAvailable",
  "applicationSet.resources",
  "notifications.resources",
  "dex.enabled",
  "dex.resources",
  "redis.resources",
  "redisSecretInit.resources",
  "redis-ha.enabled",
  "extraObjects",
];
// Maps whose contents are free-form (argocd-cm entries, annotations, resource quantities).
const FREE_FORM = ["configs.cm", "server.service.annotations", ".resources", "resources"];

/** Dotted key paths of a values object, stopping at free-form maps and at lists. */
function keyPaths(value: unknown, prefix = ""): string[] {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return [prefix];
  if (prefix && FREE_FORM.some((f) => (f.startsWith(".") ? prefix.endsWith(f) : prefix === f))) return [prefix];
  return Object.entries(value).flatMap(([k, v]) => keyPaths(v, prefix ? `${prefix}.${k}` : k));
}

describe("chart keys", () => {
  const variants = [
    ...configs.map((c) => propsOf(c)),
    { ...propsOf(config("staging")), sso: true, highAvailability: true, serverExposure: "ingress" as const, hostname: "a.example.org" },
    { ...propsOf(config("staging")), serverExposure: "internalLoadBalancer" as const },
  ];

  it("sets only argo-cd keys from the checked list", () => {
    for (const p of variants) {
      const v = argoCdChartValues({ serverExposure: p.serverExposure ?? "clusterIp", hostname: p.hostname, highAvailability: p.highAvailability ?? false, sso: p.sso ?? false });
      expect(keyPaths(v).filter((k) => !ARGO_CD_KEYS.includes(k))).toEqual([]);
    }
  });

  it("passes the repository credential's objects to argo-cd as extraObjects", () => {
    const extraObjects = repositorySecretObjects({ namespace: "argocd", repoUrl: "https://github.com/example/infra", region: "eu-north-1", secretName: "gitops/argocd-repo" });
    const v = argoCdChartValues({ serverExposure: "clusterIp", highAvailability: false, sso: false, extraObjects });
    expect(keyPaths(v).filter((k) => !ARGO_CD_KEYS.includes(k))).toEqual([]);
    expect(v.extraObjects).toEqual(extraObjects);
    expect(argoCdChartValues({ serverExposure: "clusterIp", highAvailability: false, sso: false })).not.toHaveProperty("extraObjects");
  });

  // Checked against the external-secrets chart's values.yaml (chart 2.0.0).
  const EXTERNAL_SECRETS_KEYS = [
    "installCRDs",
    "scopedNamespace",
    "scopedRBAC",
    "processClusterStore",
    "processClusterExternalSecret",
    "processClusterGenerator",
    "processClusterPushSecret",
    "processPushSecret",
    "serviceAccount.create",
    "serviceAccount.name",
    "resources",
  ];

  it("sets only external-secrets keys from the checked list", () => {
    expect(keyPaths(externalSecretsChartValues("argocd")).filter((k) => !EXTERNAL_SECRETS_KEYS.includes(k))).toEqual([]);
  });

  it("sets only argocd-apps keys the chart templates", () => {
    const v = argoCdAppsChartValues({ name: "root", namespace: "argocd", repoUrl: "https://github.com/example/infra", path: "gitops/apps/staging", targetRevision: "main" }) as AppsValues;
    const projectKeys = ["namespace", "finalizers", "description", "sourceRepos", "destinations", "namespaceResourceWhitelist"];
    const appKeys = ["namespace", "project", "finalizers", "source", "destination", "syncPolicy"];
    expect(Object.keys(v).sort()).toEqual(["applications", "projects"]);
    for (const p of Object.values(v.projects)) expect(Object.keys(p).filter((k) => !projectKeys.includes(k))).toEqual([]);
    for (const a of Object.values(v.applications)) expect(Object.keys(a).filter((k) => !appKeys.includes(k))).toEqual([]);
  });
});

describe("ArgoCd validation", () => {
  const base = propsOf(config("staging"));
  const make = (over: Partial<ArgoCdProps>) => () => new ArgoCd(new TerraformStack(Testing.app(), "test"), "argocd", { ...base, ...over });
  it.each([
    [{ chartVersion: "latest" }, 'ArgoCd: invalid prop chartVersion: expected a pinned version like 10.1.1, got "latest"'],
    [{ appsChartVersion: "^2.0.0" }, 'ArgoCd: invalid prop appsChartVersion: expected a pinned version like 2.0.5, got "^2.0.0"'],
    [{ appsPath: "../other" }, 'ArgoCd: invalid prop appsPath: expected a relative path inside the repository, got "../other"'],
    [{ repoUrl: "ftp://example.com/repo" }, 'ArgoCd: invalid prop repoUrl: expected a Git URL (https://, ssh:// or git@), got "ftp://example.com/repo"'],
    [{ targetRevision: " " }, 'ArgoCd: invalid prop targetRevision: expected a branch, tag or commit, got " "'],
    [{ serverExposure: "ingress" as const }, 'ArgoCd: invalid prop hostname: expected a host name when serverExposure is "ingress"'],
    [
      { repoCredentials: { region: "eu-north-1", secretName: "gitops/argocd-repo", externalSecretsChartVersion: "0.15.0" } },
      'ExternalSecretsOperator: invalid prop chartVersion: expected a pinned version 0.16.0 or newer (the external-secrets.io/v1 API), got "0.15.0"',
    ],
  ])("rejects %j", (over, message) => {
    expect(make(over)).toThrow(message);
  });
});

describe("external-secrets chart versions", () => {
  it.each([
    ["0.16.0", true],
    ["0.20.4", true],
    ["2.0.0", true],
    ["0.15.1", false],
    ["0.9.20", false],
    ["^2.0.0", false],
  ])("%s supports the external-secrets.io/v1 API: %s", (version, supported) => {
    expect(supportsExternalSecretsV1(version)).toBe(supported);
  });
});
