// The environment config format (config/<env>.yaml) and its loader. Every error names the file, the
// key path, what is allowed and what was found, and all files are checked before any is used.
import { readdirSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { parseDocument } from "yaml";
import { z } from "zod";
import { AMI_TYPES, amiArchitecture, instanceArchitecture, type AmiType } from "../constructs/eks-cluster/ami";
import { SECRET_NAME, supportsExternalSecretsV1 } from "../constructs/argocd/repo-credentials-values";
import { PINNED_CHART_VERSION } from "../constructs/chart-version";
import { isValidIpv4Cidr } from "../constructs/network/cidr";
import { partitionOf } from "../constructs/partition";
import { LATEST_KUBERNETES_VERSION } from "../constructs/policies/kubernetes-versions";

/** AWS region names: `eu-north-1`, `us-gov-west-1`, `ap-southeast-5`, ... */
export const AWS_REGION = /^(us|eu|ap|sa|ca|me|af|il|mx|cn|us-gov|eusc)-(north|south|east|west|central|northeast|northwest|southeast|southwest)-\d{1,2}$/;
export const ACCOUNT_ID = /^\d{12}$/;
const IAM_ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
const K8S_VERSION = /^1\.\d{2}$/;
const TAG_KEY = /^[\w.:/=+@ -]{1,128}$/;

export const int = (min: number, max?: number) => {
  const allowed = max === undefined ? `an integer >= ${min}` : `an integer from ${min} to ${max}`;
  const base = z.number({ error: `expected ${allowed}` }).int({ error: `expected ${allowed}` });
  return max === undefined
    ? base.min(min, { error: `expected ${allowed}` })
    : base.min(min, { error: `expected ${allowed}` }).max(max, { error: `expected ${allowed}` });
};
export const str = (what: string) => z.string({ error: `expected ${what}` });
export const matching = (re: RegExp, what: string) => str(what).regex(re, { error: `expected ${what}` });
const cidr = str("an IPv4 CIDR like 10.0.0.0/16").refine(isValidIpv4Cidr, {
  error: "expected an IPv4 CIDR like 10.0.0.0/16 (address aligned to its prefix)",
});

export const TagsSchema = z
  .record(matching(TAG_KEY, "a tag key of 1-128 letters, digits or _.:/=+@- "), str("a tag value").max(256))
  .refine((t) => typeof t.project === "string" && typeof t.env === "string", {
    error: "expected the required tags `project` and `env`",
  });

const AwsSchema = z.strictObject({
  region: matching(AWS_REGION, "an AWS region name like eu-north-1"),
  /** Terraform refuses to run against any other account: a guard against the wrong credentials. */
  allowedAccountIds: z.array(matching(ACCOUNT_ID, "a 12-digit AWS account id")).min(1).optional(),
});

const NetworkSchema = z.strictObject({
  cidr: cidr.refine((c) => Number(c.split("/")[1]) >= 16 && Number(c.split("/")[1]) <= 20, {
    error: "expected a VPC prefix length from /16 to /20",
  }),
  availabilityZones: int(2, 6).default(3),
  natGateways: z.enum(["single", "perAz"], { error: 'expected "single" or "perAz"' }).default("single"),
});

const NodeGroupSchema = z.strictObject({
  instanceTypes: z.array(matching(/^[a-z][a-z0-9-]*\.[a-z0-9]+$/, "an EC2 instance type like t3.medium")).min(1),
  minSize: int(1),
  desiredSize: int(1),
  maxSize: int(1, 450),
  diskSizeGiB: int(20, 16384).default(50),
  capacityType: z.enum(["ON_DEMAND", "SPOT"], { error: 'expected "ON_DEMAND" or "SPOT"' }).default("ON_DEMAND"),
  /** AMI family of the nodes; its architecture must match the instance types'. */
  amiType: z.enum(AMI_TYPES, { error: `expected one of ${AMI_TYPES.join(", ")}` }).default("AL2023_x86_64_STANDARD"),
});

const ClusterSchema = z.strictObject({
  version: matching(K8S_VERSION, 'a Kubernetes minor version in quotes, like "1.35"').default(LATEST_KUBERNETES_VERSION),
  /** Empty list: the public endpoint is off and only the private one (inside the VPC) answers. */
  endpointPublicAccessCidrs: z
    .array(cidr.refine((c) => !c.endsWith("/0"), { error: "expected a CIDR narrower than 0.0.0.0/0 (the API endpoint must not be open to the internet)" }))
    .default([]),
  /** Runners inside the VPC or a peered network that reach the private API endpoint over HTTPS. */
  apiAccessFromCidrs: z
    .array(cidr.refine((c) => !c.endsWith("/0"), { error: "expected a CIDR narrower than 0.0.0.0/0 (the runners' network)" }))
    .default([]),
  /** Security groups of such runners (sg-...), in this VPC or a peered one. */
  apiAccessFromSecurityGroupIds: z.array(matching(/^sg-[0-9a-f]{8,17}$/, "a security group id like sg-0123456789abcdef0")).default([]),
  /** IAM roles that administer the cluster (the apply role of the workflows). */
  adminRoleArns: z.array(matching(IAM_ROLE_ARN, "an IAM role ARN")).default([]),
  /**
   * IAM roles that read the cluster (the plan role): everything cluster-wide except Secrets, and
   * Secrets too in Argo CD's namespace, where Helm keeps its releases, so PR plans can refresh them.
   */
  readerRoleArns: z.array(matching(IAM_ROLE_ARN, "an IAM role ARN")).default([]),
  /** Human administrator roles (SSO, break-glass) with cluster-admin, for when the pipeline is broken. */
  breakGlassAdminRoleArns: z.array(matching(IAM_ROLE_ARN, "an IAM role ARN")).default([]),
  /** STANDARD: upgraded when the version leaves standard support; EXTENDED: paid extended support. */
  supportType: z.enum(["STANDARD", "EXTENDED"], { error: 'expected "STANDARD" or "EXTENDED"' }).default("STANDARD"),
  /** EKS refuses to delete the cluster while this is on. */
  deletionProtection: z.boolean({ error: "expected true or false" }).default(true),
  /** ARC zonal shift; unset means on for the environment named production, off elsewhere. */
  zonalShift: z.boolean({ error: "expected true or false" }).optional(),
  /** Add-on versions to pin (e.g. vpc-cni: v1.20.4-eksbuild.1); the rest follow the cluster version. */
  addonVersions: z
    .partialRecord(
      z.enum(["eks-pod-identity-agent", "vpc-cni", "kube-proxy", "coredns", "aws-ebs-csi-driver"], {
        error: "expected one of eks-pod-identity-agent, vpc-cni, kube-proxy, coredns, aws-ebs-csi-driver",
      }),
      matching(/^v\d+\.\d+\.\d+-eksbuild\.\d+$/, "an add-on version like v1.20.4-eksbuild.1"),
    )
    .default({}),
  nodeGroups: z.record(matching(/^[a-z][a-z0-9-]{0,30}$/, "a node group name of lowercase letters, digits and -"), NodeGroupSchema),
});

const GitopsSchema = z.strictObject({
  repoUrl: matching(/^(https:\/\/|git@|ssh:\/\/)\S+$/, "a Git URL (https://, ssh:// or git@)"),
  path: matching(/^[\w./-]+$/, "a path inside the repository"),
  targetRevision: str("a branch, tag or commit").min(1),
  argocdChartVersion: matching(PINNED_CHART_VERSION, "a pinned chart version like 10.1.1"),
  argocdAppsChartVersion: matching(PINNED_CHART_VERSION, "a pinned chart version like 2.0.5"),
  /** How the Argo CD UI is reached: port-forward (ClusterIP), an internal load balancer, or an ingress. */
  serverExposure: z.enum(["clusterIp", "internalLoadBalancer", "ingress"], {
    error: 'expected "clusterIp", "internalLoadBalancer" or "ingress"',
  }).default("clusterIp"),
  /** Hostname for `serverExposure: ingress`. */
  hostname: str("a host name").optional(),
  /** Run Argo CD highly available (replicas, redis-ha). */
  highAvailability: z.boolean({ error: "expected true or false" }).default(false),
  /** Set when SSO is configured: disables the built-in admin user. */
  sso: z.boolean({ error: "expected true or false" }).default(false),
  /**
   * A private repository's credential, kept out of Git and Terraform state: External Secrets Operator
   * syncs it from this Secrets Manager secret into Argo CD. Unset: public, or a Secret made by hand.
   */
  repoCredentials: z
    .strictObject({
      from: z.literal("awsSecretsManager", { error: 'expected "awsSecretsManager"' }),
      secretName: matching(SECRET_NAME, "a Secrets Manager secret name (not an ARN) like gitops/argocd-repo"),
      externalSecretsChartVersion: matching(PINNED_CHART_VERSION, "a pinned chart version like 2.0.0").refine(supportsExternalSecretsV1, {
        error: "expected external-secrets chart 0.16.0 or newer (the external-secrets.io/v1 API)",
      }),
      /** The customer managed KMS key the secret is encrypted with; unset for aws/secretsmanager. */
      kmsKeyArn: matching(/^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/(mrk-)?[0-9a-f-]{32,36}$/, "a KMS key ARN (not an alias)").optional(),
    })
    .optional(),
});

const StateSchema = z.strictObject({
  bucket: matching(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, "an S3 bucket name"),
  region: matching(AWS_REGION, "an AWS region name like eu-north-1"),
  /**
   * KMS key (ARN, or alias ARN) that state and lock objects are encrypted with; set when the bootstrap
   * bucket uses SSE-KMS. Without it Terraform asks S3 for SSE-S3 on every write, overriding the bucket default.
   */
  kmsKeyId: matching(
    /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key\/[0-9a-f-]{36}|key\/mrk-[0-9a-f]{32}|alias\/[A-Za-z0-9/_-]+)$/,
    "a KMS key ARN or alias ARN like arn:aws:kms:eu-north-1:123456789012:alias/gitops-tfstate",
  ).optional(),
});

const LocalSchema = z.strictObject({
  /** kubeconfig context of the local cluster: kind-<name> for kind, minikube for minikube. */
  kubeContext: str("a kubeconfig context name").min(1),
  kubeconfigPath: str("a kubeconfig path").default("~/.kube/config"),
});

export const AwsEnvironmentSchema = z.strictObject({
  environment: matching(/^[a-z][a-z0-9-]{0,20}$/, "an environment name of lowercase letters, digits and -"),
  aws: AwsSchema,
  tags: TagsSchema,
  network: NetworkSchema,
  cluster: ClusterSchema,
  gitops: GitopsSchema,
  state: StateSchema,
});

export const LocalEnvironmentSchema = z.strictObject({
  environment: matching(/^[a-z][a-z0-9-]{0,20}$/, "an environment name of lowercase letters, digits and -"),
  local: LocalSchema,
  gitops: GitopsSchema,
});

export type AwsEnvironmentConfig = z.output<typeof AwsEnvironmentSchema> & { readonly kind: "aws" };
export type LocalEnvironmentConfig = z.output<typeof LocalEnvironmentSchema> & { readonly kind: "local" };
export type EnvironmentConfig = AwsEnvironmentConfig | LocalEnvironmentConfig;
export type NodeGroupConfig = z.output<typeof NodeGroupSchema>;

/** Every problem found in the config files, one line each; thrown only after all files were read. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

/** Renders a value the way the user wrote it in YAML, short. */
function describeFound(value: unknown): string {
  if (value === undefined) return "nothing (the key is missing)";
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let node = root;
  for (const key of path) {
    if (node === null || typeof node !== "object") return undefined;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return node;
}

function keyPath(path: readonly PropertyKey[]): string {
  return path.length ? path.map(String).join(".") : "(top level)";
}

/** The keys an object schema at `path` accepts, for "unknown key" messages. */
function allowedKeysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  let node: unknown = schema;
  const unwrap = (n: unknown): unknown => {
    let current = n as { _zod?: { def?: { type?: string; innerType?: unknown } } };
    while (current?._zod?.def && ["optional", "default", "nullable", "prefault"].includes(current._zod.def.type ?? "")) {
      current = current._zod.def.innerType as typeof current;
    }
    return current;
  };
  for (const key of path) {
    const def = (unwrap(node) as { _zod?: { def?: { type?: string; shape?: Record<string, unknown>; valueType?: unknown; element?: unknown } } })._zod?.def;
    if (def?.type === "object") node = def.shape?.[String(key)];
    else if (def?.type === "record") node = def.valueType;
    else if (def?.type === "array") node = def.element;
    else return [];
  }
  const def = (unwrap(node) as { _zod?: { def?: { type?: string; shape?: Record<string, unknown> } } })._zod?.def;
  return def?.type === "object" ? Object.keys(def.shape ?? {}) : [];
}

export function formatIssues(file: string, raw: unknown, issues: readonly z.core.$ZodIssue[], schema?: z.ZodType): string[] {
  return issues.map((issue) => {
    if (issue.code === "unrecognized_keys") {
      const allowed = schema ? allowedKeysAt(schema, issue.path) : [];
      const expected = allowed.length ? `one of ${allowed.join(", ")}` : "one of the documented keys";
      return `${file}: ${keyPath([...issue.path, issue.keys[0] ?? ""])}: unknown key; expected ${expected}, got ${issue.keys.map((k) => `"${k}"`).join(", ")}`;
    }
    if (issue.code === "invalid_value" && "values" in issue) {
      const allowed = issue.values.map((v) => JSON.stringify(v)).join(" or ");
      return `${file}: ${keyPath(issue.path)}: expected ${allowed}, got ${describeFound(valueAt(raw, issue.path))}`;
    }
    if (issue.code === "invalid_type" && !issue.message.startsWith("expected")) {
      const expected = issue.expected === "object" ? "a mapping of keys" : issue.expected === "array" ? "a list" : issue.expected;
      return `${file}: ${keyPath(issue.path)}: expected ${expected}, got ${describeFound(valueAt(raw, issue.path))}`;
    }
    const message = issue.message.startsWith("expected") ? issue.message : `expected ${issue.message}`;
    return `${file}: ${keyPath(issue.path)}: ${message}, got ${describeFound(valueAt(raw, issue.path))}`;
  });
}

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

/**
 * Rules that span several keys. They read the raw document defensively and run even when the shape
 * check failed, so one round of fixing sees every problem (a value of the wrong type just skips the
 * rules that need it; the shape check has already reported it).
 */
function crossFieldProblems(file: string, raw: Record<string, unknown>, expectedName: string): string[] {
  const problems: string[] = [];
  const environment = raw.environment;
  if (typeof environment === "string" && environment !== expectedName) {
    problems.push(`${file}: environment: expected "${expectedName}" (the file name), got "${environment}"`);
  }
  const gitops = isRecord(raw.gitops) ? raw.gitops : {};
  if (gitops.serverExposure === "ingress" || gitops.serverExposure === "internalLoadBalancer") {
    // Both need the AWS Load Balancer Controller (or, on a laptop, a load balancer implementation),
    // which this project does not install: the Service or Ingress would never get an address, Helm
    // would wait for it and roll the atomic release back after its timeout.
    problems.push(
      `${file}: gitops.serverExposure: expected "clusterIp", got "${gitops.serverExposure}": it needs a load balancer controller (the AWS Load Balancer Controller on EKS), which this project does not install, so the Argo CD release would time out and roll back; use clusterIp and kubectl port-forward (docs/cluster-access.md)`,
    );
  }
  if ("local" in raw) {
    if (gitops.repoCredentials !== undefined) {
      problems.push(
        `${file}: gitops.repoCredentials: expected no repoCredentials in a local environment, got one: it reads AWS Secrets Manager through EKS Pod Identity, which a local cluster does not have; create the repository Secret by hand (docs/cluster-access.md)`,
      );
    }
    return problems;
  }
  const nodeGroups = isRecord(raw.cluster) ? raw.cluster.nodeGroups : undefined;
  if (isRecord(nodeGroups)) {
    if (Object.keys(nodeGroups).length === 0) problems.push(`${file}: cluster.nodeGroups: expected at least one node group, got none`);
    for (const [name, group] of Object.entries(nodeGroups)) {
      if (!isRecord(group)) continue;
      const { minSize, desiredSize, maxSize } = group;
      const at = `${file}: cluster.nodeGroups.${name}`;
      if (typeof minSize === "number" && typeof desiredSize === "number" && minSize > desiredSize) {
        problems.push(`${at}.desiredSize: expected >= minSize (${minSize}), got ${desiredSize}`);
      }
      if (typeof desiredSize === "number" && typeof maxSize === "number" && desiredSize > maxSize) {
        problems.push(`${at}.maxSize: expected >= desiredSize (${desiredSize}), got ${maxSize}`);
      }
      const amiType = (typeof group.amiType === "string" ? group.amiType : "AL2023_x86_64_STANDARD") as AmiType;
      if ((AMI_TYPES as readonly string[]).includes(amiType) && Array.isArray(group.instanceTypes)) {
        const wanted = amiArchitecture(amiType);
        const other = group.instanceTypes.filter((t): t is string => typeof t === "string" && instanceArchitecture(t) !== wanted);
        if (other.length > 0) {
          problems.push(
            `${at}.instanceTypes: expected ${wanted} instance types for amiType ${amiType}${group.amiType === undefined ? " (the default)" : ""}, got ${other.join(", ")} (set amiType to an ${wanted === "arm64" ? "x86_64" : "ARM_64"} type, or use other instance types)`,
          );
        }
      }
    }
  }
  problems.push(...partitionProblems(file, raw));
  const tagEnv = isRecord(raw.tags) ? raw.tags.env : undefined;
  if (typeof tagEnv === "string" && tagEnv !== expectedName) {
    problems.push(`${file}: tags.env: expected "${expectedName}" (the environment), got "${tagEnv}"`);
  }
  return problems;
}

/** Every ARN in the config must be of the region's partition (arn:aws-cn: in cn-*, arn:aws-us-gov: in us-gov-*). */
function partitionProblems(file: string, raw: Record<string, unknown>): string[] {
  const region = isRecord(raw.aws) ? raw.aws.region : undefined;
  if (typeof region !== "string" || !AWS_REGION.test(region)) return [];
  const partition = partitionOf(region);
  const problems: string[] = [];
  const visit = (value: unknown, path: string): void => {
    if (typeof value === "string") {
      const m = /^arn:([a-z-]+):/.exec(value);
      if (m && m[1] !== partition) problems.push(`${file}: ${path}: expected an ARN of partition ${partition} (region ${region}), got "${value}"`);
    } else if (Array.isArray(value)) {
      value.forEach((v, i) => visit(v, `${path}[${i}]`));
    } else if (isRecord(value)) {
      for (const [k, v] of Object.entries(value)) visit(v, path ? `${path}.${k}` : k);
    }
  };
  visit(raw, "");
  return problems;
}

/** Validates one parsed YAML document; returns the config or the list of problems. */
export function parseEnvironmentConfig(
  file: string,
  raw: unknown,
): { config: EnvironmentConfig; problems: [] } | { config?: undefined; problems: string[] } {
  const expectedName = basename(file).replace(/\.ya?ml$/, "");
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    return { problems: [`${file}: (top level): expected a mapping of keys, got ${describeFound(raw)}`] };
  }
  const isLocal = "local" in raw;
  const schema = isLocal ? LocalEnvironmentSchema : AwsEnvironmentSchema;
  const result = schema.safeParse(raw);
  const problems = [
    ...(result.success ? [] : formatIssues(file, raw, result.error.issues, schema)),
    ...crossFieldProblems(file, raw as Record<string, unknown>, expectedName),
  ];
  if (!result.success || problems.length > 0) return { problems };
  return { config: { ...result.data, kind: isLocal ? "local" : "aws" } as EnvironmentConfig, problems: [] };
}

/** Reads YAML text; syntax errors name the file and the line. */
export function parseYamlFile(file: string, text: string): { value: unknown; problems: string[] } {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length) {
    return {
      value: undefined,
      problems: doc.errors.map((e) => `${file}: line ${e.linePos?.[0]?.line ?? "?"}: invalid YAML: ${e.message.split("\n")[0]}`),
    };
  }
  return { value: doc.toJS(), problems: [] };
}

/** Files in `dir` that describe environments (every *.yaml except the bootstrap config). */
export function environmentFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f) && !/^bootstrap\.ya?ml$/.test(f))
    .sort()
    .map((f) => join(dir, f));
}

/**
 * Loads and validates every environment config in `dir` (or only `only`, by name). Throws one
 * ConfigError listing the problems of all files, so a user fixes everything in one round.
 */
export function loadEnvironmentConfigs(dir: string, only?: readonly string[]): EnvironmentConfig[] {
  const files = environmentFiles(dir);
  const problems: string[] = [];
  const configs: EnvironmentConfig[] = [];
  for (const path of files) {
    const file = join(basename(dir), basename(path));
    const { value, problems: yamlProblems } = parseYamlFile(file, readFileSync(path, "utf8"));
    if (yamlProblems.length) {
      problems.push(...yamlProblems);
      continue;
    }
    const parsed = parseEnvironmentConfig(file, value);
    if (parsed.config) configs.push(parsed.config);
    else problems.push(...parsed.problems);
  }
  if (only?.length) {
    const known = new Set(files.map((f) => basename(f).replace(/\.ya?ml$/, "")));
    for (const name of only) {
      if (!known.has(name)) problems.push(`--env ${name}: no config/${name}.yaml; expected one of ${[...known].join(", ")}`);
    }
  }
  if (problems.length) throw new ConfigError(problems);
  return only?.length ? configs.filter((c) => only.includes(c.environment)) : configs;
}
