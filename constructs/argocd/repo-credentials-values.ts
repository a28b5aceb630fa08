// The pure parts of a private repository's credentials (see repo-credentials.ts): names, chart values
// and the manifests Argo CD's release carries. Apart from the construct so the config loader and tests
// can use them without loading cdktf and the providers.
import { chartVersionAtLeast } from "../chart-version";

/** Where ESO runs and which service account EKS Pod Identity hands the AWS role to. */
export const EXTERNAL_SECRETS = {
  namespace: "external-secrets",
  serviceAccount: "external-secrets",
  repository: "https://charts.external-secrets.io",
  /** The `external-secrets.io/v1` API used below first shipped in ESO 0.16.0. */
  oldestChartVersion: "0.16.0",
} as const;

/** Secrets Manager's secret names: 1-512 of letters, digits and /_+=.@- (an ARN is not a name). */
export const SECRET_NAME = /^[\w/+=.@-]{1,512}$/;

/** Name of the SecretStore, the ExternalSecret and the Secret they produce, in Argo CD's namespace. */
export const REPO_CREDENTIALS_NAME = "repo-credentials";

export interface RepoCredentialsProps {
  /** AWS region of the Secrets Manager secret (the environment's region). */
  readonly region: string;
  /** Secrets Manager secret name; its JSON value holds Argo CD's repository fields (githubAppID, ...). */
  readonly secretName: string;
  /** Pinned external-secrets chart version, 0.16.0 or newer. */
  readonly externalSecretsChartVersion: string;
}

/**
 * The SecretStore and ExternalSecret that produce Argo CD's repository Secret, for the argo-cd chart's
 * `extraObjects` (installed after ESO, whose CRDs must exist first). Argo CD picks up any Secret labelled
 * `argocd.argoproj.io/secret-type: repository` in its namespace (declarative setup); `type` and `url`
 * come from here, every other key (githubAppID, githubAppInstallationID, githubAppPrivateKey, or
 * username and password) from the secret's JSON, merged in by ESO.
 * https://argo-cd.readthedocs.io/en/stable/operator-manual/declarative-setup/#repositories
 * https://external-secrets.io/latest/guides/templating/ (mergePolicy: Merge keeps the extracted keys)
 *
 * The chart passes extraObjects through Helm's `tpl`, so nothing here may contain `{{`: the template
 * data are plain strings, and the values come in through `dataFrom`, not a Go template.
 */
export function repositorySecretObjects(props: { namespace: string; repoUrl: string; region: string; secretName: string }): Record<string, unknown>[] {
  const metadata = { name: REPO_CREDENTIALS_NAME, namespace: props.namespace };
  return [
    {
      apiVersion: "external-secrets.io/v1",
      kind: "SecretStore",
      metadata,
      // No auth block: ESO uses its controller's credentials, which EKS Pod Identity provides.
      // https://external-secrets.io/latest/provider/aws-access/ ("Controller's Pod Identity")
      spec: { provider: { aws: { service: "SecretsManager", region: props.region } } },
    },
    {
      apiVersion: "external-secrets.io/v1",
      kind: "ExternalSecret",
      metadata,
      spec: {
        refreshInterval: "1h",
        secretStoreRef: { kind: "SecretStore", name: REPO_CREDENTIALS_NAME },
        target: {
          name: REPO_CREDENTIALS_NAME,
          creationPolicy: "Owner",
          template: {
            engineVersion: "v2",
            mergePolicy: "Merge",
            metadata: { labels: { "argocd.argoproj.io/secret-type": "repository" } },
            data: { type: "git", url: props.repoUrl },
          },
        },
        dataFrom: [{ extract: { key: props.secretName } }],
      },
    },
  ];
}

/**
 * Values for the external-secrets chart (keys checked against its values.yaml, chart 2.0.0). ESO is
 * confined to Argo CD's namespace: its controller role may read the repository credential, and a
 * SecretStore without an auth block uses that role, so a SecretStore in any other namespace could
 * otherwise read the credential too. With scopedNamespace + scopedRBAC it reconciles only there, and
 * cluster-wide stores are off.
 */
export function externalSecretsChartValues(argoCdNamespace: string): Record<string, unknown> {
  return {
    installCRDs: true,
    scopedNamespace: argoCdNamespace,
    scopedRBAC: true,
    processClusterStore: false,
    processClusterExternalSecret: false,
    processClusterGenerator: false,
    processClusterPushSecret: false,
    processPushSecret: false,
    serviceAccount: { create: true, name: EXTERNAL_SECRETS.serviceAccount },
    resources: { requests: { cpu: "10m", memory: "64Mi" }, limits: { memory: "256Mi" } },
  };
}

/** True when `version` is a pinned chart version at or after ESO's first `external-secrets.io/v1` release. */
export function supportsExternalSecretsV1(version: string): boolean {
  return chartVersionAtLeast(version, EXTERNAL_SECRETS.oldestChartVersion);
}
