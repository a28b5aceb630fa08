import { resourcesOf, synthLocal, synthStacks } from "./helpers";

const staging = synthStacks("staging");
const production = synthStacks("production");
const local = synthLocal();

type Values = {
  server: { service: { type: string }; replicas: number };
  configs: { cm: Record<string, unknown>; rbac: Record<string, unknown> };
  "redis-ha"?: { enabled: boolean };
};

function argoValues(json: typeof staging.gitops): Values {
  const release = Object.values(resourcesOf(json, "helm_release")).find((r) => r.chart === "argo-cd");
  return JSON.parse((release?.values as string[])[0]!) as Values;
}

describe("<env>-gitops stack", () => {
  it("connects to the cluster through cross-stack references and aws eks get-token", () => {
    const [kubernetes] = staging.gitops.provider?.kubernetes ?? [];
    expect(kubernetes?.host).toMatch(/^\$\{data\.terraform_remote_state\.cross-stack-reference-input-staging-cluster\.outputs\./);
    expect(kubernetes?.exec).toEqual([
      expect.objectContaining({ command: "aws", args: expect.arrayContaining(["eks", "get-token", "--region", "eu-north-1"]) }),
    ]);
    const [helm] = staging.gitops.provider?.helm ?? [];
    expect((helm?.kubernetes as { exec: { command: string } }).exec.command).toBe("aws");
    expect(staging.gitops.terraform.backend?.s3).toMatchObject({ key: "staging/gitops.tfstate", use_lockfile: true });
  });

  it("installs the pinned argo-cd chart with the server not on a public load balancer", () => {
    const release = Object.values(resourcesOf(staging.gitops, "helm_release")).find((r) => r.chart === "argo-cd");
    expect(release).toMatchObject({ version: "10.1.1", repository: "https://argoproj.github.io/argo-helm" });
    expect(release?.namespace).toMatch(/^\$\{kubernetes_namespace_v1\.argocd_namespace_\w+\.metadata\[0\]\.name\}$/);
    expect(argoValues(staging.gitops).server.service.type).toBe("ClusterIP");
    expect(argoValues(staging.gitops).configs.rbac["policy.default"]).toBe("role:readonly");
    expect(argoValues(staging.gitops).configs.cm["users.anonymous.enabled"]).toBe(false);
  });

  it("runs Argo CD highly available in production only", () => {
    expect(argoValues(production.gitops)["redis-ha"]).toEqual({ enabled: true });
    expect(argoValues(production.gitops).server.replicas).toBe(2);
    expect(argoValues(staging.gitops)["redis-ha"]).toBeUndefined();
    expect(argoValues(staging.gitops).server.replicas).toBe(1);
  });

  it("points the app-of-apps root at the environment's path and revision", () => {
    const apps = Object.values(resourcesOf(staging.gitops, "helm_release")).find((r) => r.chart === "argocd-apps");
    expect(apps?.version).toBe("2.0.5");
    const values = JSON.parse((apps?.values as string[])[0]!) as { applications: Record<string, { source: unknown }> };
    expect(values.applications.root?.source).toEqual({
      repoURL: "https://github.com/example/infra",
      targetRevision: "main",
      path: "gitops/apps/staging",
    });
    expect(apps?.depends_on).toEqual([expect.stringMatching(/^helm_release\.argocd_argo-cd_/)]);
  });

  it("exports how to reach Argo CD, never a password", () => {
    expect(Object.keys(staging.gitops.output ?? {})).toEqual(["argocd_url"]);
    expect(staging.gitopsText).not.toMatch(/admin[-_.]?password|argocd-initial-admin-secret/i);
  });
});

describe("local-gitops stack", () => {
  it("uses the local kube context and a relative local state path", () => {
    expect(local.provider?.kubernetes?.[0]).toEqual({ config_path: "~/.kube/config", config_context: "kind-gitops" });
    const path = (local.terraform.backend?.local as { path: string }).path;
    expect(path).toBe("../../../terraform.local-gitops.tfstate");
    expect(Object.keys(local.provider ?? {}).sort()).toEqual(["helm", "kubernetes"]);
  });
});
