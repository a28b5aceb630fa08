// Chart values for argo-cd and argocd-apps, as pure functions of the construct's props. Every key set
// here exists in the charts' default values (argo-cd 10.1.1, argocd-apps 2.0.5): Helm silently ignores
// unknown keys, so a typo would be a hardening setting that never applies.

export type ServerExposure = "clusterIp" | "internalLoadBalancer" | "ingress";

export interface ArgoCdValuesProps {
  readonly serverExposure: ServerExposure;
  /** Host name of the UI, used for `global.domain` and the ingress. */
  readonly hostname?: string;
  readonly highAvailability: boolean;
  /** With SSO configured, the local admin user is disabled. */
  readonly sso: boolean;
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

/** Values for the argo-cd chart. */
export function argoCdChartValues(props: ArgoCdValuesProps): Record<string, unknown> {
  const ha = props.highAvailability;
  const replicas = ha ? 2 : 1;
  const values: Record<string, unknown> = {
    global: props.hostname ? { domain: props.hostname } : {},
    configs: {
      cm: {
        "admin.enabled": !props.sso,
        "users.anonymous.enabled": false,
        "exec.enabled": false,
      },
      rbac: { "policy.default": "role:readonly" },
    },
    controller: { replicas: 1, resources: resources("250m", "512Mi", "1Gi") },
    server: {
      replicas,
      service: serverService(props.serverExposure),
      ingress:
        props.serverExposure === "ingress"
          ? { enabled: true, hostname: props.hostname ?? "", tls: true }
          : { enabled: false },
      resources: resources("50m", "128Mi", "256Mi"),
    },
    repoServer: { replicas, resources: resources("100m", "256Mi", "512Mi") },
    applicationSet: { replicas, resources: resources("50m", "64Mi", "256Mi") },
    notifications: { resources: resources("20m", "64Mi", "128Mi") },
    dex: { enabled: props.sso, resources: resources("20m", "64Mi", "128Mi") },
    redis: { resources: resources("50m", "64Mi", "256Mi") },
  };
  if (ha) {
    // The chart's documented HA setup: redis-ha replaces the single redis (it needs >= 3 nodes).
    values["redis-ha"] = { enabled: true };
  }
  return values;
}

export interface RootApplicationProps {
  readonly name: string;
  readonly namespace: string;
  readonly repoUrl: string;
  readonly path: string;
  readonly targetRevision: string;
}

/** Values for the argocd-apps chart: the one root Application of the app-of-apps pattern. */
export function argoCdAppsChartValues(root: RootApplicationProps): Record<string, unknown> {
  return {
    applications: {
      [root.name]: {
        namespace: root.namespace,
        project: "default",
        finalizers: ["resources-finalizer.argocd.argoproj.io"],
        source: { repoURL: root.repoUrl, targetRevision: root.targetRevision, path: root.path },
        destination: { server: "https://kubernetes.default.svc", namespace: root.namespace },
        syncPolicy: {
          automated: { prune: true, selfHeal: true },
          retry: { limit: 5, backoff: { duration: "10s", factor: 2, maxDuration: "5m" } },
        },
      },
    },
  };
}
