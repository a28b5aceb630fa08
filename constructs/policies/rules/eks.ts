// EKS guardrails: encrypted secrets, full control-plane logs, a closed or narrow public endpoint, a
// supported Kubernetes version, nodes in private subnets, IMDSv2 on node launch templates.
import type { EksCluster } from "@cdktf/provider-aws/lib/eks-cluster";
import type { EksNodeGroup } from "@cdktf/provider-aws/lib/eks-node-group";
import type { LaunchTemplate } from "@cdktf/provider-aws/lib/launch-template";
import type { Route } from "@cdktf/provider-aws/lib/route";
import type { RouteTable } from "@cdktf/provider-aws/lib/route-table";
import type { RouteTableAssociation } from "@cdktf/provider-aws/lib/route-table-association";
import type { Subnet } from "@cdktf/provider-aws/lib/subnet";
import type { TerraformElement } from "cdktf";
import { CONTROL_PLANE_LOG_TYPES } from "../../eks-cluster";
import { isInStandardSupport, OLDEST_SUPPORTED_KUBERNETES_VERSION, SUPPORTED_KUBERNETES_VERSIONS } from "../kubernetes-versions";
import { elementKind, isUnresolved, path, WORLD_CIDRS, type PolicyRule, type StackIndex, type Violation } from "../rule";

/** Widest CIDR (fewest prefix bits) a production public endpoint may allow: a /24 of runner egress. */
export const PRODUCTION_MAX_ENDPOINT_PREFIX = 24;

function publicEndpoint(cluster: EksCluster): { enabled: boolean; cidrs: readonly string[] | undefined } {
  const vpc = cluster.vpcConfigInput;
  // AWS turns the public endpoint on, open to 0.0.0.0/0, unless told otherwise.
  const enabled = vpc?.endpointPublicAccess !== false;
  const cidrs = vpc?.publicAccessCidrs;
  return { enabled, cidrs: Array.isArray(cidrs) ? cidrs : undefined };
}

export const EKS001: PolicyRule = {
  id: "EKS001",
  title: "EKS secrets are encrypted with a KMS key",
  severity: "error",
  checkov: ["CKV_AWS_58"],
  appliesTo: ["aws_eks_cluster"],
  check(element) {
    const encryption = (element as EksCluster).encryptionConfigInput;
    if (isUnresolved(encryption)) return [];
    const ok = encryption?.resources?.includes("secrets") && encryption.provider?.keyArn;
    return ok
      ? []
      : [{ problem: "Kubernetes secrets are not envelope-encrypted with KMS", fix: 'set encryptionConfig { resources: ["secrets"], provider.keyArn } to a KMS key with rotation' }];
  },
};

export const EKS002: PolicyRule = {
  id: "EKS002",
  title: "EKS control plane logs every log type",
  severity: "error",
  checkov: ["CKV_AWS_37"],
  appliesTo: ["aws_eks_cluster"],
  check(element) {
    const enabled = (element as EksCluster).enabledClusterLogTypesInput ?? [];
    const missing = CONTROL_PLANE_LOG_TYPES.filter((t) => !enabled.includes(t));
    return missing.length === 0
      ? []
      : [{ problem: `control-plane log types ${missing.join(", ")} are off`, fix: `set enabledClusterLogTypes to ${CONTROL_PLANE_LOG_TYPES.join(", ")}` }];
  },
};

export const EKS003: PolicyRule = {
  id: "EKS003",
  title: "EKS public endpoint is not open to 0.0.0.0/0",
  severity: "error",
  checkov: ["CKV_AWS_38"],
  appliesTo: ["aws_eks_cluster"],
  check(element) {
    const { enabled, cidrs } = publicEndpoint(element as EksCluster);
    if (!enabled) return [];
    const open = cidrs === undefined || cidrs.length === 0 || cidrs.some((c) => (WORLD_CIDRS as readonly string[]).includes(c));
    return open
      ? [{
          problem: "the public API endpoint accepts the whole internet (no publicAccessCidrs means 0.0.0.0/0)",
          fix: "turn the public endpoint off (empty cluster.endpointPublicAccessCidrs) or list the CIDRs that need it",
        }]
      : [];
  },
};

export const EKS004: PolicyRule = {
  id: "EKS004",
  title: `EKS public endpoint is off or restricted to /${PRODUCTION_MAX_ENDPOINT_PREFIX} or narrower (error in production)`,
  severity: "warning",
  checkov: ["CKV_AWS_39"],
  appliesTo: ["aws_eks_cluster"],
  check(element, context) {
    const { enabled, cidrs } = publicEndpoint(element as EksCluster);
    // Open or missing CIDRs are EKS003's finding; this rule is about ranges that are merely wide.
    if (!enabled || !cidrs || cidrs.some((c) => (WORLD_CIDRS as readonly string[]).includes(c))) return [];
    const wide = cidrs.filter((c) => Number(c.split("/")[1]) < PRODUCTION_MAX_ENDPOINT_PREFIX);
    if (wide.length === 0) return [];
    return [{
      problem: `the public API endpoint allows wide ranges ${wide.join(", ")}`,
      fix: `turn the public endpoint off, or narrow cluster.endpointPublicAccessCidrs to /${PRODUCTION_MAX_ENDPOINT_PREFIX} or smaller`,
      severity: context.production ? "error" : "warning",
    }];
  },
};

export const EKS005: PolicyRule = {
  id: "EKS005",
  title: `Kubernetes version is in EKS standard support (${SUPPORTED_KUBERNETES_VERSIONS.join(", ")})`,
  severity: "error",
  checkov: [],
  appliesTo: ["aws_eks_cluster", "aws_eks_node_group"],
  check(element) {
    // Unset: EKS picks its current default (cluster) or the cluster's version (node group).
    const version = (element as EksCluster | EksNodeGroup).versionInput;
    if (version === undefined || isUnresolved(version) || isInStandardSupport(version)) return [];
    return [{
      problem: `Kubernetes ${version} is older than the oldest version in EKS standard support (${OLDEST_SUPPORTED_KUBERNETES_VERSION})`,
      fix: `upgrade to one of ${SUPPORTED_KUBERNETES_VERSIONS.join(", ")} (cluster.version in the config)`,
    }];
  },
};

/** Subnets whose traffic goes straight to an internet gateway, or that hand out public IPs. */
function isPublicSubnet(subnet: Subnet, index: StackIndex): boolean {
  if (subnet.mapPublicIpOnLaunchInput === true) return true;
  const tables = index
    .ofKind<RouteTableAssociation>("aws_route_table_association")
    .filter((a) => index.refersTo(a.subnetIdInput, subnet))
    .flatMap((a) => index.referencedBy(a.routeTableIdInput, "aws_route_table") as RouteTable[]);
  return tables.some((table) => {
    const inline = Array.isArray(table.routeInput) ? table.routeInput : [];
    const separate = index.ofKind<Route>("aws_route").filter((r) => index.refersTo(r.routeTableIdInput, table));
    const gateways = [...inline.map((r) => r.gatewayId), ...separate.map((r) => r.gatewayIdInput)];
    return gateways.some((g) => index.referencedBy(g, "aws_internet_gateway").length > 0);
  });
}

function launchTemplateOf(group: EksNodeGroup, index: StackIndex): LaunchTemplate | undefined {
  const ref = group.launchTemplateInput;
  return index.referencedBy([ref?.id, ref?.name], "aws_launch_template")[0] as LaunchTemplate | undefined;
}

export const EKS006: PolicyRule = {
  id: "EKS006",
  title: "EKS node groups run in private subnets without public IPs",
  severity: "error",
  checkov: [],
  appliesTo: ["aws_eks_node_group"],
  check(element, { index }) {
    const group = element as EksNodeGroup;
    const violations: Violation[] = [];
    const publicSubnets = (index.referencedBy(group.subnetIdsInput, "aws_subnet") as Subnet[]).filter((s) => isPublicSubnet(s, index));
    if (publicSubnets.length > 0) {
      violations.push({
        problem: `nodes are placed in public subnets ${publicSubnets.map(path).join(", ")}`,
        fix: "pass the private subnet ids (routed through NAT) as the node group's subnetIds",
      });
    }
    const template = launchTemplateOf(group, index);
    const interfaces = template && Array.isArray(template.networkInterfacesInput) ? template.networkInterfacesInput : [];
    if (interfaces.some((n) => String(n.associatePublicIpAddress) === "true")) {
      violations.push({
        problem: `launch template ${path(template as TerraformElement)} gives nodes public IPs`,
        fix: 'set networkInterfaces[].associatePublicIpAddress to "false"',
      });
    }
    return violations;
  },
};

export const EKS007: PolicyRule = {
  id: "EKS007",
  title: "Node launch templates require IMDSv2",
  severity: "error",
  checkov: ["CKV_AWS_79"],
  appliesTo: ["aws_launch_template", "aws_eks_node_group"],
  check(element, { index }) {
    if (elementKind(element) === "aws_eks_node_group") {
      return launchTemplateOf(element as EksNodeGroup, index)
        ? [] // the template itself is checked as aws_launch_template
        : [{ problem: "the node group has no launch template, so nothing enforces IMDSv2", fix: 'give it a launch template with metadataOptions.httpTokens "required"' }];
    }
    const tokens = (element as LaunchTemplate).metadataOptionsInput?.httpTokens;
    return tokens === "required"
      ? []
      : [{ problem: `instances accept IMDSv1 (httpTokens is ${tokens ?? "unset"})`, fix: 'set metadataOptions { httpTokens: "required", httpPutResponseHopLimit: 1 }' }];
  },
};

export const EKS008: PolicyRule = {
  id: "EKS008",
  title: "EKS clusters have deletion protection and stay on standard support (error in production)",
  severity: "warning",
  checkov: [],
  appliesTo: ["aws_eks_cluster"],
  check(element, context) {
    const cluster = element as EksCluster;
    const violations: Violation[] = [];
    const severity = context.production ? "error" : "warning";
    if (cluster.deletionProtectionInput !== true) {
      violations.push({ problem: "the cluster can be deleted by one API call (deletion_protection is off)", fix: "set cluster.deletionProtection: true", severity });
    }
    // No upgrade policy means EXTENDED: AWS moves the cluster onto paid extended support.
    const support = cluster.upgradePolicyInput?.supportType ?? "EXTENDED";
    if (!isUnresolved(support) && support !== "STANDARD") {
      violations.push({
        problem: "the cluster goes onto paid extended support when its version leaves standard support",
        fix: 'set cluster.supportType: STANDARD (and upgrade in time), or waive this rule with the reason',
        severity,
      });
    }
    return violations;
  },
};

export const EKS_RULES: readonly PolicyRule[] = [EKS001, EKS002, EKS003, EKS004, EKS005, EKS006, EKS007, EKS008];
