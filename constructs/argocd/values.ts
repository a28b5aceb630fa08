// Chart values for argo-cd and argocd-apps, as pure functions of the construct's props. Every key set
// here exists in the charts' default values (argo-cd 10.1.1, argocd-apps 2.0.5): Helm silently ignores
// unknown keys, so a typo would be a hardening setting that never applies. The construct tests hold the
// list of keys relied on and check the output against it.

export type ServerExposure = "clusterIp" | "internalLoadBalancer" | "ingress";

export interface ArgoCdValuesProps {
  readonly serverExposure: ServerExposure;
  /** Host name of the UI, used for `global.domain` and the ingress. */
  readonly hostname?: string;
  readonly highAvailability: boolean;
  /** With SSO configured, the local admin user is disabled. */
  readonly sso: boolean;
  /** Extra manifests the release installs (the repository credential's ExternalSecret). */
  readonly extraObjects?: readonly Record<string, unknown>[];
}

type Resources = { requests: { cpu: string; memory: string }; limits: { memory: string } };

// Memory limits without CPU limits: CPU throttling hurts latency more than it protects neighbours.
const resources = (cpu: string, memory: string, memoryLimit: string): Resources => ({
  requests: { cpu, memory },
  limits: { memory: memoryLimit },
});

const INTERNAL_LB_ANNOTATIONS = {
  // AWS Load Balancer Controller: an internal NLB reachable only from inside the VPC.
  "service.beta.kubernetes.io/aws-load-balancer-type": "external",
  "service.beta.kubernetes.io/aws-load-balancer-scheme": "internal",
  "service.beta.kubernetes.io/aws-load-balancer-nlb-target-type": "ip",
};

function serverService(exposure: ServerExposure): Record<string, unknown> {
  if (exposure === "internalLoadBalancer") return { type: "LoadBalancer", annotations: INTERNAL_LB_ANNOTATIONS };
  return { type: "ClusterIP" };
}

/** The in-cluster API server, as Argo CD names the cluster it runs in. */
export const IN_CLUSTER = "https://kubernetes.default.svc";

/** Values for the argo-cd chart. */
export function argoCdChartValues(props: ArgoCdValuesProps): Record<string, unknown> {
  const ha = props.highAvailability;
  const replicas = ha ? 2 : 1;
  // With two replicas a node drain must leave one running; with one, a PDB would block the drain.
  const pdb = { enabled: ha, minAvailable: 1 };
  const values: Record<string, unknown> = {
    global: {
      ...(props.hostname ? { domain: props.hostname } : {}),
      // JSON logs: CloudWatch / Loki can query fields instead of grepping text.
      logging: { format: "json" },
    },
    configs: {
      cm: {
        // SSO users authenticate through the IdP; a shared local admin password is then only a risk.
        "admin.enabled": !props.sso,
        "users.anonymous.enabled": false,
        "exec.enabled": false,
        "statusbadge.enabled": false,
      },
      // Whoever logs in sees apps but cannot change them: changes go through Git.
      rbac: { "policy.default": "role:readonly" },
      // No configs.secret.argocdServerAdminPassword: a value here would land in Terraform state and
      // plans. Argo CD generates argocd-initial-admin-secret itself, and nothing in the stack reads it.
    },
    // The chart's HA guide keeps one controller: more replicas shard clusters, and there is only one.
    controller: { replicas: 1, resources: resources("250m", "512Mi", "1Gi") },
    server: {
      replicas,
      pdb,
      service: serverService(props.serverExposure),
      ingress:
        props.serverExposure === "ingress"
          ? { enabled: true, hostname: props.hostname ?? "", tls: true }
          : { enabled: false },
      resources: resources("50m", "128Mi", "256Mi"),
    },
    repoServer: { replicas, pdb, resources: resources("100m", "256Mi", "512Mi") },
    applicationSet: { replicas, pdb, resources: resources("50m", "64Mi", "256Mi") },
    notifications: { resources: resources("20m", "64Mi", "128Mi") },
    dex: { enabled: props.sso, resources: resources("20m", "64Mi", "128Mi") },
    redis: { resources: resources("50m", "64Mi", "256Mi") },
    redisSecretInit: { resources: resources("10m", "32Mi", "64Mi") },
  };
  if (props.extraObjects?.length) values.extraObjects = props.extraObjects;
  if (ha) {
    // The chart's documented HA setup: redis-ha replaces the single redis (it needs >= 3 nodes).
    values["redis-ha"] = { enabled: true };
  }
  return values;
}

/** Name of the AppProject the root Application belongs to (created by the same release). */
export const ROOT_PROJECT = "app-of-apps";

export interface RootApplicationProps {
  readonly name: string;
  /** Argo CD's namespace: the root app, its project and the child Applications live there. */
  readonly namespace: string;
  readonly repoUrl: string;
  readonly path: string;
  readonly targetRevision: string;
}

/**
 * Values for the argocd-apps chart: the root Application of the app-of-apps pattern and the
 * AppProject that confines it. The root app may only create Applications and AppProjects in Argo CD's
 * namespace, from this repository; what those children deploy is limited by the projects in Git.
 */
export function argoCdAppsChartValues(root: RootApplicationProps): Record<string, unknown> {
  return {
    projects: {
      [ROOT_PROJECT]: {
        namespace: root.namespace,
        // A project in use cannot be deleted out from under its applications.
        finalizers: ["resources-finalizer.argocd.argoproj.io"],
        description: "The root Application: Argo CD Applications and AppProjects from Git, nothing else",
        sourceRepos: [root.repoUrl],
        destinations: [{ server: IN_CLUSTER, namespace: root.namespace }],
        // No clusterResourceWhitelist: Argo CD then denies every cluster-scoped kind.
        namespaceResourceWhitelist: [
          { group: "argoproj.io", kind: "Application" },
          { group: "argoproj.io", kind: "AppProject" },
        ],
      },
    },
    applications: {
      [root.name]: {
        namespace: root.namespace,
        project: ROOT_PROJECT,
        // Deleting the root app deletes the children, and through their finalizers, their resources.
        finalizers: ["resources-finalizer.argocd.argoproj.io"],
        source: { repoURL: root.repoUrl, targetRevision: root.targetRevision, path: root.path },
        destination: { server: IN_CLUSTER, namespace: root.namespace },
        syncPolicy: {
          automated: { prune: true, selfHeal: true },
          retry: { limit: 5, backoff: { duration: "10s", factor: 2, maxDuration: "5m" } },
        },
      },
    },
  };
}
