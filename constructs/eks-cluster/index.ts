// EksCluster: an EKS control plane with encrypted secrets, full control-plane logging and access
// entries (no aws-auth ConfigMap), managed node groups in private subnets, and the core add-ons.
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { EksAccessEntry } from "@cdktf/provider-aws/lib/eks-access-entry";
import { EksAccessPolicyAssociation, type EksAccessPolicyAssociationAccessScope } from "@cdktf/provider-aws/lib/eks-access-policy-association";
import { DataAwsEksAddonVersion } from "@cdktf/provider-aws/lib/data-aws-eks-addon-version";
import { EksAddon } from "@cdktf/provider-aws/lib/eks-addon";
import { EksCluster as AwsEksCluster } from "@cdktf/provider-aws/lib/eks-cluster";
import { EksNodeGroup } from "@cdktf/provider-aws/lib/eks-node-group";
import { IamOpenidConnectProvider } from "@cdktf/provider-aws/lib/iam-openid-connect-provider";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { LaunchTemplate } from "@cdktf/provider-aws/lib/launch-template";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import type { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { invalidProp } from "../errors";
import type { Partition } from "../partition";
import { amiArchitecture, type AmiType, instanceArchitecture, nodeVolumeDevice } from "./ami";

export { AMI_TYPES, amiArchitecture, type AmiType, instanceArchitecture, nodeVolumeDevice } from "./ami";
import { LATEST_KUBERNETES_VERSION } from "../policies/kubernetes-versions";

export interface NodeGroupProps {
  /** EC2 instance types; more than one helps SPOT capacity. */
  readonly instanceTypes: readonly string[];
  readonly minSize: number;
  /** Used at creation only: later changes are ignored so an autoscaler does not cause drift. */
  readonly desiredSize: number;
  readonly maxSize: number;
  /** Root volume size in GiB. @default 50 */
  readonly diskSizeGiB?: number;
  /** @default "ON_DEMAND" */
  readonly capacityType?: "ON_DEMAND" | "SPOT";
  /** AMI family; must match the instance types' architecture. @default "AL2023_x86_64_STANDARD" */
  readonly amiType?: AmiType;
}

export interface EksClusterProps {
  readonly clusterName: string;
  /** Partition of every ARN built here (see partitionOf). @default "aws" */
  readonly partition?: Partition;
  readonly vpcId: string;
  /** Subnets for the control plane ENIs and the nodes; private, so nodes get no public IP. */
  readonly privateSubnetIds: readonly string[];
  /** Kubernetes minor version. @default LATEST_KUBERNETES_VERSION (the newest in EKS standard support) */
  readonly version?: string;
  /** CIDRs allowed to reach the public endpoint; empty turns the public endpoint off. @default [] */
  readonly endpointPublicAccessCidrs?: readonly string[];
  /**
   * Networks inside the VPC or a peered one (self-hosted or CodeBuild runners) that may reach the
   * private endpoint: HTTPS ingress on the cluster security group, which otherwise admits only
   * itself. @default []
   */
  readonly apiAccessFromCidrs?: readonly string[];
  /** Security groups (e.g. the runners') that may reach the private endpoint, like apiAccessFromCidrs. @default [] */
  readonly apiAccessFromSecurityGroupIds?: readonly string[];
  /** IAM roles that get cluster-admin through access entries. @default [] */
  readonly adminRoleArns?: readonly string[];
  /**
   * Human administrator roles (SSO, break-glass) that also get cluster-admin, for when the pipeline
   * itself is broken. Kept apart from adminRoleArns so a review sees who is human. @default []
   */
  readonly breakGlassAdminRoleArns?: readonly string[];
  /**
   * What happens when the version leaves standard support: STANDARD upgrades the cluster
   * automatically, EXTENDED keeps it on paid extended support (six times the hourly price).
   * @default "STANDARD"
   */
  readonly supportType?: "STANDARD" | "EXTENDED";
  /** Refuse DeleteCluster while set (the provider's deletion_protection). @default true */
  readonly deletionProtection?: boolean;
  /** Let ARC zonal shift move traffic away from an impaired zone. @default false */
  readonly zonalShift?: boolean;
  /**
   * Add-on versions to pin, by add-on name; the others get the newest version EKS publishes for the
   * cluster's Kubernetes version, so an upgrade carries them along. @default {}
   */
  readonly addonVersions?: Readonly<Record<string, string>>;
  /**
   * IAM roles that get read access: AmazonEKSViewPolicy cluster-wide, which excludes Secrets. (The
   * gitops stacks keep Helm's release records in ConfigMaps, so a plan refreshes them without
   * reading any Secret.) @default []
   */
  readonly readerRoleArns?: readonly string[];
  readonly nodeGroups: Readonly<Record<string, NodeGroupProps>>;
  /** Days CloudWatch keeps control-plane logs. @default 365 */
  readonly logRetentionDays?: number;
  /**
   * Tags for the instances, volumes and network interfaces the node groups launch: the provider's
   * default_tags do not reach them, since the Auto Scaling group (not Terraform) creates them. @default {}
   */
  readonly tags?: Readonly<Record<string, string>>;
}

type EksClusterDefaults = Required<
  Pick<
    EksClusterProps,
    | "partition"
    | "version"
    | "endpointPublicAccessCidrs"
    | "apiAccessFromCidrs"
    | "apiAccessFromSecurityGroupIds"
    | "adminRoleArns"
    | "breakGlassAdminRoleArns"
    | "supportType"
    | "deletionProtection"
    | "zonalShift"
    | "addonVersions"
    | "readerRoleArns"
    | "logRetentionDays"
    | "tags"
  >
> &
  Required<Pick<NodeGroupProps, "diskSizeGiB" | "capacityType" | "amiType">>;

export const EKS_CLUSTER_DEFAULTS: EksClusterDefaults = {
  partition: "aws",
  version: LATEST_KUBERNETES_VERSION,
  endpointPublicAccessCidrs: [],
  apiAccessFromCidrs: [],
  apiAccessFromSecurityGroupIds: [],
  adminRoleArns: [],
  breakGlassAdminRoleArns: [],
  supportType: "STANDARD",
  deletionProtection: true,
  zonalShift: false,
  addonVersions: {},
  readerRoleArns: [],
  logRetentionDays: 365,
  tags: {},
  diskSizeGiB: 50,
  capacityType: "ON_DEMAND",
  amiType: "AL2023_x86_64_STANDARD",
};

/** Share of a node group's nodes that may be replaced at once during a rolling update. */
export const NODE_GROUP_MAX_UNAVAILABLE_PERCENTAGE = 33;

/** All five control-plane log types EKS offers. */
export const CONTROL_PLANE_LOG_TYPES = ["api", "audit", "authenticator", "controllerManager", "scheduler"] as const;

/**
 * Managed add-ons installed on every cluster, in creation order. The cluster is created without
 * EKS's self-managed networking add-ons (bootstrap_self_managed_addons = false, as
 * terraform-aws-modules/eks v21 does), so these are the only copies and Terraform owns them.
 */
export const CORE_ADDONS = ["eks-pod-identity-agent", "vpc-cni", "kube-proxy", "coredns", "aws-ebs-csi-driver"] as const;
type CoreAddon = (typeof CORE_ADDONS)[number];

/**
 * Add-ons created before the node groups (terraform-aws-modules/eks v21 `before_compute`): DaemonSets
 * that become ACTIVE without nodes, and without which a node never turns Ready (no pod network). The
 * rest are Deployments that need nodes to become healthy.
 */
export const BEFORE_COMPUTE_ADDONS: readonly CoreAddon[] = ["eks-pod-identity-agent", "vpc-cni", "kube-proxy"];

/** EKS access policies (the partition is filled in per cluster). */
const ACCESS_POLICY = {
  admin: "AmazonEKSClusterAdminPolicy",
  // Everything but Secrets.
  view: "AmazonEKSViewPolicy",
} as const;

/** EC2 resources a node group's Auto Scaling group creates from the launch template. */
export const NODE_TAGGED_RESOURCE_TYPES = ["instance", "volume", "network-interface"] as const;


export class EksCluster extends Construct {
  readonly cluster: AwsEksCluster;
  readonly clusterName: string;
  readonly clusterEndpoint: string;
  readonly clusterCertificateAuthority: string;
  readonly clusterArn: string;
  readonly oidcProviderArn: string;
  readonly nodeGroups: EksNodeGroup[] = [];
  private readonly partition: Partition;

  constructor(scope: Construct, id: string, props: EksClusterProps) {
    super(scope, id);
    const p = { ...EKS_CLUSTER_DEFAULTS, ...props };
    validate(p);
    this.partition = p.partition;

    const clusterRole = this.serviceRole("cluster-role", "eks.amazonaws.com", ["AmazonEKSClusterPolicy"]);
    const secretsKey = new KmsKey(this, "secrets-key", {
      description: `EKS secrets encryption for ${p.clusterName}`,
      enableKeyRotation: true,
      deletionWindowInDays: 30,
    });
    new KmsAlias(this, "secrets-key-alias", { name: `alias/eks/${p.clusterName}`, targetKeyId: secretsKey.keyId });
    // EKS writes to this exact name; creating it first lets us own its retention.
    const logGroup = new CloudwatchLogGroup(this, "control-plane-logs", {
      name: `/aws/eks/${p.clusterName}/cluster`,
      retentionInDays: p.logRetentionDays,
    });

    this.cluster = new AwsEksCluster(this, "cluster", {
      name: p.clusterName,
      version: p.version,
      roleArn: clusterRole.role.arn,
      vpcConfig: {
        subnetIds: [...p.privateSubnetIds],
        endpointPrivateAccess: true,
        endpointPublicAccess: p.endpointPublicAccessCidrs.length > 0,
        publicAccessCidrs: p.endpointPublicAccessCidrs.length > 0 ? [...p.endpointPublicAccessCidrs] : undefined,
      },
      accessConfig: { authenticationMode: "API", bootstrapClusterCreatorAdminPermissions: false },
      // Chosen at creation only (changing it replaces the cluster): no self-managed vpc-cni, kube-proxy
      // and coredns next to the managed add-ons below. terraform-aws-modules/eks v21 does the same.
      bootstrapSelfManagedAddons: false,
      // Without it, EKS moves a cluster whose version leaves standard support onto extended support.
      upgradePolicy: { supportType: p.supportType },
      deletionProtection: p.deletionProtection,
      zonalShiftConfig: { enabled: p.zonalShift },
      enabledClusterLogTypes: [...CONTROL_PLANE_LOG_TYPES],
      encryptionConfig: { resources: ["secrets"], provider: { keyArn: secretsKey.arn } },
      dependsOn: [logGroup, ...clusterRole.attachments],
    });
    this.clusterName = this.cluster.name;
    this.clusterEndpoint = this.cluster.endpoint;
    this.clusterCertificateAuthority = this.cluster.certificateAuthority.get(0).data;
    this.clusterArn = this.cluster.arn;

    this.allowApiAccess(p.apiAccessFromCidrs, p.apiAccessFromSecurityGroupIds);
    this.grantAdmins("admin", p.adminRoleArns);
    this.grantAdmins("break-glass", p.breakGlassAdminRoleArns);
    this.grantReaders(p.readerRoleArns);

    // The VPC CNI has a Pod Identity role of its own (below), so nodes do not carry
    // AmazonEKS_CNI_Policy for every pod that reaches their credentials. Pull-only ECR access.
    const nodeRole = this.serviceRole("node-role", "ec2.amazonaws.com", ["AmazonEKSWorkerNodePolicy", "AmazonEC2ContainerRegistryPullOnly"]);
    const addon = this.addonFactory(p.addonVersions);
    const beforeCompute = this.addBeforeComputeAddons(addon);
    for (const [name, group] of Object.entries(p.nodeGroups)) {
      this.nodeGroups.push(this.addNodeGroup(name, group, nodeRole, p.privateSubnetIds, p.tags, beforeCompute));
    }
    this.addAfterComputeAddons(addon, beforeCompute);

    const oidc = new IamOpenidConnectProvider(this, "oidc-provider", {
      url: this.cluster.identity.get(0).oidc.get(0).issuer,
      clientIdList: ["sts.amazonaws.com"],
    });
    this.oidcProviderArn = oidc.arn;
  }

  private managedPolicy(name: string): string {
    return `arn:${this.partition}:iam::aws:policy/${name}`;
  }

  private accessPolicy(name: string): string {
    return `arn:${this.partition}:eks::aws:cluster-access-policy/${name}`;
  }

  private serviceRole(id: string, service: string, policies: readonly string[]) {
    const trust = new DataAwsIamPolicyDocument(this, `${id}-trust`, {
      statement: [{ actions: ["sts:AssumeRole"], principals: [{ type: "Service", identifiers: [service] }] }],
    });
    const role = new IamRole(this, id, { namePrefix: `${id}-`, assumeRolePolicy: trust.json });
    const attachments = policies.map(
      (name) => new IamRolePolicyAttachment(this, `${id}-${name}`, { role: role.name, policyArn: this.managedPolicy(name) }),
    );
    return { role, attachments };
  }

  /** HTTPS to the API from runners in the VPC or a peered network (the endpoint's ENIs carry the cluster SG). */
  private allowApiAccess(cidrs: readonly string[], securityGroupIds: readonly string[]): void {
    const common = { securityGroupId: this.cluster.vpcConfig.clusterSecurityGroupId, ipProtocol: "tcp", fromPort: 443, toPort: 443 };
    cidrs.forEach((cidrIpv4, i) => {
      new VpcSecurityGroupIngressRule(this, `api-from-cidr-${i}`, { ...common, cidrIpv4, description: "Kubernetes API from runners" });
    });
    securityGroupIds.forEach((referencedSecurityGroupId, i) => {
      new VpcSecurityGroupIngressRule(this, `api-from-sg-${i}`, { ...common, referencedSecurityGroupId, description: "Kubernetes API from runners" });
    });
  }

  private grantAdmins(idPrefix: "admin" | "break-glass", roleArns: readonly string[]): void {
    roleArns.forEach((principalArn, i) => {
      const entry = new EksAccessEntry(this, `${idPrefix}-${i}`, { clusterName: this.cluster.name, principalArn });
      this.associate(`${idPrefix}-${i}-policy`, entry, ACCESS_POLICY.admin, { type: "cluster" });
    });
  }

  /**
   * Readers (the plan role) see everything but Secrets, cluster-wide. The gitops stacks keep Helm's
   * release records in ConfigMaps (stacks/gitops-stack.ts, HELM_DRIVER), so a plan of helm_release
   * needs no Secret either: no pull request's plan can read a Secret on the cluster.
   */
  private grantReaders(roleArns: readonly string[]): void {
    roleArns.forEach((principalArn, i) => {
      const entry = new EksAccessEntry(this, `reader-${i}`, { clusterName: this.cluster.name, principalArn });
      this.associate(`reader-${i}-policy`, entry, ACCESS_POLICY.view, { type: "cluster" });
    });
  }

  private associate(id: string, entry: EksAccessEntry, policy: string, accessScope: EksAccessPolicyAssociationAccessScope): void {
    new EksAccessPolicyAssociation(this, id, { clusterName: this.cluster.name, principalArn: entry.principalArn, policyArn: this.accessPolicy(policy), accessScope });
  }

  private addNodeGroup(
    name: string,
    group: NodeGroupProps,
    nodeRole: { role: IamRole; attachments: IamRolePolicyAttachment[] },
    subnetIds: readonly string[],
    tags: Readonly<Record<string, string>>,
    beforeCompute: readonly EksAddon[],
  ): EksNodeGroup {
    const amiType = group.amiType ?? EKS_CLUSTER_DEFAULTS.amiType;
    const template = new LaunchTemplate(this, `${name}-nodes`, {
      namePrefix: `${name}-`,
      updateDefaultVersion: true,
      // IMDSv2 only, and one hop, so pods cannot borrow the node's credentials.
      metadataOptions: { httpTokens: "required", httpEndpoint: "enabled", httpPutResponseHopLimit: 1 },
      networkInterfaces: [
        {
          associatePublicIpAddress: "false",
          deleteOnTermination: "true",
          // A template that describes the network interface takes over its security groups: EKS then no
          // longer attaches the cluster security group, and without it nodes cannot reach the control
          // plane (nor it the kubelets) and never join. So name it here explicitly.
          securityGroups: [this.cluster.vpcConfig.clusterSecurityGroupId],
        },
      ],
      // Instances, their volumes and ENIs are created by the Auto Scaling group, not by Terraform, so
      // the provider's default_tags never reach them.
      tagSpecifications:
        Object.keys(tags).length > 0
          ? NODE_TAGGED_RESOURCE_TYPES.map((resourceType) => ({ resourceType, tags: { ...tags } }))
          : undefined,
      blockDeviceMappings: [
        {
          deviceName: nodeVolumeDevice(amiType),
          ebs: {
            volumeSize: group.diskSizeGiB ?? EKS_CLUSTER_DEFAULTS.diskSizeGiB,
            volumeType: "gp3",
            encrypted: "true",
            deleteOnTermination: "true",
          },
        },
      ],
    });
    return new EksNodeGroup(this, `${name}-node-group`, {
      clusterName: this.cluster.name,
      // The provider replaces a node group when instance_types, capacity_type, subnet_ids, ami_type or
      // the node role change. A name prefix lets the new group exist next to the old one, and
      // create_before_destroy brings it up before the old group is drained and deleted, so a routine
      // change never leaves the cluster without nodes.
      // https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/eks_node_group
      nodeGroupNamePrefix: `${name}-`,
      nodeRoleArn: nodeRole.role.arn,
      subnetIds: [...subnetIds],
      instanceTypes: [...group.instanceTypes],
      capacityType: group.capacityType ?? EKS_CLUSTER_DEFAULTS.capacityType,
      amiType,
      // Follows the control plane: bumping cluster.version rolls the nodes onto that version's AMI
      // after the control plane is upgraded (Terraform orders it by this reference).
      version: this.cluster.version,
      scalingConfig: { minSize: group.minSize, desiredSize: group.desiredSize, maxSize: group.maxSize },
      updateConfig: { maxUnavailablePercentage: NODE_GROUP_MAX_UNAVAILABLE_PERCENTAGE },
      launchTemplate: { id: template.id, version: template.latestVersion.toString() },
      lifecycle: { createBeforeDestroy: true, ignoreChanges: ["scaling_config[0].desired_size"] },
      dependsOn: [...nodeRole.attachments, ...beforeCompute],
    });
  }

  /**
   * Creates one managed add-on at the pinned version, or else at the newest version EKS publishes for
   * the cluster's Kubernetes version (data "aws_eks_addon_version", most_recent): bumping
   * cluster.version then upgrades every add-on in the same plan, after the control plane.
   */
  private addonFactory(pins: Readonly<Record<string, string>>) {
    return (name: CoreAddon, options: { podIdentity?: { roleArn: string; serviceAccount: string }; dependsOn?: ITerraformDependable[] } = {}) => {
      const pinned = pins[name];
      const version =
        pinned ??
        new DataAwsEksAddonVersion(this, `${name}-version`, { addonName: name, kubernetesVersion: this.cluster.version, mostRecent: true }).version;
      return new EksAddon(this, name, {
        clusterName: this.cluster.name,
        addonName: name,
        addonVersion: version,
        resolveConflictsOnCreate: "OVERWRITE",
        resolveConflictsOnUpdate: "PRESERVE",
        podIdentityAssociation: options.podIdentity ? [options.podIdentity] : undefined,
        dependsOn: options.dependsOn,
      });
    };
  }

  /** A role that EKS Pod Identity hands to one add-on's service account. */
  private podIdentityRole(id: string, policy: string): IamRole {
    const role = new IamRole(this, `${id}-role`, { namePrefix: `${id}-`, assumeRolePolicy: podIdentityTrust(this, `${id}-trust`).json });
    new IamRolePolicyAttachment(this, `${id}-policy`, { role: role.name, policyArn: this.managedPolicy(policy) });
    return role;
  }

  private addBeforeComputeAddons(addon: ReturnType<EksCluster["addonFactory"]>): EksAddon[] {
    const agent = addon("eks-pod-identity-agent");
    // The VPC CNI supports EKS Pod Identity: its aws-node service account gets AmazonEKS_CNI_Policy
    // through the agent (a hostNetwork DaemonSet, so it runs before any pod network exists).
    // https://docs.aws.amazon.com/eks/latest/userguide/cni-iam-role.html
    const cniRole = this.podIdentityRole("vpc-cni", "AmazonEKS_CNI_Policy");
    const cni = addon("vpc-cni", { podIdentity: { roleArn: cniRole.arn, serviceAccount: "aws-node" }, dependsOn: [agent] });
    const proxy = addon("kube-proxy");
    return [agent, cni, proxy];
  }

  private addAfterComputeAddons(addon: ReturnType<EksCluster["addonFactory"]>, beforeCompute: readonly EksAddon[]): void {
    // coredns and the EBS CSI controller are Deployments: they need nodes to become healthy. The EBS
    // CSI controller gets its AWS credentials through a pod identity, which only the pod identity
    // agent (created before the nodes) hands out.
    addon("coredns", { dependsOn: this.nodeGroups });
    const ebsCsiRole = this.podIdentityRole("ebs-csi", "service-role/AmazonEBSCSIDriverPolicy");
    addon("aws-ebs-csi-driver", { podIdentity: { roleArn: ebsCsiRole.arn, serviceAccount: "ebs-csi-controller-sa" }, dependsOn: [...this.nodeGroups, ...beforeCompute] });
  }
}

/** The trust policy of a role that EKS Pod Identity hands to a service account. */
export function podIdentityTrust(scope: Construct, id: string): DataAwsIamPolicyDocument {
  return new DataAwsIamPolicyDocument(scope, id, {
    statement: [{ actions: ["sts:AssumeRole", "sts:TagSession"], principals: [{ type: "Service", identifiers: ["pods.eks.amazonaws.com"] }] }],
  });
}

function validate(p: EksClusterProps & EksClusterDefaults): void {
  if (!/^[a-zA-Z0-9][a-zA-Z0-9_-]{0,99}$/.test(p.clusterName)) {
    throw invalidProp("EksCluster", "clusterName", p.clusterName, "1-100 letters, digits, - or _");
  }
  if (!/^1\.\d{2}$/.test(p.version)) throw invalidProp("EksCluster", "version", p.version, 'a version like "1.35"');
  if (p.privateSubnetIds.length < 2) {
    throw invalidProp("EksCluster", "privateSubnetIds", p.privateSubnetIds, "at least two subnets in different zones");
  }
  if (p.endpointPublicAccessCidrs.some((c) => c === "0.0.0.0/0")) {
    throw invalidProp("EksCluster", "endpointPublicAccessCidrs", p.endpointPublicAccessCidrs, "CIDRs narrower than 0.0.0.0/0");
  }
  if (Object.keys(p.nodeGroups).length === 0) throw invalidProp("EksCluster", "nodeGroups", p.nodeGroups, "at least one node group");
  for (const [name, g] of Object.entries(p.nodeGroups)) {
    if (!(g.minSize >= 1 && g.minSize <= g.desiredSize && g.desiredSize <= g.maxSize)) {
      throw invalidProp("EksCluster", `nodeGroups.${name}`, { minSize: g.minSize, desiredSize: g.desiredSize, maxSize: g.maxSize }, "1 <= minSize <= desiredSize <= maxSize");
    }
    if (g.instanceTypes.length === 0) throw invalidProp("EksCluster", `nodeGroups.${name}.instanceTypes`, g.instanceTypes, "at least one instance type");
    const amiType = g.amiType ?? EKS_CLUSTER_DEFAULTS.amiType;
    const mismatched = g.instanceTypes.filter((t) => instanceArchitecture(t) !== amiArchitecture(amiType));
    if (mismatched.length > 0) {
      throw invalidProp("EksCluster", `nodeGroups.${name}.instanceTypes`, mismatched, `${amiArchitecture(amiType)} instance types for amiType ${amiType}`);
    }
  }
}
