import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError, loadEnvironmentConfigs, parseEnvironmentConfig, parseYamlFile } from "../../config/schema";

const staging = readFileSync(join(__dirname, "../../config/staging.yaml"), "utf8");

/** Loads one YAML text as config/<name>.yaml and returns the problems (empty when valid). */
function problemsOf(text: string, name = "staging"): string[] {
  const file = `config/${name}.yaml`;
  const { value, problems } = parseYamlFile(file, text);
  return problems.length ? problems : parseEnvironmentConfig(file, value).problems;
}

describe("environment config", () => {
  it("accepts the shipped configs and applies defaults", () => {
    const configs = loadEnvironmentConfigs(join(__dirname, "../../config"));
    expect(configs.map((c) => c.environment)).toEqual(["local", "production", "staging"]);
    const stagingConfig = configs.find((c) => c.environment === "staging");
    expect(stagingConfig?.kind).toBe("aws");
    if (stagingConfig?.kind !== "aws") throw new Error("unreachable");
    expect(stagingConfig.cluster.nodeGroups.default).toMatchObject({ minSize: 2, desiredSize: 2, maxSize: 6, diskSizeGiB: 50 });
    expect(stagingConfig.gitops.serverExposure).toBe("clusterIp");
  });

  it("names file, key path, what is allowed and what was found", () => {
    const text = staging.replace("minSize: 2", 'minSize: "two"');
    expect(problemsOf(text)).toEqual([
      'config/staging.yaml: cluster.nodeGroups.default.minSize: expected an integer >= 1, got "two"',
    ]);
  });

  it("rejects unknown keys, naming them", () => {
    const text = staging.replace("  natGateways: single", "  natGateways: single\n  natGateway: perAz");
    expect(problemsOf(text)).toEqual([
      'config/staging.yaml: network.natGateway: unknown key; expected one of cidr, availabilityZones, natGateways, got "natGateway"',
    ]);
  });

  it("lists the allowed values of an enum", () => {
    const [problem] = problemsOf(staging.replace("natGateways: single", "natGateways: many"));
    expect(problem).toBe('config/staging.yaml: network.natGateways: expected "single" or "perAz", got "many"');
  });

  it.each([
    ["cidr: 10.0.0.0/16", "cidr: 10.0.0.1/16", "network.cidr: expected an IPv4 CIDR like 10.0.0.0/16 (address aligned to its prefix), got \"10.0.0.1/16\""],
    ["cidr: 10.0.0.0/16", "cidr: 10.0.0.0/8", "network.cidr: expected a VPC prefix length from /16 to /20, got \"10.0.0.0/8\""],
    ["region: eu-north-1\n  allowed", "region: europe-north\n  allowed", "aws.region: expected an AWS region name like eu-north-1, got \"europe-north\""],
    ['["203.0.113.0/24"]', '["203.0.113.0/33"]', "cluster.endpointPublicAccessCidrs.0: expected an IPv4 CIDR"],
    ["argocdChartVersion: 10.1.1", 'argocdChartVersion: "^10"', "gitops.argocdChartVersion: expected a pinned chart version like 10.1.1, got \"^10\""],
  ])("rejects %s replaced by %s", (from, to, expected) => {
    const text = staging.replace(from, to);
    expect(text).not.toBe(staging);
    expect(problemsOf(text).join("\n")).toContain(`config/staging.yaml: ${expected}`);
  });

  it("refuses node instance types of another architecture than the AMI type, naming the types", () => {
    expect(problemsOf(staging.replace("instanceTypes: [t3.medium]", "instanceTypes: [t3.medium, m7g.large]"))).toEqual([
      "config/staging.yaml: cluster.nodeGroups.default.instanceTypes: expected x86_64 instance types for amiType AL2023_x86_64_STANDARD (the default), got m7g.large (set amiType to an ARM_64 type, or use other instance types)",
    ]);
    const arm = staging.replace("instanceTypes: [t3.medium]", "instanceTypes: [t4g.medium]\n      amiType: AL2023_ARM_64_STANDARD");
    expect(problemsOf(arm)).toEqual([]);
    expect(problemsOf(arm.replace("[t4g.medium]", "[t3.medium]"))).toEqual([
      "config/staging.yaml: cluster.nodeGroups.default.instanceTypes: expected arm64 instance types for amiType AL2023_ARM_64_STANDARD, got t3.medium (set amiType to an x86_64 type, or use other instance types)",
    ]);
  });

  it("refuses ARNs of another partition than the region's", () => {
    const china = staging.replace(/eu-north-1/g, "cn-north-1");
    const problems = problemsOf(china);
    expect(problems.length).toBeGreaterThan(0);
    for (const p of problems) expect(p).toMatch(/^config\/staging\.yaml: (cluster\.(admin|reader)RoleArns\[0\]|state\.kmsKeyId): expected an ARN of partition aws-cn \(region cn-north-1\), got "arn:aws:/);
    expect(problemsOf(china.replace(/arn:aws:/g, "arn:aws-cn:"))).toEqual([]);
  });

  it.each([
    ["supportType", "  version:", "  supportType: PAID\n  version:", 'cluster.supportType: expected "STANDARD" or "EXTENDED", got "PAID"'],
    ["deletionProtection", "  version:", "  deletionProtection: maybe\n  version:", 'cluster.deletionProtection: expected true or false, got "maybe"'],
    ["addonVersions", "  version:", "  addonVersions: { vpc-cni: latest }\n  version:", 'cluster.addonVersions.vpc-cni: expected an add-on version like v1.20.4-eksbuild.1, got "latest"'],
    ["amiType", "instanceTypes: [t3.medium]", "instanceTypes: [t3.medium]\n      amiType: AL2_x86_64", 'cluster.nodeGroups.default.amiType: expected "AL2023_x86_64_STANDARD" or "AL2023_ARM_64_STANDARD"'],
  ])("validates cluster.%s", (_key, from, to, expected) => {
    const text = staging.replace(from, to);
    expect(text).not.toBe(staging);
    expect(problemsOf(text).join("\n")).toContain(`config/staging.yaml: ${expected}`);
  });

  it("checks repoCredentials: a secret name, not an ARN, and an external-secrets chart with the v1 API", () => {
    const text = staging
      .replace("secretName: gitops/argocd-repo", "secretName: arn:aws:secretsmanager:eu-north-1:123456789012:secret:gitops/argocd-repo")
      .replace("externalSecretsChartVersion: 2.0.0", "externalSecretsChartVersion: 0.15.1");
    expect(problemsOf(text)).toEqual([
      'config/staging.yaml: gitops.repoCredentials.secretName: expected a Secrets Manager secret name (not an ARN) like gitops/argocd-repo, got "arn:aws:secretsmanager:eu-north-1:123456789012:secret:gi...',
      'config/staging.yaml: gitops.repoCredentials.externalSecretsChartVersion: expected external-secrets chart 0.16.0 or newer (the external-secrets.io/v1 API), got "0.15.1"',
    ]);
    expect(problemsOf(staging.replace("from: awsSecretsManager", "from: vault"))).toEqual([
      'config/staging.yaml: gitops.repoCredentials.from: expected "awsSecretsManager", got "vault"',
    ]);
  });

  it("refuses repoCredentials in a local environment, which has no EKS Pod Identity", () => {
    const local = readFileSync(join(__dirname, "../../config/local.yaml"), "utf8").replace(
      /^gitops:\n/m,
      "gitops:\n  repoCredentials:\n    from: awsSecretsManager\n    secretName: gitops/argocd-repo\n    externalSecretsChartVersion: 2.0.0\n",
    );
    expect(problemsOf(local, "local")).toEqual([
      'config/local.yaml: gitops.repoCredentials: expected no repoCredentials in a local environment, got one: it reads AWS Secrets Manager through EKS Pod Identity, which a local cluster does not have; create the repository Secret by hand (docs/cluster-access.md)',
    ]);
  });

  it.each(["internalLoadBalancer", "ingress"])("refuses serverExposure %s, which nothing in the cluster could serve", (mode) => {
    const text = staging.replace("  targetRevision: main", `  targetRevision: main\n  serverExposure: ${mode}\n  hostname: argocd.example.org`);
    expect(problemsOf(text)).toEqual([
      `config/staging.yaml: gitops.serverExposure: expected "clusterIp", got "${mode}": it needs a load balancer controller (the AWS Load Balancer Controller on EKS), which this project does not install, so the Argo CD release would time out and roll back; use clusterIp and kubectl port-forward (docs/cluster-access.md)`,
    ]);
  });

  it("checks minSize <= desiredSize <= maxSize", () => {
    const text = staging.replace("desiredSize: 2", "desiredSize: 7");
    expect(problemsOf(text)).toEqual(["config/staging.yaml: cluster.nodeGroups.default.maxSize: expected >= desiredSize (7), got 6"]);
    expect(problemsOf(staging.replace("minSize: 2", "minSize: 3"))).toEqual([
      "config/staging.yaml: cluster.nodeGroups.default.desiredSize: expected >= minSize (3), got 2",
    ]);
  });

  it("reports rules across keys in the same round as shape errors", () => {
    const text = staging.replace("natGateways: single", "natGateways: perZone").replace("desiredSize: 2", "desiredSize: 30").replace("environment: staging", "environment: prod");
    expect(problemsOf(text)).toEqual([
      'config/staging.yaml: network.natGateways: expected "single" or "perAz", got "perZone"',
      'config/staging.yaml: environment: expected "staging" (the file name), got "prod"',
      "config/staging.yaml: cluster.nodeGroups.default.maxSize: expected >= desiredSize (30), got 6",
    ]);
    expect(problemsOf(staging.replace("env: staging", "env: stage"))).toEqual(['config/staging.yaml: tags.env: expected "staging" (the environment), got "stage"']);
  });

  it("refuses an API endpoint open to the whole internet", () => {
    expect(problemsOf(staging.replace('["203.0.113.0/24"]', '["0.0.0.0/0"]'))).toEqual([
      'config/staging.yaml: cluster.endpointPublicAccessCidrs.0: expected a CIDR narrower than 0.0.0.0/0 (the API endpoint must not be open to the internet), got "0.0.0.0/0"',
    ]);
  });

  it("requires environment to equal the file name", () => {
    expect(problemsOf(staging, "prod")).toContain('config/prod.yaml: environment: expected "prod" (the file name), got "staging"');
  });

  it("reports a missing section as missing", () => {
    const text = staging.replace(/^state:\n( {2}.*\n)+/m, "");
    expect(problemsOf(text)).toEqual(["config/staging.yaml: state: expected a mapping of keys, got nothing (the key is missing)"]);
  });

  it("reports YAML syntax errors with the line", () => {
    expect(problemsOf("environment: staging\naws: [unclosed\n")[0]).toMatch(/^config\/staging\.yaml: line \d+: invalid YAML: /);
  });

  it("reports every problem of every file at once, and names an unknown --env", () => {
    const dir = mkdtempSync(join(tmpdir(), "config-"));
    writeFileSync(join(dir, "staging.yaml"), staging.replace("maxSize: 6", "maxSize: 0"));
    writeFileSync(join(dir, "production.yaml"), staging.replace("environment: staging", "environment: production").replace("env: staging", "env: production").replace("natGateways: single", "natGateways: 2"));
    let error: unknown;
    try {
      loadEnvironmentConfigs(dir, ["qa"]);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems).toHaveLength(4);
    expect(problems[0]).toMatch(/^[^:]+\/production\.yaml: network\.natGateways: expected "single" or "perAz", got 2$/);
    expect(problems[1]).toMatch(/^[^:]+\/staging\.yaml: cluster\.nodeGroups\.default\.maxSize: expected an integer from 1 to 450, got 0$/);
    expect(problems[2]).toMatch(/^[^:]+\/staging\.yaml: cluster\.nodeGroups\.default\.maxSize: expected >= desiredSize \(2\), got 0$/);
    expect(problems[3]).toBe("--env qa: no config/qa.yaml; expected one of production, staging");
  });
});
