// <env>-cluster: the network and the EKS cluster of one environment, state in S3.
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { Fn, TerraformOutput, TerraformStack } from "cdktf";
import type { Construct } from "constructs";
import type { AwsEnvironmentConfig } from "../config/schema";
import { RepoCredentialsAccess } from "../constructs/argocd/repo-credentials-access";
import { EksCluster } from "../constructs/eks-cluster";
import { Network } from "../constructs/network";
import { partitionOf } from "../constructs/partition";
import { addS3Backend } from "./backend";

export class ClusterStack extends TerraformStack {
  readonly network: Network;
  readonly eks: EksCluster;
  readonly region: string;

  constructor(scope: Construct, config: AwsEnvironmentConfig) {
    super(scope, `${config.environment}-cluster`);
    const name = `${config.environment}-cluster`;
    this.region = config.aws.region;

    new AwsProvider(this, "aws", {
      region: config.aws.region,
      allowedAccountIds: config.aws.allowedAccountIds,
      // Every taggable resource gets the environment's tags without each construct passing them on.
      defaultTags: [{ tags: { ...config.tags } }],
    });
    addS3Backend(this, config, "cluster");

    this.network = new Network(this, "network", {
      name: config.environment,
      cidr: config.network.cidr,
      availabilityZones: config.network.availabilityZones,
      natGateways: config.network.natGateways,
    });
    this.eks = new EksCluster(this, "eks", {
      clusterName: name,
      partition: partitionOf(config.aws.region),
      vpcId: this.network.vpcId,
      privateSubnetIds: this.network.privateSubnetIds,
      version: config.cluster.version,
      endpointPublicAccessCidrs: config.cluster.endpointPublicAccessCidrs,
      apiAccessFromCidrs: config.cluster.apiAccessFromCidrs,
      apiAccessFromSecurityGroupIds: config.cluster.apiAccessFromSecurityGroupIds,
      adminRoleArns: config.cluster.adminRoleArns,
      breakGlassAdminRoleArns: config.cluster.breakGlassAdminRoleArns,
      readerRoleArns: config.cluster.readerRoleArns,
      supportType: config.cluster.supportType,
      deletionProtection: config.cluster.deletionProtection,
      // On by default where an outage costs most; a config can say otherwise either way.
      zonalShift: config.cluster.zonalShift ?? config.environment === "production",
      addonVersions: config.cluster.addonVersions,
      nodeGroups: config.cluster.nodeGroups,
      tags: config.tags,
    });

    const repoCredentials = config.gitops.repoCredentials;
    if (repoCredentials) {
      // The role External Secrets Operator (installed by the gitops stack) reads the credential with.
      new RepoCredentialsAccess(this, "argocd-repo-credentials", {
        clusterName: this.eks.clusterName,
        partition: partitionOf(config.aws.region),
        region: config.aws.region,
        secretName: repoCredentials.secretName,
        kmsKeyArn: repoCredentials.kmsKeyArn,
      });
    }

    new TerraformOutput(this, "vpc_id", { value: this.network.vpcId });
    new TerraformOutput(this, "cluster_name", { value: this.eks.clusterName });
    new TerraformOutput(this, "cluster_endpoint", { value: this.eks.clusterEndpoint });
    new TerraformOutput(this, "kubeconfig", {
      value: kubeconfig(this.eks, config.aws.region),
      sensitive: true,
      description: "kubeconfig for the cluster; authenticates with `aws eks get-token`",
    });
  }
}

/** A kubeconfig that holds no secret of its own: credentials come from the caller's AWS identity. */
function kubeconfig(eks: EksCluster, region: string): string {
  return Fn.yamlencode({
    apiVersion: "v1",
    kind: "Config",
    "current-context": eks.clusterName,
    clusters: [{ name: eks.clusterName, cluster: { server: eks.clusterEndpoint, "certificate-authority-data": eks.clusterCertificateAuthority } }],
    contexts: [{ name: eks.clusterName, context: { cluster: eks.clusterName, user: eks.clusterName } }],
    users: [
      {
        name: eks.clusterName,
        user: {
          exec: {
            apiVersion: "client.authentication.k8s.io/v1beta1",
            command: "aws",
            args: ["eks", "get-token", "--cluster-name", eks.clusterName, "--region", region],
          },
        },
      },
    ],
  });
}

