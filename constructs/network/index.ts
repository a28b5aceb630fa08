// Network: a VPC laid out for EKS — public subnets for load balancers, private subnets for nodes and
// pods, NAT for egress, flow logs to CloudWatch and a default security group with no rules.
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { DataAwsAvailabilityZones } from "@cdktf/provider-aws/lib/data-aws-availability-zones";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { DefaultSecurityGroup } from "@cdktf/provider-aws/lib/default-security-group";
import { Eip } from "@cdktf/provider-aws/lib/eip";
import { FlowLog } from "@cdktf/provider-aws/lib/flow-log";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { InternetGateway } from "@cdktf/provider-aws/lib/internet-gateway";
import { NatGateway } from "@cdktf/provider-aws/lib/nat-gateway";
import { RouteTable } from "@cdktf/provider-aws/lib/route-table";
import { RouteTableAssociation } from "@cdktf/provider-aws/lib/route-table-association";
import { Subnet } from "@cdktf/provider-aws/lib/subnet";
import { Vpc } from "@cdktf/provider-aws/lib/vpc";
import { Fn } from "cdktf";
import { Construct } from "constructs";
import { invalidProp } from "../errors";
import { cidrSubnet, isValidIpv4Cidr } from "./cidr";

export type NatGatewayMode = "single" | "perAz";

export interface NetworkProps {
  /** Name prefix for Name tags and the flow log group. */
  readonly name: string;
  /** IPv4 CIDR of the VPC, prefix /16 to /20. @default "10.0.0.0/16" */
  readonly cidr?: string;
  /** Availability zones to spread subnets over, 2..6. @default 3 */
  readonly availabilityZones?: number;
  /** One NAT gateway for the VPC (cheaper), or one per zone (survives a zone outage). @default "single" */
  readonly natGateways?: NatGatewayMode;
  /** Days CloudWatch keeps flow logs. @default 365 */
  readonly flowLogRetentionDays?: number;
}

export const NETWORK_DEFAULTS: Required<Omit<NetworkProps, "name">> = {
  cidr: "10.0.0.0/16",
  availabilityZones: 3,
  natGateways: "single",
  flowLogRetentionDays: 365,
};

/**
 * Subnet plan: the VPC is cut into eighths; private subnets take one eighth each (pods get VPC IPs
 * with the VPC CNI, so they need room), the public subnets share the last eighth.
 */
export function planSubnets(cidr: string, zones: number): { publicCidrs: string[]; privateCidrs: string[] } {
  const lastEighth = cidrSubnet(cidr, 3, 7);
  return {
    privateCidrs: Array.from({ length: zones }, (_, i) => cidrSubnet(cidr, 3, i)),
    publicCidrs: Array.from({ length: zones }, (_, i) => cidrSubnet(lastEighth, 3, i)),
  };
}

export class Network extends Construct {
  readonly vpc: Vpc;
  readonly vpcId: string;
  readonly publicSubnetIds: string[];
  readonly privateSubnetIds: string[];
  readonly natGatewayCount: number;

  constructor(scope: Construct, id: string, props: NetworkProps) {
    super(scope, id);
    const p = { ...NETWORK_DEFAULTS, ...props };
    validate(p);
    const { publicCidrs, privateCidrs } = planSubnets(p.cidr, p.availabilityZones);

    this.vpc = new Vpc(this, "vpc", {
      cidrBlock: p.cidr,
      enableDnsHostnames: true,
      enableDnsSupport: true,
      tags: { Name: p.name },
    });
    this.vpcId = this.vpc.id;

    // Without rules, the default security group denies everything (CKV2_AWS_12); nothing should use it.
    new DefaultSecurityGroup(this, "default-sg", { vpcId: this.vpc.id, tags: { Name: `${p.name}-default-closed` } });

    const zones = new DataAwsAvailabilityZones(this, "zones", {
      state: "available",
      filter: [{ name: "opt-in-status", values: ["opt-in-not-required"] }],
      // element() wraps around: without this check, asking for more zones than the region has would
      // silently put two subnets of a tier in one zone. The plan fails instead, saying why.
      lifecycle: {
        postcondition: [
          {
            condition: `\${length(self.names) >= ${p.availabilityZones}}`,
            errorMessage: `network.availabilityZones is ${p.availabilityZones}, but this region has fewer available zones (no opt-in needed): lower availabilityZones.`,
          },
        ],
      },
    });
    const zoneName = (i: number) => Fn.element(zones.names, i);

    const igw = new InternetGateway(this, "igw", { vpcId: this.vpc.id, tags: { Name: p.name } });
    const publicRoutes = new RouteTable(this, "public-rt", {
      vpcId: this.vpc.id,
      route: [{ cidrBlock: "0.0.0.0/0", gatewayId: igw.id }],
      tags: { Name: `${p.name}-public` },
    });

    const publicSubnets = publicCidrs.map((cidrBlock, i) => {
      const subnet = new Subnet(this, `public-${i}`, {
        vpcId: this.vpc.id,
        cidrBlock,
        availabilityZone: zoneName(i),
        mapPublicIpOnLaunch: false,
        tags: { Name: `${p.name}-public-${i}`, "kubernetes.io/role/elb": "1" },
      });
      new RouteTableAssociation(this, `public-${i}-rt`, { subnetId: subnet.id, routeTableId: publicRoutes.id });
      return subnet;
    });

    this.natGatewayCount = p.natGateways === "perAz" ? p.availabilityZones : 1;
    const natGateways = Array.from({ length: this.natGatewayCount }, (_, i) => {
      const eip = new Eip(this, `nat-${i}-eip`, { domain: "vpc", tags: { Name: `${p.name}-nat-${i}` } });
      return new NatGateway(this, `nat-${i}`, {
        allocationId: eip.allocationId,
        subnetId: publicSubnets[i]!.id,
        tags: { Name: `${p.name}-nat-${i}` },
        dependsOn: [igw],
      });
    });

    const privateSubnets = privateCidrs.map((cidrBlock, i) => {
      const subnet = new Subnet(this, `private-${i}`, {
        vpcId: this.vpc.id,
        cidrBlock,
        availabilityZone: zoneName(i),
        tags: { Name: `${p.name}-private-${i}`, "kubernetes.io/role/internal-elb": "1" },
      });
      const nat = natGateways[p.natGateways === "perAz" ? i : 0]!;
      const routes = new RouteTable(this, `private-${i}-rt`, {
        vpcId: this.vpc.id,
        route: [{ cidrBlock: "0.0.0.0/0", natGatewayId: nat.id }],
        tags: { Name: `${p.name}-private-${i}` },
      });
      new RouteTableAssociation(this, `private-${i}-rta`, { subnetId: subnet.id, routeTableId: routes.id });
      return subnet;
    });

    this.publicSubnetIds = publicSubnets.map((s) => s.id);
    this.privateSubnetIds = privateSubnets.map((s) => s.id);
    this.addFlowLogs(p.name, p.flowLogRetentionDays);
  }

  private addFlowLogs(name: string, retentionInDays: number): void {
    const logGroup = new CloudwatchLogGroup(this, "flow-logs", {
      name: `/vpc/${name}/flow-logs`,
      retentionInDays,
    });
    const trust = new DataAwsIamPolicyDocument(this, "flow-logs-trust", {
      statement: [
        {
          actions: ["sts:AssumeRole"],
          principals: [{ type: "Service", identifiers: ["vpc-flow-logs.amazonaws.com"] }],
        },
      ],
    });
    const role = new IamRole(this, "flow-logs-role", { namePrefix: `${name}-flow-logs-`, assumeRolePolicy: trust.json });
    const write = new DataAwsIamPolicyDocument(this, "flow-logs-write", {
      statement: [
        {
          actions: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
          resources: [logGroup.arn, `${logGroup.arn}:*`],
        },
      ],
    });
    new IamRolePolicy(this, "flow-logs-policy", { role: role.id, policy: write.json });
    new FlowLog(this, "flow-log", {
      vpcId: this.vpc.id,
      trafficType: "ALL",
      logDestinationType: "cloud-watch-logs",
      logDestination: logGroup.arn,
      iamRoleArn: role.arn,
      maxAggregationInterval: 60,
    });
  }
}

function validate(p: Required<NetworkProps>): void {
  if (!/^[a-z][a-z0-9-]{0,40}$/.test(p.name)) throw invalidProp("Network", "name", p.name, "lowercase letters, digits and -");
  if (!isValidIpv4Cidr(p.cidr)) throw invalidProp("Network", "cidr", p.cidr, "an aligned IPv4 CIDR like 10.0.0.0/16");
  const prefix = Number(p.cidr.split("/")[1]);
  if (prefix < 16 || prefix > 20) throw invalidProp("Network", "cidr", p.cidr, "a prefix length from /16 to /20");
  if (!Number.isInteger(p.availabilityZones) || p.availabilityZones < 2 || p.availabilityZones > 6) {
    throw invalidProp("Network", "availabilityZones", p.availabilityZones, "an integer from 2 to 6");
  }
  if (p.natGateways !== "single" && p.natGateways !== "perAz") {
    throw invalidProp("Network", "natGateways", p.natGateways, '"single" or "perAz"');
  }
  if (!Number.isInteger(p.flowLogRetentionDays) || p.flowLogRetentionDays < 1) {
    throw invalidProp("Network", "flowLogRetentionDays", p.flowLogRetentionDays, "a positive number of days");
  }
}
