// Plan review on a large plan: `gitops summarize` and `gitops render` of a generated 10,000-resource
// plan (~50 MB, shaped like `terraform show -json` output for AWS resources, with planned_values,
// prior_state and configuration), against a bare `node -e` JSON.parse of the same file.
// Target: render (parse + summarize + fingerprint + render) <= 3x the bare parse.
import { mkdirSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const RESOURCES = 10_000;
const dir = join(tmpdir(), "gitops-bench");
const planFile = join(dir, `plan-${RESOURCES}.json`);

/** Deterministic pseudo-random numbers, so every run benchmarks the same document. */
function rng(seed) {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s ^ (s >>> 15), 2246822507) + 0x6d2b79f5) >>> 0) / 2 ** 32);
}

const hex = (rand, n) => Array.from({ length: n }, () => Math.floor(rand() * 16).toString(16)).join("");

function instance(i, rand) {
  const id = `i-${hex(rand, 17)}`;
  return {
    type: "aws_instance",
    name: `worker_${i}`,
    values: {
      ami: `ami-${hex(rand, 17)}`,
      arn: `arn:aws:ec2:eu-north-1:123456789012:instance/${id}`,
      associate_public_ip_address: false,
      availability_zone: `eu-north-1${"abc"[i % 3]}`,
      cpu_options: [{ amd_sev_snp: "", core_count: 1, threads_per_core: 2 }],
      credit_specification: [{ cpu_credits: "unlimited" }],
      disable_api_stop: false,
      disable_api_termination: false,
      ebs_optimized: false,
      id,
      instance_state: "running",
      instance_type: "t3.medium",
      ipv6_address_count: 0,
      key_name: "",
      metadata_options: [{ http_endpoint: "enabled", http_protocol_ipv6: "disabled", http_put_response_hop_limit: 2, http_tokens: "required", instance_metadata_tags: "disabled" }],
      monitoring: false,
      primary_network_interface_id: `eni-${hex(rand, 17)}`,
      private_dns: `ip-10-0-${i % 250}-${(i * 7) % 250}.eu-north-1.compute.internal`,
      private_ip: `10.0.${i % 250}.${(i * 7) % 250}`,
      root_block_device: [{ delete_on_termination: true, device_name: "/dev/xvda", encrypted: true, iops: 3000, kms_key_id: `arn:aws:kms:eu-north-1:123456789012:key/${hex(rand, 8)}-${hex(rand, 4)}-${hex(rand, 4)}-${hex(rand, 4)}-${hex(rand, 12)}`, tags: {}, throughput: 125, volume_id: `vol-${hex(rand, 17)}`, volume_size: 20, volume_type: "gp3" }],
      subnet_id: `subnet-${hex(rand, 17)}`,
      tags: { Name: `worker-${i}`, env: "staging", project: "cadec23", team: "platform" },
      tags_all: { Name: `worker-${i}`, env: "staging", project: "cadec23", team: "platform", "managed-by": "cdktf", "cost-center": "cc-1234-platform-engineering", owner: "platform-team@example.com" },
      user_data: hex(rand, 40),
      tenancy: "default",
      user_data_replace_on_change: false,
      vpc_security_group_ids: [`sg-${hex(rand, 17)}`, `sg-${hex(rand, 17)}`],
    },
    sensitive: { cpu_options: [{}], credit_specification: [{}], metadata_options: [{}], root_block_device: [{ tags: {} }], tags: {}, tags_all: {}, vpc_security_group_ids: [false, false] },
    expressions: { ami: { references: ["data.aws_ami.al2023.id", "data.aws_ami.al2023"] }, instance_type: { constant_value: "t3.medium" }, subnet_id: { references: [`aws_subnet.private_${i % 3}.id`, `aws_subnet.private_${i % 3}`] }, tags: { constant_value: { Name: `worker-${i}` } } },
  };
}

function securityGroupRule(i, rand) {
  return {
    type: "aws_security_group_rule",
    name: `ingress_${i}`,
    values: {
      cidr_blocks: [`10.${i % 250}.0.0/16`, "203.0.113.0/24"],
      description: `allow service ${i} from the mesh (managed by the platform team, runbook RB-17)`,
      from_port: 8000 + (i % 1000),
      id: `sgrule-${Math.floor(rand() * 4e9)}`,
      ipv6_cidr_blocks: null,
      prefix_list_ids: [],
      protocol: "tcp",
      security_group_id: `sg-${hex(rand, 17)}`,
      security_group_rule_id: `sgr-${hex(rand, 17)}`,
      self: false,
      source_security_group_id: null,
      timeouts: null,
      to_port: 8000 + (i % 1000),
      type: "ingress",
    },
    sensitive: { cidr_blocks: [false, false], prefix_list_ids: [] },
    expressions: { cidr_blocks: { constant_value: [`10.${i % 250}.0.0/16`, "203.0.113.0/24"] }, from_port: { constant_value: 8000 + (i % 1000) }, security_group_id: { references: ["aws_security_group.mesh.id", "aws_security_group.mesh"] } },
  };
}

function iamRole(i, rand) {
  const policy = JSON.stringify({ Version: "2012-10-17", Statement: [{ Action: "sts:AssumeRoleWithWebIdentity", Effect: "Allow", Principal: { Federated: `arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-north-1.amazonaws.com/id/${hex(rand, 32).toUpperCase()}` }, Condition: { StringEquals: { [`oidc.eks.eu-north-1.amazonaws.com/id/X:sub`]: `system:serviceaccount:app-${i}:app-${i}` } } }] });
  return {
    type: "aws_iam_role",
    name: `irsa_${i}`,
    values: {
      arn: `arn:aws:iam::123456789012:role/irsa-app-${i}`,
      assume_role_policy: policy,
      create_date: "2026-01-15T10:00:00Z",
      description: "",
      force_detach_policies: false,
      id: `irsa-app-${i}`,
      inline_policy: [],
      managed_policy_arns: ["arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"],
      max_session_duration: 3600,
      name: `irsa-app-${i}`,
      name_prefix: "",
      path: "/",
      permissions_boundary: "",
      tags: { app: `app-${i}` },
      tags_all: { app: `app-${i}`, env: "staging", project: "cadec23", "cost-center": "cc-1234-platform-engineering", owner: "platform-team@example.com" },
      unique_id: `AROA${hex(rand, 17).toUpperCase()}`,
    },
    sensitive: { inline_policy: [], managed_policy_arns: [false], tags: {}, tags_all: {} },
    expressions: { assume_role_policy: { references: [`data.aws_iam_policy_document.irsa_${i}.json`, `data.aws_iam_policy_document.irsa_${i}`] }, name: { constant_value: `irsa-app-${i}` } },
  };
}

const KINDS = [instance, securityGroupRule, iamRole, securityGroupRule];

/** Mostly untouched resources, as in a big stack; some updates, creates, replaces and deletes. */
function actionFor(i) {
  const r = i % 100;
  if (r < 80) return ["no-op"];
  if (r < 92) return ["update"];
  if (r < 97) return ["create"];
  if (r < 99) return ["delete", "create"];
  return ["delete"];
}

export function generatePlan(count = RESOURCES) {
  const rand = rng(42);
  const changes = [];
  const planned = [];
  const prior = [];
  const config = [];
  for (let i = 0; i < count; i++) {
    const r = KINDS[i % KINDS.length](i, rand);
    const address = `${r.type}.${r.name}`;
    const actions = actionFor(i);
    const before = actions[0] === "create" ? null : r.values;
    let after = actions.join() === "delete" ? null : r.values;
    let afterUnknown = {};
    if (actions.join() === "update") after = { ...r.values, tags: { ...r.values.tags, revision: String(i) }, tags_all: { ...r.values.tags_all, revision: String(i) } };
    if (actions[0] === "create" || actions.length === 2) {
      after = { ...r.values, id: null, arn: null };
      afterUnknown = { id: true, arn: true, tags_all: true };
    }
    changes.push({
      address,
      mode: "managed",
      type: r.type,
      name: r.name,
      provider_name: "registry.terraform.io/hashicorp/aws",
      change: { actions, before, after, after_unknown: afterUnknown, before_sensitive: before ? r.sensitive : false, after_sensitive: after ? r.sensitive : false, ...(actions.length === 2 ? { replace_paths: [["subnet_id"]] } : {}) },
      ...(actions.length === 2 ? { action_reason: "replace_because_cannot_update" } : {}),
    });
    const resource = { address, mode: "managed", type: r.type, name: r.name, provider_name: "registry.terraform.io/hashicorp/aws", schema_version: 1, sensitive_values: r.sensitive };
    if (after) planned.push({ ...resource, values: after });
    if (before) prior.push({ ...resource, values: before, depends_on: ["aws_security_group.mesh"] });
    config.push({ address, mode: "managed", type: r.type, name: r.name, provider_config_key: "aws", expressions: r.expressions, schema_version: 1 });
  }
  return {
    format_version: "1.2",
    terraform_version: "1.11.4",
    planned_values: { root_module: { resources: planned } },
    resource_changes: changes,
    output_changes: { cluster_endpoint: { actions: ["no-op"], before: "https://example.eks.amazonaws.com", after: "https://example.eks.amazonaws.com", after_unknown: false, before_sensitive: false, after_sensitive: false } },
    prior_state: { format_version: "1.0", terraform_version: "1.11.4", values: { root_module: { resources: prior } } },
    configuration: { provider_config: { aws: { name: "aws", full_name: "registry.terraform.io/hashicorp/aws", expressions: { region: { constant_value: "eu-north-1" } } } }, root_module: { resources: config } },
    timestamp: "2026-01-15T10:00:00Z",
    applyable: true,
    complete: true,
    errored: false,
  };
}

function setup() {
  mkdirSync(dir, { recursive: true });
  // Terraform writes plan JSON without indentation.
  writeFileSync(planFile, JSON.stringify(generatePlan()));
  process.stderr.write(`plan-review: generated ${planFile} (${(statSync(planFile).size / 1e6).toFixed(1)} MB)\n`);
}

const gitops = ["node", "scripts/run-bundled.mjs", "automation/index.ts"];

export default [
  {
    name: "plan review: bare node -e JSON.parse of the 10k-resource plan (baseline)",
    command: ["node", "-e", `JSON.parse(require("fs").readFileSync(${JSON.stringify(planFile)}, "utf8"))`],
    setup,
    runs: 5,
  },
  { name: "plan review: gitops summarize (10k resources)", command: [...gitops, "summarize", planFile, "--format", "json"], runs: 5 },
  { name: "plan review: gitops render (10k resources, summarize + render)", command: [...gitops, "render", "--stack", `staging-cluster=${planFile}`], runs: 5 },
];
