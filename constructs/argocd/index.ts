// ArgoCd: installs Argo CD with Helm and hands the cluster's workloads to it through one root
// Application (app-of-apps) that points at this repository.
import { Release } from "@cdktf/provider-helm/lib/release";
import { NamespaceV1 } from "@cdktf/provider-kubernetes/lib/namespace-v1";
import { Construct } from "constructs";
import { PINNED_CHART_VERSION } from "../chart-version";
import { invalidProp } from "../errors";
import { argoCdAppsChartValues, argoCdChartValues, type ServerExposure } from "./values";
import { ARGOCD_DEFAULTS, type ArgoCdDefaults } from "./defaults";
import { ExternalSecretsOperator, repositorySecretObjects, type RepoCredentialsProps } from "./repo-credentials";

export { ARGOCD_DEFAULTS } from "./defaults";
export {
  EXTERNAL_SECRETS,
  externalSecretsChartValues,
  REPO_CREDENTIALS_NAME,
  repositorySecretObjects,
  supportsExternalSecretsV1,
  type RepoCredentialsProps,
} from "./repo-credentials";
export {
  argoCdAppsChartValues,
  argoCdChartValues,
  IN_CLUSTER,
  ROOT_PROJECT,
  type ArgoCdValuesProps,
  type RootApplicationProps,
  type ServerExposure,
} from "./values";

export interface ArgoCdProps {
  /** Pinned argo-cd chart version. */
  readonly chartVersion: string;
  /** Pinned argocd-apps chart version. */
  readonly appsChartVersion: string;
  /** Git repository Argo CD pulls the apps from. */
  readonly repoUrl: string;
  /** Directory of the environment's Application manifests, e.g. gitops/apps/staging. */
  readonly appsPath: string;
  /** Branch, tag or commit to follow. */
  readonly targetRevision: string;
  /** @default "argocd" */
  readonly namespace?: string;
  /** @default "clusterIp" */
  readonly serverExposure?: ServerExposure;
  readonly hostname?: string;
  /** @default false */
  readonly highAvailability?: boolean;
  /** SSO is configured: the local admin user is disabled and Dex runs. @default false */
  readonly sso?: boolean;
  /**
   * A private repository's credential, synced from AWS Secrets Manager by External Secrets Operator
   * (installed first). Unset: the repository is public, or its Secret is created by hand.
   */
  readonly repoCredentials?: RepoCredentialsProps;
}

export class ArgoCd extends Construct {
  readonly namespace: string;
  readonly release: Release;
  readonly appsRelease: Release;
  /** Set when the construct installs External Secrets Operator for the repository credential. */
  readonly externalSecrets?: ExternalSecretsOperator;
  /** Name of the root Application (app-of-apps) in Argo CD. */
  readonly rootApplicationName: string;
  /** How to reach the UI, for the stack's output. */
  readonly accessHint: string;

  constructor(scope: Construct, id: string, props: ArgoCdProps) {
    super(scope, id);
    const p = { ...ARGOCD_DEFAULTS, ...props };
    validate(p);

    const namespace = new NamespaceV1(this, "namespace", { metadata: { name: p.namespace } });
    this.namespace = namespace.metadata.name;
    const creds = p.repoCredentials;
    this.externalSecrets = creds
      ? new ExternalSecretsOperator(this, "external-secrets", {
          chartVersion: creds.externalSecretsChartVersion,
          argoCdNamespace: p.namespace,
          // Its RBAC is scoped to Argo CD's namespace, which must exist first.
          dependsOn: [namespace],
        })
      : undefined;
    const extraObjects = creds
      ? repositorySecretObjects({ namespace: p.namespace, repoUrl: p.repoUrl, region: creds.region, secretName: creds.secretName })
      : [];
    this.release = new Release(this, "argo-cd", {
      name: "argo-cd",
      namespace: this.namespace,
      repository: p.repository,
      chart: "argo-cd",
      version: p.chartVersion,
      values: [JSON.stringify(argoCdChartValues({ ...p, extraObjects }))],
      atomic: true,
      cleanupOnFail: true,
      timeout: 900,
      // ESO's CRDs must exist before Helm can map the ExternalSecret among Argo CD's extraObjects.
      dependsOn: this.externalSecrets ? [this.externalSecrets.release] : undefined,
    });
    this.rootApplicationName = p.rootApplicationName;
    // A second release, not kubernetes_manifest: the Application CRD does not exist when a fresh
    // cluster is planned, and Helm only needs it at apply time, after argo-cd installed it.
    this.appsRelease = new Release(this, "argocd-apps", {
      name: "argocd-apps",
      namespace: this.namespace,
      repository: p.repository,
      chart: "argocd-apps",
      version: p.appsChartVersion,
      values: [
        JSON.stringify(
          argoCdAppsChartValues({
            name: this.rootApplicationName,
            namespace: p.namespace,
            repoUrl: p.repoUrl,
            path: p.appsPath,
            targetRevision: p.targetRevision,
          }),
        ),
      ],
      dependsOn: [this.release],
    });
    this.accessHint =
      p.serverExposure === "ingress"
        ? `https://${p.hostname}`
        : p.serverExposure === "internalLoadBalancer"
          ? `internal load balancer: kubectl -n ${p.namespace} get svc argo-cd-argocd-server`
          : `kubectl -n ${p.namespace} port-forward svc/argo-cd-argocd-server 8080:443, then https://localhost:8080`;
  }
}

function validate(p: ArgoCdProps & ArgoCdDefaults): void {
  if (!PINNED_CHART_VERSION.test(p.chartVersion)) throw invalidProp("ArgoCd", "chartVersion", p.chartVersion, "a pinned version like 10.1.1");
  if (!PINNED_CHART_VERSION.test(p.appsChartVersion)) {
    throw invalidProp("ArgoCd", "appsChartVersion", p.appsChartVersion, "a pinned version like 2.0.5");
  }
  if (p.serverExposure === "ingress" && !p.hostname) throw invalidProp("ArgoCd", "hostname", p.hostname, 'a host name when serverExposure is "ingress"');
  if (!/^(https:\/\/|ssh:\/\/|git@)\S+$/.test(p.repoUrl)) {
    throw invalidProp("ArgoCd", "repoUrl", p.repoUrl, "a Git URL (https://, ssh:// or git@)");
  }
  if (p.targetRevision.trim() === "") throw invalidProp("ArgoCd", "targetRevision", p.targetRevision, "a branch, tag or commit");
  if (p.appsPath.startsWith("/") || p.appsPath.includes("..")) {
    throw invalidProp("ArgoCd", "appsPath", p.appsPath, "a relative path inside the repository");
  }
}
