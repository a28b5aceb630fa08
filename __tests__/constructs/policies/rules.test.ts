// One minimal construct tree per rule: the violating form yields exactly that finding (rule id and
// construct path), the compliant form yields none. Each tree runs only the rule under test.
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { DefaultSecurityGroup } from "@cdktf/provider-aws/lib/default-security-group";
import { EksCluster, type EksClusterConfig } from "@cdktf/provider-aws/lib/eks-cluster";
import { EksNodeGroup } from "@cdktf/provider-aws/lib/eks-node-group";
import { FlowLog } from "@cdktf/provider-aws/lib/flow-log";
import { IamOpenidConnectProvider } from "@cdktf/provider-aws/lib/iam-openid-connect-provider";
import { IamPolicy } from "@cdktf/provider-aws/lib/iam-policy";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { InternetGateway } from "@cdktf/provider-aws/lib/internet-gateway";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { LaunchTemplate } from "@cdktf/provider-aws/lib/launch-template";
import { Lb } from "@cdktf/provider-aws/lib/lb";
import { NatGateway } from "@cdktf/provider-aws/lib/nat-gateway";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { RouteTable } from "@cdktf/provider-aws/lib/route-table";
import { RouteTableAssociation } from "@cdktf/provider-aws/lib/route-table-association";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { S3BucketVersioningA } from "@cdktf/provider-aws/lib/s3-bucket-versioning";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { SecurityGroupRule } from "@cdktf/provider-aws/lib/security-group-rule";
import { Subnet } from "@cdktf/provider-aws/lib/subnet";
import { Vpc } from "@cdktf/provider-aws/lib/vpc";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { DataAwsSecretsmanagerSecretVersion } from "@cdktf/provider-aws/lib/data-aws-secretsmanager-secret-version";
import { Release } from "@cdktf/provider-helm/lib/release";
import { SecretV1 } from "@cdktf/provider-kubernetes/lib/secret-v1";
import { TerraformStack, Testing } from "cdktf";
import { Construct } from "constructs";
import { CONTROL_PLANE_LOG_TYPES } from "../../../constructs/eks-cluster";
import { Policy, SUPPORTED_KUBERNETES_VERSIONS, type PolicyOptions } from "../../../constructs/policies";

type Build = (stack: TerraformStack) => void;

/** Findings of one rule on a fresh stack "test" (or `stackId`), as `RULE path status`. */
function findings(rule: string, build: Build, options: PolicyOptions & { stackId?: string } = {}): string[] {
  const app = Testing.app();
  const stack = new TerraformStack(app, options.stackId ?? "test");
  build(stack);
  const report = Policy.apply(app, { ...options, only: [rule] });
  Testing.synth(stack);
  return report.findings.map((f) => `${f.rule} ${f.path} ${f.status}`);
}

function expectRule(rule: string, violating: Build, compliant: Build, path: string, options: PolicyOptions = {}): void {
  expect(findings(rule, violating, options)).toEqual([`${rule} test/${path} error`]);
  expect(findings(rule, compliant, options)).toEqual([]);
}

const cluster = (stack: Construct, overrides: Partial<EksClusterConfig> = {}) =>
  new EksCluster(stack, "cluster", {
    name: "c",
    roleArn: "arn:aws:iam::123456789012:role/eks",
    version: "1.35",
    vpcConfig: { subnetIds: ["subnet-1"], endpointPublicAccess: false },
    enabledClusterLogTypes: [...CONTROL_PLANE_LOG_TYPES],
    encryptionConfig: { resources: ["secrets"], provider: { keyArn: "arn:aws:kms:eu-north-1:123456789012:key/1" } },
    ...overrides,
  });

describe("EKS rules", () => {
  it("EKS001 requires KMS secrets encryption", () => {
    expectRule("EKS001", (s) => cluster(s, { encryptionConfig: undefined }), (s) => cluster(s), "cluster");
  });

  it("EKS002 requires every control-plane log type", () => {
    expectRule("EKS002", (s) => cluster(s, { enabledClusterLogTypes: ["api", "audit"] }), (s) => cluster(s), "cluster");
  });

  it("EKS003 rejects a public endpoint open to 0.0.0.0/0, also when CIDRs are left to AWS's default", () => {
    const open = (cidrs?: string[]) => (s: TerraformStack) =>
      cluster(s, { vpcConfig: { subnetIds: ["subnet-1"], endpointPublicAccess: true, publicAccessCidrs: cidrs } });
    expectRule("EKS003", open(["0.0.0.0/0"]), open(["203.0.113.0/24"]), "cluster");
    expect(findings("EKS003", open(undefined))).toEqual(["EKS003 test/cluster error"]);
  });

  it("EKS004 warns about wide public endpoint ranges, and fails on them in production", () => {
    const wide = (s: TerraformStack) => cluster(s, { vpcConfig: { subnetIds: ["subnet-1"], publicAccessCidrs: ["198.51.0.0/16"] } });
    const narrow = (s: TerraformStack) => cluster(s, { vpcConfig: { subnetIds: ["subnet-1"], publicAccessCidrs: ["198.51.100.10/32"] } });
    expect(findings("EKS004", wide)).toEqual(["EKS004 test/cluster warning"]);
    expect(findings("EKS004", wide, { stackId: "production-cluster" })).toEqual(["EKS004 production-cluster/cluster error"]);
    expect(findings("EKS004", narrow, { stackId: "production-cluster" })).toEqual([]);
  });

  it("EKS008 wants deletion protection and standard support: a warning, an error in production", () => {
    const safe = { deletionProtection: true, upgradePolicy: { supportType: "STANDARD" } };
    const unprotected = (s: TerraformStack) => cluster(s, { ...safe, deletionProtection: false });
    const extended = (s: TerraformStack) => cluster(s, { deletionProtection: true });
    expect(findings("EKS008", unprotected)).toEqual(["EKS008 test/cluster warning"]);
    expect(findings("EKS008", unprotected, { stackId: "production-cluster" })).toEqual(["EKS008 production-cluster/cluster error"]);
    expect(findings("EKS008", extended, { stackId: "production-cluster" })).toEqual(["EKS008 production-cluster/cluster error"]);
    expect(findings("EKS008", (s) => cluster(s, safe), { stackId: "production-cluster" })).toEqual([]);
  });

  it("EKS005 rejects Kubernetes versions older than the oldest in standard support", () => {
    const oldest = SUPPORTED_KUBERNETES_VERSIONS[SUPPORTED_KUBERNETES_VERSIONS.length - 1]!;
    const older = `1.${Number(oldest.split(".")[1]) - 1}`;
    expectRule("EKS005", (s) => cluster(s, { version: older }), (s) => cluster(s, { version: oldest }), "cluster");
  });

  /** A subnet routed through an internet gateway (public) or a NAT gateway (private), and a node group in it. */
  const nodesIn = (kind: "public" | "private", publicIps = false) => (stack: TerraformStack) => {
    const vpc = new Vpc(stack, "vpc", { cidrBlock: "10.0.0.0/16" });
    const subnet = new Subnet(stack, "subnet", { vpcId: vpc.id, cidrBlock: "10.0.0.0/24" });
    const igw = new InternetGateway(stack, "igw", { vpcId: vpc.id });
    const nat = new NatGateway(stack, "nat", { subnetId: "subnet-elsewhere", allocationId: "eipalloc-1" });
    const table = new RouteTable(stack, "rt", {
      vpcId: vpc.id,
      route: [kind === "public" ? { cidrBlock: "0.0.0.0/0", gatewayId: igw.id } : { cidrBlock: "0.0.0.0/0", natGatewayId: nat.id }],
    });
    new RouteTableAssociation(stack, "rta", { subnetId: subnet.id, routeTableId: table.id });
    const template = new LaunchTemplate(stack, "lt", {
      metadataOptions: { httpTokens: "required" },
      networkInterfaces: [{ associatePublicIpAddress: String(publicIps) }],
    });
    new EksNodeGroup(stack, "nodes", {
      clusterName: "c",
      nodeRoleArn: "arn:aws:iam::123456789012:role/node",
      subnetIds: [subnet.id],
      scalingConfig: { minSize: 1, maxSize: 1, desiredSize: 1 },
      launchTemplate: { id: template.id, version: "1" },
    });
  };

  it("EKS006 keeps node groups out of public subnets", () => {
    expectRule("EKS006", nodesIn("public"), nodesIn("private"), "nodes");
  });

  it("EKS006 rejects launch templates that give nodes public IPs", () => {
    expect(findings("EKS006", nodesIn("private", true))).toEqual(["EKS006 test/nodes error"]);
  });

  it("EKS007 requires IMDSv2 on launch templates and a launch template on node groups", () => {
    const template = (httpTokens: string) => (s: TerraformStack) => new LaunchTemplate(s, "lt", { metadataOptions: { httpTokens } });
    expectRule("EKS007", template("optional"), template("required"), "lt");
    const bare = (s: TerraformStack) =>
      new EksNodeGroup(s, "nodes", { clusterName: "c", nodeRoleArn: "r", subnetIds: ["s"], scalingConfig: { minSize: 1, maxSize: 1, desiredSize: 1 } });
    expect(findings("EKS007", bare)).toEqual(["EKS007 test/nodes error"]);
  });
});

describe("VPC rules", () => {
  const vpcWith = (flowLog: boolean, defaultSg: "closed" | "open" | "none") => (stack: TerraformStack) => {
    const vpc = new Vpc(stack, "vpc", { cidrBlock: "10.0.0.0/16" });
    if (flowLog) new FlowLog(stack, "flow-log", { vpcId: vpc.id, trafficType: "ALL", logDestination: "arn:aws:logs:eu-north-1:1:log-group:x" });
    if (defaultSg === "closed") new DefaultSecurityGroup(stack, "default-sg", { vpcId: vpc.id });
    if (defaultSg === "open") {
      new DefaultSecurityGroup(stack, "default-sg", { vpcId: vpc.id, egress: [{ protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] }] });
    }
  };

  it("VPC001 requires flow logs on every VPC", () => {
    expectRule("VPC001", vpcWith(false, "closed"), vpcWith(true, "closed"), "vpc");
  });

  it("VPC002 requires a managed default security group without rules", () => {
    expectRule("VPC002", vpcWith(true, "none"), vpcWith(true, "closed"), "vpc");
    expect(findings("VPC002", vpcWith(true, "open"))).toEqual(["VPC002 test/default-sg error"]);
  });

  const ingress = (port: number, behindLoadBalancer: boolean, cidr = "0.0.0.0/0") => (stack: TerraformStack) => {
    const sg = new SecurityGroup(stack, "sg", { ingress: [{ protocol: "tcp", fromPort: port, toPort: port, cidrBlocks: [cidr] }] });
    if (behindLoadBalancer) new Lb(stack, "lb", { securityGroups: [sg.id], subnets: ["a", "b"] });
  };

  it("VPC003 rejects world ingress except HTTP(S) to a load balancer", () => {
    expectRule("VPC003", ingress(22, true), ingress(443, true), "sg");
    expect(findings("VPC003", ingress(443, false))).toEqual(["VPC003 test/sg error"]);
    expect(findings("VPC003", ingress(22, false, "10.0.0.0/8"))).toEqual([]);
  });

  it("VPC003 also reads separate ingress rule resources, IPv6 included", () => {
    const rules = (cidr: string) => (stack: TerraformStack) => {
      const sg = new SecurityGroup(stack, "sg", {});
      new SecurityGroupRule(stack, "rule", { type: "ingress", securityGroupId: sg.id, protocol: "tcp", fromPort: 3389, toPort: 3389, cidrBlocks: [cidr] });
      new VpcSecurityGroupIngressRule(stack, "v6", { securityGroupId: sg.id, ipProtocol: "tcp", fromPort: 22, toPort: 22, cidrIpv6: "::/0" });
    };
    expect(findings("VPC003", rules("0.0.0.0/0"))).toEqual(["VPC003 test/rule error", "VPC003 test/v6 error"]);
  });
});

describe("S3 rules", () => {
  type Part = "publicAccessBlock" | "versioning" | "encryption" | "tlsPolicy";
  const ALL: readonly Part[] = ["publicAccessBlock", "versioning", "encryption", "tlsPolicy"];
  const bucketWith = (parts: readonly Part[], tlsAsJson = false) => (stack: TerraformStack) => {
    const bucket = new S3Bucket(stack, "state", { bucket: "example-tfstate" });
    if (parts.includes("publicAccessBlock")) {
      new S3BucketPublicAccessBlock(stack, "pab", {
        bucket: bucket.id,
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
      });
    }
    if (parts.includes("versioning")) new S3BucketVersioningA(stack, "versioning", { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } });
    if (parts.includes("encryption")) {
      new S3BucketServerSideEncryptionConfigurationA(stack, "sse", { bucket: bucket.id, rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms" } }] });
    }
    if (parts.includes("tlsPolicy")) {
      const statement = { effect: "Deny", actions: ["s3:*"], principals: [{ type: "*", identifiers: ["*"] }], resources: ["*"] };
      const policy = tlsAsJson
        ? JSON.stringify({ Statement: [{ Effect: "Deny", Action: "s3:*", Principal: "*", Resource: "*", Condition: { Bool: { "aws:SecureTransport": "false" } } }] })
        : new DataAwsIamPolicyDocument(stack, "tls", { statement: [{ ...statement, condition: [{ test: "Bool", variable: "aws:SecureTransport", values: ["false"] }] }] }).json;
      new S3BucketPolicy(stack, "policy", { bucket: "example-tfstate", policy });
    }
  };
  const without = (part: Part) => bucketWith(ALL.filter((p) => p !== part));

  it.each([
    ["S3001", "publicAccessBlock"],
    ["S3002", "versioning"],
    ["S3003", "encryption"],
    ["S3004", "tlsPolicy"],
  ] as const)("%s flags a bucket without its %s", (rule, part) => {
    expectRule(rule, without(part), bucketWith(ALL), "state");
  });

  it("S3004 reads a JSON policy as well as a policy document", () => {
    expect(findings("S3004", bucketWith(ALL, true))).toEqual([]);
  });
});

describe("KMS and CloudWatch rules", () => {
  it("KMS001 requires key rotation", () => {
    expectRule("KMS001", (s) => new KmsKey(s, "key", {}), (s) => new KmsKey(s, "key", { enableKeyRotation: true }), "key");
  });

  it("LOG001 requires a retention, LOG002 at least a year of it", () => {
    const group = (retentionInDays?: number) => (s: TerraformStack) => new CloudwatchLogGroup(s, "logs", { retentionInDays });
    expectRule("LOG001", group(undefined), group(365), "logs");
    expectRule("LOG002", group(30), group(365), "logs");
    expect(findings("LOG002", group(0))).toEqual([]);
  });
});

describe("IAM rules", () => {
  const doc = (actions: string[], resources: string[]) => (s: TerraformStack) =>
    new DataAwsIamPolicyDocument(s, "doc", { statement: [{ actions, resources }] });

  it("IAM001 rejects '*' on '*', in documents and in JSON policies", () => {
    expectRule("IAM001", doc(["*"], ["*"]), doc(["s3:GetObject"], ["arn:aws:s3:::b/*"]), "doc");
    const json = (s: TerraformStack) =>
      new IamRolePolicy(s, "inline", { role: "r", policy: JSON.stringify({ Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] }) });
    expect(findings("IAM001", json)).toEqual(["IAM001 test/inline error"]);
  });

  it("IAM003 warns about whole-service wildcards on every resource", () => {
    expect(findings("IAM003", doc(["ec2:*"], ["*"]))).toEqual(["IAM003 test/doc warning"]);
    expect(findings("IAM003", doc(["ec2:Describe*"], ["*"]))).toEqual([]);
  });

  /** The one finding's problem text, for rules whose message names what matched. */
  const problem = (rule: string, build: Build): string | undefined => {
    const app = Testing.app();
    const stack = new TerraformStack(app, "test");
    build(stack);
    const report = Policy.apply(app, { only: [rule] });
    Testing.synth(stack);
    return report.findings.map((f) => f.problem).join(" | ") || undefined;
  };
  const scoped = ["arn:aws:iam::123456789012:role/app", "arn:aws:s3:::state/staging/*"];

  it("IAM004 warns about privilege escalation on every resource, one action or a whole combination", () => {
    expect(findings("IAM004", doc(["iam:PutRolePolicy"], ["*"]))).toEqual(["IAM004 test/doc warning"]);
    expect(findings("IAM004", doc(["iam:PutRolePolicy", "iam:PassRole", "ec2:RunInstances"], scoped))).toEqual([]);
    // The combination may be spread over statements, and wildcards count.
    const split = (s: TerraformStack) =>
      new DataAwsIamPolicyDocument(s, "doc", { statement: [{ actions: ["iam:Pass*"], resources: ["*"] }, { actions: ["ec2:RunInstances"], resources: ["*"] }] });
    expect(findings("IAM004", split)).toEqual(["IAM004 test/doc warning"]);
    expect(problem("IAM004", split)).toBe('allows privilege escalation on resource "*": iam:PassRole + ec2:RunInstances');
    // Half a combination is no path; administrator statements are IAM001's.
    expect(findings("IAM004", doc(["iam:PassRole", "ec2:DescribeInstances"], ["*"]))).toEqual([]);
    expect(findings("IAM004", doc(["*"], ["*"]))).toEqual([]);
    expect(problem("IAM004", doc(["iam:*"], ["*"]))).toMatch(/^allows privilege escalation on resource "\*": iam:CreateAccessKey, iam:CreateLoginProfile, iam:UpdateLoginProfile and \d+ more$/);
  });

  it("IAM004 ignores actions an unconditional Deny on every resource takes away", () => {
    const denied = (s: TerraformStack) =>
      new IamPolicy(s, "policy", {
        policy: JSON.stringify({
          Statement: [
            { Effect: "Allow", Action: ["iam:PassRole", "lambda:CreateFunction", "lambda:InvokeFunction"], Resource: "*" },
            { Effect: "Deny", Action: "iam:PassRole", Resource: "*" },
          ],
        }),
      });
    expect(findings("IAM004", denied)).toEqual([]);
  });

  it("IAM005 warns about actions that return credentials on every resource", () => {
    expect(findings("IAM005", doc(["sts:AssumeRole"], ["*"]))).toEqual(["IAM005 test/doc warning"]);
    expect(findings("IAM005", doc(["sts:AssumeRole", "iam:CreateAccessKey"], scoped))).toEqual([]);
    const json = (s: TerraformStack) =>
      new IamRolePolicy(s, "inline", { role: "r", policy: JSON.stringify({ Statement: [{ Effect: "Allow", Action: ["IAM:createaccesskey", "ec2:GetPasswordData"], Resource: ["*"] }] }) });
    expect(findings("IAM005", json)).toEqual(["IAM005 test/inline warning"]);
    expect(problem("IAM005", json)).toBe('allows actions that return credentials on resource "*": ec2:GetPasswordData, iam:CreateAccessKey');
    // Image pulls need ecr:GetAuthorizationToken on "*" (checkov exempts it too).
    expect(findings("IAM005", doc(["ecr:GetAuthorizationToken"], ["*"]))).toEqual([]);
  });

  it("IAM006 warns about reading objects, parameters or secrets on every resource", () => {
    expect(findings("IAM006", doc(["s3:GetObject"], ["*"]))).toEqual(["IAM006 test/doc warning"]);
    expect(findings("IAM006", doc(["s3:GetObject", "ssm:GetParameter", "secretsmanager:GetSecretValue"], scoped))).toEqual([]);
    expect(problem("IAM006", doc(["ssm:GetParameter*", "s3:ListBucket"], ["*"]))).toBe(
      'allows data exfiltration on resource "*": ssm:GetParameter, ssm:GetParameters, ssm:GetParametersByPath',
    );
    const inline = (s: TerraformStack) =>
      new IamRole(s, "role", {
        assumeRolePolicy: "{}",
        inlinePolicy: [{ name: "read", policy: JSON.stringify({ Statement: { Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: "*" } }) }],
      });
    expect(findings("IAM006", inline)).toEqual(["IAM006 test/role warning"]);
  });

  const githubRole = (subs: string[] | undefined) => (stack: TerraformStack) => {
    const provider = new IamOpenidConnectProvider(stack, "github", { url: "https://token.actions.githubusercontent.com", clientIdList: ["sts.amazonaws.com"] });
    const trust = new DataAwsIamPolicyDocument(stack, "trust", {
      statement: [
        {
          actions: ["sts:AssumeRoleWithWebIdentity"],
          principals: [{ type: "Federated", identifiers: [provider.arn] }],
          condition: subs ? [{ test: "StringLike", variable: "token.actions.githubusercontent.com:sub", values: subs }] : [],
        },
      ],
    });
    new IamRole(stack, "role", { assumeRolePolicy: trust.json });
  };
  const repositories = { githubRepositories: ["https://github.com/example/infra.git"] };

  it("IAM002 pins GitHub OIDC trust to this repository", () => {
    expectRule("IAM002", githubRole(undefined), githubRole(["repo:example/infra:environment:staging"]), "trust", repositories);
    expect(findings("IAM002", githubRole(["repo:example/*"]), repositories)).toEqual(["IAM002 test/trust error"]);
    expect(findings("IAM002", githubRole(["repo:someone/else:ref:refs/heads/main"]), repositories)).toEqual(["IAM002 test/trust error"]);
  });
});

describe("tag rule", () => {
  const tagged = (defaultTags: Record<string, string>, own?: Record<string, string>) => (stack: TerraformStack) => {
    new AwsProvider(stack, "aws", { region: "eu-north-1", defaultTags: [{ tags: defaultTags }] });
    new Vpc(stack, "vpc", { cidrBlock: "10.0.0.0/16", tags: own });
    // Not taggable: never a finding.
    new RouteTableAssociation(stack, "rta", { subnetId: "s", routeTableId: "r" });
  };

  it("TAG001 requires project and env from default tags or the resource's own tags", () => {
    expectRule("TAG001", tagged({ project: "p" }), tagged({ project: "p", env: "staging" }), "vpc");
    expect(findings("TAG001", tagged({ project: "p" }, { env: "staging" }))).toEqual([]);
  });
});

describe("Helm and Argo CD rules", () => {
  const release = (version: string | undefined, values: Record<string, unknown> = {}) => (s: TerraformStack) =>
    new Release(s, "argo-cd", { name: "argo-cd", repository: "https://argoproj.github.io/argo-helm", chart: "argo-cd", version, values: [JSON.stringify(values)] });

  it("HELM001 requires an exact chart version", () => {
    expectRule("HELM001", release(undefined), release("10.1.1"), "argo-cd");
    expect(findings("HELM001", release("^10.1.0"))).toEqual(["HELM001 test/argo-cd error"]);
  });

  it("ARGO001 keeps the Argo CD server off internet-facing load balancers", () => {
    const service = (annotations: Record<string, string>) => ({ server: { service: { type: "LoadBalancer", annotations } } });
    expectRule(
      "ARGO001",
      release("10.1.1", service({})),
      release("10.1.1", service({ "service.beta.kubernetes.io/aws-load-balancer-scheme": "internal" })),
      "argo-cd",
    );
  });
});

describe("state rule", () => {
  const argo = (s: TerraformStack) => new Release(s, "argo-cd", { name: "argo-cd", chart: "argo-cd", repository: "https://argoproj.github.io/argo-helm", version: "10.1.1" });

  it("STATE001 refuses a Kubernetes Secret, a secret version read, and set_sensitive, because the plan role reads state", () => {
    expectRule("STATE001", (s) => new SecretV1(s, "repo", { metadata: { name: "repo", namespace: "argocd" }, data: { password: "x" } }), argo, "repo");
    expectRule("STATE001", (s) => new DataAwsSecretsmanagerSecretVersion(s, "read", { secretId: "gitops/argocd-repo" }), argo, "read");
    expectRule(
      "STATE001",
      (s) => new Release(s, "argo-cd", { name: "argo-cd", chart: "argo-cd", repository: "https://argoproj.github.io/argo-helm", version: "10.1.1", setSensitive: [{ name: "configs.secret.argocdServerAdminPassword", value: "x" }] }),
      argo,
      "argo-cd",
    );
  });
});
