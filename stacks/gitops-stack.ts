// <env>-gitops: Argo CD on the environment's EKS cluster, and local-gitops: Argo CD on a kind or
// minikube cluster. Both hand everything else on the cluster to Argo CD (the pull pipeline).
import { HelmProvider } from "@cdktf/provider-helm/lib/provider";
import { KubernetesProvider } from "@cdktf/provider-kubernetes/lib/provider";
import { Fn, LocalBackend, TerraformOutput, TerraformStack } from "cdktf";
import type { Construct } from "constructs";
import type { AwsEnvironmentConfig, EnvironmentConfig, LocalEnvironmentConfig } from "../config/schema";
import { ArgoCd } from "../constructs/argocd";
import { addS3Backend } from "./backend";
import type { ClusterStack } from "./cluster-stack";

/**
 * Helm records each release (its values and rendered manifests) in the release's namespace: as Secrets
 * by default, as ConfigMaps with this driver. Every plan refreshes those records with the read-only
 * plan role, and ConfigMaps need only AmazonEKSViewPolicy, which excludes Secrets; so the plan role
 * can read no Secret on the cluster, not Argo CD's repository credential nor its admin password.
 * The records hold nothing the Terraform state does not (guardrail STATE001 keeps secrets out of both).
 * Changing the driver makes Helm forget existing releases: decide it before the first apply.
 * https://registry.terraform.io/providers/hashicorp/helm/latest/docs#helm_driver
 */
export const HELM_DRIVER = "configmap";

function addArgoCd(stack: TerraformStack, config: EnvironmentConfig): ArgoCd {
  const argocd = new ArgoCd(stack, "argocd", {
    chartVersion: config.gitops.argocdChartVersion,
    appsChartVersion: config.gitops.argocdAppsChartVersion,
    repoUrl: config.gitops.repoUrl,
    appsPath: config.gitops.path,
    targetRevision: config.gitops.targetRevision,
    serverExposure: config.gitops.serverExposure,
    hostname: config.gitops.hostname,
    highAvailability: config.gitops.highAvailability,
    sso: config.gitops.sso,
    // Refused at config load for local environments (no EKS Pod Identity there).
    repoCredentials:
      config.kind === "aws" && config.gitops.repoCredentials
        ? {
            region: config.aws.region,
            secretName: config.gitops.repoCredentials.secretName,
            externalSecretsChartVersion: config.gitops.repoCredentials.externalSecretsChartVersion,
          }
        : undefined,
  });
  // Only how to reach the UI: the initial admin password stays in its Secret, never in an output.
  new TerraformOutput(stack, "argocd_url", { value: argocd.accessHint });
  return argocd;
}

export class GitopsStack extends TerraformStack {
  readonly argocd: ArgoCd;

  constructor(scope: Construct, config: AwsEnvironmentConfig, cluster: ClusterStack) {
    super(scope, `${config.environment}-gitops`);
    addS3Backend(this, config, "gitops");

    // Endpoint, CA and name come from the cluster stack: CDKTF turns these into a remote-state
    // read and records the dependency in manifest.json, which the automation plans in order.
    const exec = {
      apiVersion: "client.authentication.k8s.io/v1beta1",
      command: "aws",
      args: ["eks", "get-token", "--cluster-name", cluster.eks.clusterName, "--region", cluster.region],
    };
    const connection = {
      host: cluster.eks.clusterEndpoint,
      clusterCaCertificate: Fn.base64decode(cluster.eks.clusterCertificateAuthority),
    };
    new KubernetesProvider(this, "kubernetes", { ...connection, exec: [exec] });
    new HelmProvider(this, "helm", { kubernetes: { ...connection, exec }, helmDriver: HELM_DRIVER });
    this.argocd = addArgoCd(this, config);
  }
}

export class LocalGitopsStack extends TerraformStack {
  readonly argocd: ArgoCd;

  constructor(scope: Construct, config: LocalEnvironmentConfig) {
    super(scope, `${config.environment}-gitops`);
    // Relative to the stack's working directory (cdktf.out/stacks/<stack>), so the state survives a
    // new synth and the synthesized JSON is the same in every checkout.
    new LocalBackend(this, { path: `../../../terraform.${config.environment}-gitops.tfstate` });
    const connection = { configPath: config.local.kubeconfigPath, configContext: config.local.kubeContext };
    new KubernetesProvider(this, "kubernetes", connection);
    new HelmProvider(this, "helm", { kubernetes: connection, helmDriver: HELM_DRIVER });
    this.argocd = addArgoCd(this, config);
  }
}
