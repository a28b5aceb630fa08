// VPC guardrails: flow logs on every VPC, a default security group with no rules, and no ingress
// from the whole internet except HTTP(S) to load balancers.
import type { DefaultSecurityGroup } from "@cdktf/provider-aws/lib/default-security-group";
import type { FlowLog } from "@cdktf/provider-aws/lib/flow-log";
import type { Lb } from "@cdktf/provider-aws/lib/lb";
import type { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import type { SecurityGroupRule } from "@cdktf/provider-aws/lib/security-group-rule";
import type { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import type { TerraformElement } from "cdktf";
import { elementKind, WORLD_CIDRS, type PolicyRule, type StackIndex, type Violation } from "../rule";

export const VPC001: PolicyRule = {
  id: "VPC001",
  title: "Every VPC has flow logs",
  severity: "error",
  checkov: ["CKV2_AWS_11"],
  appliesTo: ["aws_vpc"],
  check(vpc, { index }) {
    const logged = index.ofKind<FlowLog>("aws_flow_log").some((f) => index.refersTo(f.vpcIdInput, vpc));
    return logged ? [] : [{ problem: "the VPC has no flow log", fix: "add an aws_flow_log with vpcId of this VPC and trafficType ALL (Network does)" }];
  },
};

const SG_RULE_KINDS = ["aws_security_group_rule", "aws_vpc_security_group_ingress_rule", "aws_vpc_security_group_egress_rule"];

export const VPC002: PolicyRule = {
  id: "VPC002",
  title: "The default security group of every VPC allows no traffic",
  severity: "error",
  checkov: ["CKV2_AWS_12"],
  appliesTo: ["aws_vpc", "aws_default_security_group", ...SG_RULE_KINDS],
  check(element, { index }) {
    const kind = elementKind(element);
    if (kind === "aws_vpc") {
      const managed = index.ofKind<DefaultSecurityGroup>("aws_default_security_group").some((sg) => index.refersTo(sg.vpcIdInput, element));
      return managed
        ? []
        : [{ problem: "the VPC's default security group is left as AWS creates it (all traffic between members, all egress)", fix: "add an aws_default_security_group for this VPC with no ingress or egress rules" }];
    }
    if (kind === "aws_default_security_group") {
      const sg = element as DefaultSecurityGroup;
      const rules = [sg.ingressInput, sg.egressInput].filter((r) => !Array.isArray(r) ? r !== undefined : r.length > 0);
      return rules.length === 0 ? [] : [{ problem: "the default security group has rules", fix: "remove its ingress and egress blocks; put the traffic in a dedicated security group" }];
    }
    const target = (element as SecurityGroupRule | VpcSecurityGroupIngressRule).securityGroupIdInput;
    return index.referencedBy(target, "aws_default_security_group").length > 0
      ? [{ problem: "this rule opens the VPC's default security group", fix: "attach the rule to a dedicated security group instead" }]
      : [];
  },
};

interface IngressRule {
  readonly protocol?: string;
  readonly fromPort?: number;
  readonly toPort?: number;
  readonly cidrs: readonly string[];
}

/** HTTP and HTTPS may come from anywhere, but only to a load balancer. */
const LOAD_BALANCER_PORTS = [80, 443];

function isWebOnly(rule: IngressRule): boolean {
  const protocol = String(rule.protocol ?? "").toLowerCase();
  return (protocol === "tcp" || protocol === "6") && rule.fromPort === rule.toPort && LOAD_BALANCER_PORTS.includes(Number(rule.fromPort));
}

function isLoadBalancerGroup(sg: TerraformElement, index: StackIndex): boolean {
  return ["aws_lb", "aws_alb", "aws_elb"].some((kind) => index.ofKind<Lb>(kind).some((lb) => index.refersTo(lb.securityGroupsInput, sg)));
}

function ingressRules(element: TerraformElement): { group: unknown; rules: IngressRule[] } {
  const kind = elementKind(element);
  if (kind === "aws_security_group") {
    const sg = element as SecurityGroup;
    const blocks = Array.isArray(sg.ingressInput) ? sg.ingressInput : [];
    return {
      group: element,
      rules: blocks.map((b) => ({ protocol: b.protocol, fromPort: b.fromPort, toPort: b.toPort, cidrs: [...(b.cidrBlocks ?? []), ...(b.ipv6CidrBlocks ?? [])] })),
    };
  }
  if (kind === "aws_security_group_rule") {
    const r = element as SecurityGroupRule;
    if (r.typeInput !== "ingress") return { group: undefined, rules: [] };
    return {
      group: r.securityGroupIdInput,
      rules: [{ protocol: r.protocolInput, fromPort: r.fromPortInput, toPort: r.toPortInput, cidrs: [...(r.cidrBlocksInput ?? []), ...(r.ipv6CidrBlocksInput ?? [])] }],
    };
  }
  const r = element as VpcSecurityGroupIngressRule;
  const cidrs = [r.cidrIpv4Input, r.cidrIpv6Input].filter((c): c is string => typeof c === "string");
  return { group: r.securityGroupIdInput, rules: [{ protocol: r.ipProtocolInput, fromPort: r.fromPortInput, toPort: r.toPortInput, cidrs }] };
}

export const VPC003: PolicyRule = {
  id: "VPC003",
  title: "No security group ingress from 0.0.0.0/0 or ::/0, except 80/443 to load balancers",
  severity: "error",
  checkov: ["CKV_AWS_24", "CKV_AWS_25", "CKV_AWS_260"],
  appliesTo: ["aws_security_group", "aws_security_group_rule", "aws_vpc_security_group_ingress_rule"],
  check(element, { index }) {
    const { group, rules } = ingressRules(element);
    const sg = group === element ? element : index.referencedBy(group, "aws_security_group")[0];
    const toLoadBalancer = sg !== undefined && isLoadBalancerGroup(sg, index);
    const violations: Violation[] = [];
    for (const rule of rules) {
      const world = rule.cidrs.filter((c) => (WORLD_CIDRS as readonly string[]).includes(c));
      if (world.length === 0 || (toLoadBalancer && isWebOnly(rule))) continue;
      const ports = rule.protocol === "-1" || rule.protocol === "all" ? "all ports" : `ports ${rule.fromPort ?? "?"}-${rule.toPort ?? "?"}`;
      violations.push({
        problem: `ingress from ${world.join(", ")} to ${ports}${isWebOnly(rule) ? " on a group no load balancer uses" : ""}`,
        fix: "allow only known CIDRs or security groups; internet traffic goes through a load balancer on 80/443",
      });
    }
    return violations;
  },
};

export const NETWORK_RULES: readonly PolicyRule[] = [VPC001, VPC002, VPC003];
