// EksCluster: an EKS control plane with encrypted secrets, full control-plane logging and access
// entries (no aws-auth ConfigMap), managed node groups in private subnets, and the core add-ons.
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { EksAccessEntry } from "@cdktf/provider-aws/lib/eks-access-entry";
import { EksAccessPolicyAssociation, type EksAccessPolicyAssociationAccessScope } from "@cdktf/provider-aws/lib/eks-access-policy-association";
import { EksAddon } from "@cdktf/provider-aws/lib/eks-addon";
import { EksCluster as AwsEksCluster } from "@cdktf/provider-aws/lib/eks-cluster";
import { EksNodeGroup } from "@cdktf/provider-aws/lib/eks-node-group";
import { IamOpenidConnectProvider } from "@cdktf/provider-aws/lib/iam-openid-connect-provider";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { LaunchTemplate } from "@cdktf/provider-aws/lib/launch-template";
import type { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { invalidProp } from "../errors";
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
}

export interface EksClusterProps {
  readonly clusterName: string;
  readonly vpcId: string;
  /** Subnets for the control plane ENIs and the nodes; private, so nodes get no public IP. */
  readonly privateSubnetIds: readonly string[];
  /** Kubernetes minor version. @default LATEST_KUBERNETES_VERSION (the newest in EKS standard support) */
  readonly version?: string;
  /** CIDRs allowed to reach the public endpoint; empty turns the public endpoint off. @default [] */
  readonly endpointPublicAccessCidrs?: readonly string[];
  /** IAM roles that get cluster-admin through access entries. @default [] */
  readonly adminRoleArns?: readonly string[];
  /**
   * IAM roles that get read access: AmazonEKSViewPolicy cluster-wide (no Secrets), plus
   * AmazonEKSAdminViewPolicy (Secrets included) in `readerSecretsNamespace` only. @default []
   */
  readonly readerRoleArns?: readonly string[];
  /**
   * The one namespace where readers may also read Secrets: where Helm keeps the release state of the
   * gitops stack's helm_release resources, which a plan has to refresh. @default "argocd"
   */
  readonly readerSecretsNamespace?: string;
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
    "version" | "endpointPublicAccessCidrs" | "adminRoleArns" | "readerRoleArns" | "readerSecretsNamespace" | "logRetentionDays" | "tags"
  >
> &
  Required<Pick<NodeGroupProps, "diskSizeGiB" | "capacityType">>;

export const EKS_CLUSTER_DEFAULTS: EksClusterDefaults = {
  version: LATEST_KUBERNETES_VERSION,
  endpointPublicAccessCidrs: [],
  adminRoleArns: [],
  readerRoleArns: [],
  readerSecretsNamespace: "argocd",
  logRetentionDays: 365,
  tags: {},
  diskSizeGiB: 50,
  capacityType: "ON_DEMAND",
};

/** All five control-plane log types EKS offers. */
export const CONTROL_PLANE_LOG_TYPES = ["api", "audit", "authenticator", "controllerManager", "scheduler"] as const;

/** Managed add-ons installed on every cluster; versions float to EKS's default for the cluster version. */
export const CORE_ADDONS = ["vpc-cni", "kube-proxy", "coredns", "eks-pod-identity-agent", "aws-ebs-csi-driver"] as const;
type CoreAddon = (typeof CORE_ADDONS)[number];

const ACCESS_POLICY = {
  admin: "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy",
  // Everything but Secrets.
  view: "arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy",
  // Secrets too: only ever granted scoped to a namespace.
  adminView: "arn:aws:eks::aws:cluster-access-policy/AmazonEKSAdminViewPolicy",
} as const;

/** EC2 resources a node group's Auto Scaling group creates from the launch template. */
export const NODE_TAGGED_RESOURCE_TYPES = ["instance", "volume", "network-interface"] as const;

const managedPolicy = (name: string) => `arn:aws:iam::aws:policy/${name}`;

export class EksCluster extends Construct {
  readonly cluster: AwsEksCluster;
  readonly clusterName: string;
  readonly clusterEndpoint: string;
  readonly clusterCertificateAuthority: string;
  readonly clusterArn: string;
  readonly oidcProviderArn: string;
  readonly nodeGroups: EksNodeGroup[] = [];

  constructor(scope: Construct, id: string, props: EksClusterProps) {
    super(scope, id);
    const p = { ...EKS_CLUSTER_DEFAULTS, ...props };
    validate(p);

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
      enabledClusterLogTypes: [...CONTROL_PLANE_LOG_TYPES],
      encryptionConfig: { resources: ["secrets"], provider: { keyArn: secretsKey.arn } },
      dependsOn: [logGroup, ...clusterRole.attachments],
    });
    this.clusterName = this.cluster.name;
    this.clusterEndpoint = this.cluster.endpoint;
    this.clusterCertificateAuthority = this.cluster.certificateAuthority.get(0).data;
    this.clusterArn = this.cluster.arn;

    this.grantAdmins(p.adminRoleArns);
    this.grantReaders(p.readerRoleArns, p.readerSecretsNamespace);

    const nodeRole = this.serviceRole("node-role", "ec2.amazonaws.com", [
      "AmazonEKSWorkerNodePolicy",
      "AmazonEKS_CNI_Policy",
      "AmazonEC2ContainerRegistryReadOnly",
    ]);
    for (const [name, group] of Object.entries(p.nodeGroups)) {
      this.nodeGroups.push(this.addNodeGroup(name, group, nodeRole, p.privateSubnetIds, p.tags));
    }
    this.addCoreAddons();

    const oidc = new IamOpenidConnectProvider(this, "oidc-provider", {
      url: this.cluster.identity.get(0).oidc.get(0).issuer,
      clientIdList: ["sts.amazonaws.com"],
    });
    this.oidcProviderArn = oidc.arn;
  }

  private serviceRole(id: string, service: string, policies: readonly string[]) {
    const trust = new DataAwsIamPolicyDocument(this, `${id}-trust`, {
      statement: [{ actions: ["sts:AssumeRole"], principals: [{ type: "Service", identifiers: [service] }] }],
    });
    const role = new IamRole(this, id, { namePrefix: `${id}-`, assumeRolePolicy: trust.json });
    const attachments = policies.map(
      (name) => new IamRolePolicyAttachment(this, `${id}-${name}`, { role: role.name, policyArn: managedPolicy(name) }),
    );
    return { role, attachments };
  }

  private grantAdmins(roleArns: readonly string[]): void {
    roleArns.forEach((principalArn, i) => {
      const entry = new EksAccessEntry(this, `admin-${i}`, { clusterName: this.cluster.name, principalArn });
      this.associate(`admin-${i}-policy`, entry, ACCESS_POLICY.admin, { type: "cluster" });
    });
  }

  /**
   * Readers (the plan role) see everything but Secrets cluster-wide. Helm keeps release state in
   * Secrets, so a plan of helm_release needs them in the release namespace, and only there: a
   * cluster-wide AdminView would let every pull request's plan read every Secret in the cluster.
   */
  private grantReaders(roleArns: readonly string[], secretsNamespace: string): void {
    roleArns.forEach((principalArn, i) => {
      const entry = new EksAccessEntry(this, `reader-${i}`, { clusterName: this.cluster.name, principalArn });
      this.associate(`reader-${i}-policy`, entry, ACCESS_POLICY.view, { type: "cluster" });
      this.associate(`reader-${i}-secrets-policy`, entry, ACCESS_POLICY.adminView, { type: "namespace", namespaces: [secretsNamespace] });
    });
  }

  private associate(id: string, entry: EksAccessEntry, policyArn: string, accessScope: EksAccessPolicyAssociationAccessScope): void {
    new EksAccessPolicyAssociation(this, id, { clusterName: this.cluster.name, principalArn: entry.principalArn, policyArn, accessScope });
  }

  private addNodeGroup(
    name: string,
    group: NodeGroupProps,
    nodeRole: { role: IamRole; attachments: IamRolePolicyAttachment[] },
    subnetIds: readonly string[],
    tags: Readonly<Record<string, string>>,
  ): EksNodeGroup {
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
          deviceName: "/dev/xvda",
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
      nodeGroupName: name,
      nodeRoleArn: nodeRole.role.arn,
      subnetIds: [...subnetIds],
      instanceTypes: [...group.instanceTypes],
      capacityType: group.capacityType ?? EKS_CLUSTER_DEFAULTS.capacityType,
      scalingConfig: { minSize: group.minSize, desiredSize: group.desiredSize, maxSize: group.maxSize },
      updateConfig: { maxUnavailable: 1 },
      launchTemplate: { id: template.id, version: template.latestVersion.toString() },
      lifecycle: { ignoreChanges: ["scaling_config[0].desired_size"] },
      dependsOn: nodeRole.attachments,
    });
  }

  private addCoreAddons(): void {
    const ebsCsiTrust = new DataAwsIamPolicyDocument(this, "ebs-csi-trust", {
      statement: [
        {
          actions: ["sts:AssumeRole", "sts:TagSession"],
          principals: [{ type: "Service", identifiers: ["pods.eks.amazonaws.com"] }],
        },
      ],
    });
    const ebsCsiRole = new IamRole(this, "ebs-csi-role", { namePrefix: "ebs-csi-", assumeRolePolicy: ebsCsiTrust.json });
    new IamRolePolicyAttachment(this, "ebs-csi-policy", {
      role: ebsCsiRole.name,
      policyArn: managedPolicy("service-role/AmazonEBSCSIDriverPolicy"),
    });
    const addons: Partial<Record<CoreAddon, EksAddon>> = {};
    // coredns and the EBS CSI controller are Deployments: they need nodes to become healthy. The EBS
    // CSI controller gets its AWS credentials through a pod identity, which only the pod identity
    // agent hands out: without it the controller starts with no credentials and crash-loops.
    const dependencies = (addon: CoreAddon): ITerraformDependable[] | undefined => {
      if (addon === "coredns") return this.nodeGroups;
      if (addon !== "aws-ebs-csi-driver") return undefined;
      const agent = addons["eks-pod-identity-agent"];
      if (!agent) throw new Error("EksCluster: eks-pod-identity-agent must come before aws-ebs-csi-driver in CORE_ADDONS");
      return [...this.nodeGroups, agent];
    };
    for (const addon of CORE_ADDONS) {
      addons[addon] = new EksAddon(this, addon, {
        clusterName: this.cluster.name,
        addonName: addon,
        resolveConflictsOnCreate: "OVERWRITE",
        resolveConflictsOnUpdate: "PRESERVE",
        podIdentityAssociation:
          addon === "aws-ebs-csi-driver" ? [{ roleArn: ebsCsiRole.arn, serviceAccount: "ebs-csi-controller-sa" }] : undefined,
        dependsOn: dependencies(addon),
      });
    }
  }
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
  // A Kubernetes namespace name (RFC 1123 label).
  if (!/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(p.readerSecretsNamespace)) {
    throw invalidProp("EksCluster", "readerSecretsNamespace", p.readerSecretsNamespace, "a namespace name (lower-case letters, digits, -)");
  }
  if (Object.keys(p.nodeGroups).length === 0) throw invalidProp("EksCluster", "nodeGroups", p.nodeGroups, "at least one node group");
  for (const [name, g] of Object.entries(p.nodeGroups)) {
    if (!(g.minSize >= 1 && g.minSize <= g.desiredSize && g.desiredSize <= g.maxSize)) {
      throw invalidProp("EksCluster", `nodeGroups.${name}`, { minSize: g.minSize, desiredSize: g.desiredSize, maxSize: g.maxSize }, "1 <= minSize <= desiredSize <= maxSize");
    }
    if (g.instanceTypes.length === 0) throw invalidProp("EksCluster", `nodeGroups.${name}.instanceTypes`, g.instanceTypes, "at least one instance type");
  }
}
