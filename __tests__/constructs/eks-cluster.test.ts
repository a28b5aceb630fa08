import { TerraformStack, Testing } from "cdktf";
import { ArgoCd } from "../../constructs/argocd";
import { EksCluster, type EksClusterProps } from "../../constructs/eks-cluster";

const base: EksClusterProps = {
  clusterName: "test",
  vpcId: "vpc-1",
  privateSubnetIds: ["subnet-a", "subnet-b"],
  nodeGroups: { default: { instanceTypes: ["t3.medium"], minSize: 1, desiredSize: 1, maxSize: 2 } },
};

describe("EksCluster validation", () => {
  const stack = () => new TerraformStack(Testing.app(), "test");
  it.each([
    [{ privateSubnetIds: ["subnet-a"] }, 'EksCluster: invalid prop privateSubnetIds: expected at least two subnets in different zones, got ["subnet-a"]'],
    [{ endpointPublicAccessCidrs: ["0.0.0.0/0"] }, "expected CIDRs narrower than 0.0.0.0/0"],
    [{ version: "1.35.1" }, 'EksCluster: invalid prop version: expected a version like "1.35", got "1.35.1"'],
    [
      { nodeGroups: { default: { instanceTypes: ["t3.medium"], minSize: 3, desiredSize: 2, maxSize: 4 } } },
      "EksCluster: invalid prop nodeGroups.default: expected 1 <= minSize <= desiredSize <= maxSize",
    ],
    [{ nodeGroups: {} }, "EksCluster: invalid prop nodeGroups: expected at least one node group, got {}"],
  ])("rejects %j", (props, message) => {
    expect(() => new EksCluster(stack(), "eks", { ...base, ...props })).toThrow(message);
  });

  it("turns the public endpoint off when no CIDR is configured", () => {
    const s = stack();
    new EksCluster(s, "eks", base);
    const json = JSON.parse(Testing.synth(s)) as { resource: { aws_eks_cluster: Record<string, { vpc_config: Record<string, unknown> }> } };
    const [cluster] = Object.values(json.resource.aws_eks_cluster);
    expect(cluster?.vpc_config).toEqual({ endpoint_private_access: true, endpoint_public_access: false, subnet_ids: ["subnet-a", "subnet-b"] });
  });
});

describe("EksCluster node launch template and access", () => {
  type Json = { resource: Record<string, Record<string, Record<string, unknown>>> };
  const synth = (props: Partial<EksClusterProps>): Json => {
    const s = new TerraformStack(Testing.app(), "test");
    new EksCluster(s, "eks", { ...base, ...props });
    return JSON.parse(Testing.synth(s)) as Json;
  };
  const untagged = synth({ readerRoleArns: ["arn:aws:iam::123456789012:role/reader"] });
  const tagged = synth({ tags: { team: "platform" } });
  const templateOf = (json: Json) => Object.values(json.resource.aws_launch_template ?? {})[0];

  it("adds no tag specifications without tags, and one per launched resource type with them", () => {
    expect(templateOf(untagged)?.tag_specifications).toBeUndefined();
    expect(templateOf(tagged)?.tag_specifications).toEqual([
      { resource_type: "instance", tags: { team: "platform" } },
      { resource_type: "volume", tags: { team: "platform" } },
      { resource_type: "network-interface", tags: { team: "platform" } },
    ]);
  });

  it("lets readers read everything but Secrets, nowhere Secrets", () => {
    const grants = Object.values(untagged.resource.aws_eks_access_policy_association ?? {}).map((a) => [a.policy_arn, a.access_scope]);
    expect(grants).toEqual([["arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy", { type: "cluster" }]]);
  });
});

describe("ArgoCd validation", () => {
  const props = { chartVersion: "10.1.1", appsChartVersion: "2.0.5", repoUrl: "https://example.com/r", appsPath: "gitops/apps/x", targetRevision: "main" };
  it.each([
    [{ chartVersion: "latest" }, 'ArgoCd: invalid prop chartVersion: expected a pinned version like 10.1.1, got "latest"'],
    [{ serverExposure: "ingress" as const }, 'ArgoCd: invalid prop hostname: expected a host name when serverExposure is "ingress"'],
    [{ appsPath: "../elsewhere" }, "ArgoCd: invalid prop appsPath: expected a relative path inside the repository"],
  ])("rejects %j", (override, message) => {
    expect(() => new ArgoCd(new TerraformStack(Testing.app(), "t"), "argocd", { ...props, ...override })).toThrow(message);
  });
});
