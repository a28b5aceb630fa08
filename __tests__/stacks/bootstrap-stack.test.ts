// The bootstrap stack as synthesized from the shipped config/bootstrap.yaml, plus one SSE-S3 variant,
// and the one-account-per-environment layout (config/bootstrap/<name>.yaml).
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Testing } from "cdktf";
import { loadConfigs, parseBootstrapConfig, type BootstrapConfig } from "../../config/bootstrap-schema";
import { Policy } from "../../constructs/policies";
import { buildApp } from "../../stacks/app";
import { ACCOUNTS, multiAccountConfigDir } from "../config/multi-account-fixture";
import { PLAN_ROLE } from "../../automation/plan-role";
import { PLAN_ROLE_NAME } from "../../config/bootstrap-schema";
import { runCli } from "../automation/support/memory-io";
import { parseYamlFile } from "../../config/schema";
import { BootstrapStack } from "../../stacks/bootstrap-stack";
import { resourcesOf, type TerraformJson } from "./helpers";

interface Statement {
  sid?: string;
  effect?: string;
  actions?: string[];
  resources?: string[];
  principals?: Array<{ type: string; identifiers: string[] }>;
  condition?: Array<{ test: string; variable: string; values: string[] }>;
}

function shippedConfig(): BootstrapConfig {
  const file = "config/bootstrap.yaml";
  const { value } = parseYamlFile(file, readFileSync(join(__dirname, "../..", file), "utf8"));
  const parsed = parseBootstrapConfig(file, value);
  if (!parsed.config) throw new Error(parsed.problems.join("\n"));
  return parsed.config;
}

const shipped = shippedConfig();
const synth = (config: BootstrapConfig): TerraformJson => JSON.parse(Testing.synth(new BootstrapStack(Testing.app(), config)));
const kms = synth(shipped);
const sseS3 = synth({ ...shipped, backend: "s3", state: { ...shipped.state, encryption: "s3" } });

/** The statements of the policy document a `${data.aws_iam_policy_document.X.json}` reference names. */
function statementsOf(json: TerraformJson, reference: unknown): Statement[] {
  const name = /^\$\{data\.aws_iam_policy_document\.([\w-]+)\.json\}$/.exec(String(reference))?.[1];
  const doc = name ? json.data?.aws_iam_policy_document?.[name] : undefined;
  if (!doc) throw new Error(`not a policy document reference: ${String(reference)}`);
  return doc.statement as Statement[];
}

function roleAddress(json: TerraformJson, roleName: string): string {
  const entry = Object.entries(resourcesOf(json, "aws_iam_role")).find(([, r]) => r.name === roleName);
  if (!entry) throw new Error(`no role ${roleName}`);
  return entry[0];
}

function trustOf(json: TerraformJson, roleName: string): Statement[] {
  return statementsOf(json, resourcesOf(json, "aws_iam_role")[roleAddress(json, roleName)]?.assume_role_policy);
}

function inlineStatementsOf(json: TerraformJson, roleName: string): Statement[] {
  const ref = `\${aws_iam_role.${roleAddress(json, roleName)}.id}`;
  return Object.values(resourcesOf(json, "aws_iam_role_policy"))
    .filter((p) => p.role === ref)
    .flatMap((p) => statementsOf(json, p.policy));
}

function managedPoliciesOf(json: TerraformJson, roleName: string): unknown[] {
  const ref = `\${aws_iam_role.${roleAddress(json, roleName)}.name}`;
  return Object.values(resourcesOf(json, "aws_iam_role_policy_attachment"))
    .filter((a) => a.role === ref)
    .map((a) => a.policy_arn);
}

function subjectsOf(trust: Statement[]): string[] {
  return trust.flatMap((s) => s.condition ?? []).filter((c) => c.variable.endsWith(":sub")).flatMap((c) => c.values);
}

const BUCKET_ARN = "arn:aws:s3:::example-tfstate";
const KEY_ARN = "${aws_kms_key.state-key.arn}";

describe("bootstrap stack: trust", () => {
  it("trusts the plan role exactly for this repository's pull requests and main branch", () => {
    const trust = trustOf(kms, "gitops-plan");
    expect(trust).toHaveLength(1);
    expect(trust[0]).toMatchObject({
      effect: "Allow",
      actions: ["sts:AssumeRoleWithWebIdentity"],
      principals: [{ type: "Federated", identifiers: ["${aws_iam_openid_connect_provider.github-oidc.arn}"] }],
    });
    expect(subjectsOf(trust)).toEqual(["repo:example/infra:pull_request", "repo:example/infra:ref:refs/heads/main"]);
  });

  it("trusts each apply role only for its own GitHub environment", () => {
    for (const env of ["staging", "production"]) {
      expect(subjectsOf(trustOf(kms, `gitops-apply-${env}`))).toEqual([`repo:example/infra:environment:${env}`]);
    }
  });

  it("matches subjects and audience with StringEquals only, never a wildcard", () => {
    const roles = Object.values(resourcesOf(kms, "aws_iam_role")).map((r) => String(r.name));
    expect(roles.sort()).toEqual(["gitops-apply-production", "gitops-apply-staging", "gitops-plan"]);
    for (const role of roles) {
      const conditions = trustOf(kms, role).flatMap((s) => s.condition ?? []);
      expect(conditions.map((c) => c.variable).sort()).toEqual([
        "token.actions.githubusercontent.com:aud",
        "token.actions.githubusercontent.com:sub",
      ]);
      for (const c of conditions) {
        expect(c.test).toBe("StringEquals");
        for (const value of c.values) expect(value).not.toMatch(/[*?]/);
      }
      for (const subject of subjectsOf(trustOf(kms, role))) expect(subject.startsWith("repo:example/infra:")).toBe(true);
    }
  });

  it("registers GitHub's OIDC issuer with the STS audience", () => {
    expect(Object.values(resourcesOf(kms, "aws_iam_openid_connect_provider"))).toEqual([
      expect.objectContaining({ url: "https://token.actions.githubusercontent.com", client_id_list: ["sts.amazonaws.com"] }),
    ]);
  });

  it("with github.oidcProvider: existing, looks the account's provider up and trusts it instead of creating one", () => {
    const existing = synth({ ...shipped, github: { ...shipped.github, oidcProvider: "existing" } });
    expect(resourcesOf(existing, "aws_iam_openid_connect_provider")).toEqual({});
    const lookups = (existing as { data?: Record<string, Record<string, Record<string, unknown>>> }).data?.aws_iam_openid_connect_provider ?? {};
    expect(Object.entries(lookups).map(([id, d]) => [id, d.url])).toEqual([["github-oidc", "https://token.actions.githubusercontent.com"]]);
    for (const role of ["gitops-plan", "gitops-apply-staging", "gitops-apply-production"]) {
      expect(trustOf(existing, role)[0]?.principals).toEqual([{ type: "Federated", identifiers: ["${data.aws_iam_openid_connect_provider.github-oidc.arn}"] }]);
    }
    const deny = inlineStatementsOf(existing, "gitops-apply-staging").find((st) => st.sid === "GithubTrust");
    expect(deny?.resources).toEqual(["${data.aws_iam_openid_connect_provider.github-oidc.arn}"]);
  });
});

describe("bootstrap stack: sessions", () => {
  const maxSession = (name: string) => resourcesOf(kms, "aws_iam_role")[roleAddress(kms, name)]?.max_session_duration;

  it("lets apply sessions last 6 hours, the apply job's timeout, and plan sessions 2 hours", () => {
    // An apply that outlives its credentials fails halfway through, like a cancelled one.
    for (const env of ["staging", "production"]) expect([env, maxSession(`gitops-apply-${env}`)]).toEqual([env, 21600]);
    expect(maxSession("gitops-plan")).toBe(7200);
  });
});

describe("bootstrap stack: permissions", () => {
  it("gives the plan role ReadOnlyAccess and no other managed policy", () => {
    expect(managedPoliciesOf(kms, "gitops-plan")).toEqual(["arn:aws:iam::aws:policy/ReadOnlyAccess"]);
  });

  it("lets the plan role write nothing in the state bucket, not even lock objects", () => {
    const statements = inlineStatementsOf(kms, "gitops-plan");
    const allowed = statements.filter((s) => s.effect === "Allow").flatMap((s) => s.actions ?? []);
    expect(allowed.sort()).toEqual(["kms:Decrypt", "s3:GetObject", "s3:ListBucket"]);
    const deny = statements.find((s) => s.effect === "Deny");
    expect(deny?.actions).toEqual(expect.arrayContaining(["s3:Put*", "s3:Delete*"]));
    expect(deny?.resources?.sort()).toEqual([BUCKET_ARN, `${BUCKET_ARN}/*`]);
  });

  it("lets an apply role read and write only its own environment's state", () => {
    const allows = inlineStatementsOf(kms, "gitops-apply-staging").filter((s) => s.effect === "Allow");
    const objectWrites = allows.filter((s) => s.actions?.some((a) => /^s3:(Put|Delete)/.test(a)));
    expect(objectWrites.map((s) => s.resources)).toEqual([[`${BUCKET_ARN}/staging/*`]]);
  });

  it("denies an apply role the other environments' and the bootstrap's state, and the bucket's settings", () => {
    const denies = inlineStatementsOf(kms, "gitops-apply-staging").filter((s) => s.effect === "Deny");
    const otherState = denies.find((s) => s.sid === "OtherState");
    expect(otherState?.resources?.sort()).toEqual([`${BUCKET_ARN}/bootstrap/*`, `${BUCKET_ARN}/production/*`]);
    expect(otherState?.actions).toEqual(expect.arrayContaining(["s3:PutObject", "s3:DeleteObject"]));
    expect(denies.find((s) => s.sid === "StateBucket")?.actions).toEqual(expect.arrayContaining(["s3:DeleteBucket", "s3:PutBucket*"]));
    expect(denies.find((s) => s.sid === "WorkflowRoles")?.resources).toEqual(["arn:aws:iam::123456789012:role/gitops-*"]);
  });

  it("grants apply roles only AWS managed policies and no inline `*` on `*`", () => {
    for (const env of ["staging", "production"]) {
      expect(managedPoliciesOf(kms, `gitops-apply-${env}`)).toEqual(["arn:aws:iam::aws:policy/AdministratorAccess"]);
      for (const s of inlineStatementsOf(kms, `gitops-apply-${env}`).filter((st) => st.effect === "Allow")) {
        expect(s.actions?.some((a) => a === "*" || a.endsWith(":*"))).toBe(false);
        expect(s.resources).not.toContain("*");
      }
    }
  });

  it("grants KMS use on the state key only, and only through S3", () => {
    for (const role of ["gitops-plan", "gitops-apply-staging", "gitops-apply-production"]) {
      const kmsAllows = inlineStatementsOf(kms, role).filter((s) => s.effect === "Allow" && s.actions?.some((a) => a.startsWith("kms:")));
      expect(kmsAllows).toHaveLength(1);
      expect(kmsAllows[0]?.resources).toEqual([KEY_ARN]);
      // The plan role only reads state; writing needs a data key.
      expect(kmsAllows[0]?.actions?.sort()).toEqual(role === "gitops-plan" ? ["kms:Decrypt"] : ["kms:Decrypt", "kms:GenerateDataKey"]);
      expect(kmsAllows[0]?.condition).toEqual([{ test: "StringEquals", variable: "kms:ViaService", values: ["s3.eu-north-1.amazonaws.com"] }]);
    }
  });
});

describe("bootstrap stack: state bucket", () => {
  it("blocks all four kinds of public access", () => {
    expect(Object.values(resourcesOf(kms, "aws_s3_bucket_public_access_block"))).toEqual([
      expect.objectContaining({
        block_public_acls: true,
        block_public_policy: true,
        ignore_public_acls: true,
        restrict_public_buckets: true,
      }),
    ]);
  });

  it("denies every request that does not use TLS", () => {
    const [policy] = Object.values(resourcesOf(kms, "aws_s3_bucket_policy"));
    const deny = statementsOf(kms, policy?.policy).find((s) =>
      s.condition?.some((c) => c.variable === "aws:SecureTransport" && c.values.includes("false")),
    );
    expect(deny).toMatchObject({
      effect: "Deny",
      actions: ["s3:*"],
      principals: [{ type: "*", identifiers: ["*"] }],
      resources: [BUCKET_ARN, `${BUCKET_ARN}/*`],
    });
  });

  it("is versioned, owner-enforced, protected from destroy and expires old versions after 90 days", () => {
    const [bucket] = Object.values(resourcesOf(kms, "aws_s3_bucket"));
    expect(bucket).toMatchObject({ bucket: "example-tfstate", force_destroy: false, lifecycle: { prevent_destroy: true } });
    expect(Object.values(resourcesOf(kms, "aws_s3_bucket_versioning"))[0]?.versioning_configuration).toEqual({ status: "Enabled" });
    expect(Object.values(resourcesOf(kms, "aws_s3_bucket_ownership_controls"))[0]?.rule).toEqual({ object_ownership: "BucketOwnerEnforced" });
    const [lifecycle] = Object.values(resourcesOf(kms, "aws_s3_bucket_lifecycle_configuration"));
    expect(lifecycle?.rule).toEqual([expect.objectContaining({ status: "Enabled", noncurrent_version_expiration: [{ noncurrent_days: 90 }] })]);
  });

  it("encrypts with a rotating KMS key by default, SSE-S3 when configured", () => {
    expect(Object.values(resourcesOf(kms, "aws_kms_key"))).toEqual([
      expect.objectContaining({ enable_key_rotation: true, lifecycle: { prevent_destroy: true } }),
    ]);
    expect(Object.values(resourcesOf(kms, "aws_kms_alias"))[0]?.name).toBe("alias/gitops-tfstate");
    const [kmsRule] = Object.values(resourcesOf(kms, "aws_s3_bucket_server_side_encryption_configuration"))[0]?.rule as unknown[];
    expect(kmsRule).toEqual({
      apply_server_side_encryption_by_default: { sse_algorithm: "aws:kms", kms_master_key_id: KEY_ARN },
      bucket_key_enabled: true,
    });

    expect(resourcesOf(sseS3, "aws_kms_key")).toEqual({});
    const [s3Rule] = Object.values(resourcesOf(sseS3, "aws_s3_bucket_server_side_encryption_configuration"))[0]?.rule as unknown[];
    expect(s3Rule).toEqual({ apply_server_side_encryption_by_default: { sse_algorithm: "AES256" } });
    expect(inlineStatementsOf(sseS3, "gitops-plan").flatMap((s) => s.actions ?? []).some((a) => a.startsWith("kms:"))).toBe(false);
  });
});

describe("bootstrap stack: backend and outputs", () => {
  it("starts with local state at a relative path outside cdktf.out", () => {
    expect(kms.terraform.backend).toEqual({ local: { path: "../../../terraform.bootstrap.tfstate" } });
  });

  it("moves to its own bucket, encrypted and locked, once backend is s3", () => {
    expect(sseS3.terraform.backend).toEqual({
      s3: { bucket: "example-tfstate", key: "bootstrap/terraform.tfstate", region: "eu-north-1", encrypt: true, use_lockfile: true },
    });
    const migrated = synth({ ...shipped, backend: "s3" });
    expect(migrated.terraform.backend?.s3?.kms_key_id).toBe("arn:aws:kms:eu-north-1:123456789012:alias/gitops-tfstate");
  });

  it("outputs the workflow variables and the bucket", () => {
    expect(Object.keys(kms.output ?? {}).sort()).toEqual([
      "gitops_apply_role_arn_production",
      "gitops_apply_role_arn_staging",
      "gitops_plan_role_arn",
      "state_bucket",
      "state_kms_key_arn",
    ]);
    expect(kms.output?.gitops_plan_role_arn?.value).toBe(`\${aws_iam_role.${roleAddress(kms, "gitops-plan")}.arn}`);
    expect(kms.output?.gitops_apply_role_arn_staging?.value).toBe(`\${aws_iam_role.${roleAddress(kms, "gitops-apply-staging")}.arn}`);
  });

  it("pins the provider to the configured account and region", () => {
    const [aws] = kms.provider?.aws ?? [];
    expect(aws).toMatchObject({ region: "eu-north-1", allowed_account_ids: ["123456789012"] });
  });
});

describe("one AWS account per environment (config/bootstrap/<name>.yaml)", () => {
  const { environments, bootstraps } = loadConfigs(multiAccountConfigDir());
  const outdir = mkdtempSync(join(tmpdir(), "multi-account-"));
  const app = buildApp(environments, outdir, bootstraps);
  app.synth();
  const stackText = (name: string) => readFileSync(join(outdir, "stacks", name, "cdk.tf.json"), "utf8");
  const stack = (name: string) => JSON.parse(stackText(name)) as TerraformJson;
  const report = Policy.reportOf(app)!;

  it("synthesizes one bootstrap stack per account, each with roles only for its environments and exact subjects", () => {
    for (const [env, other] of [["staging", "production"], ["production", "staging"]] as const) {
      const json = stack(`bootstrap-${env}-account`);
      expect(Object.values(resourcesOf(json, "aws_iam_role")).map((r) => String(r.name)).sort()).toEqual([`gitops-apply-${env}`, "gitops-plan"]);
      expect(subjectsOf(trustOf(json, `gitops-apply-${env}`))).toEqual([`repo:example/infra:environment:${env}`]);
      expect(JSON.stringify(json)).not.toContain(`gitops-apply-${other}`);
    }
  });

  it("pins each environment's stacks to its own account and bucket, and names no ARN of the other account", () => {
    for (const [env, account, other] of [["staging", ACCOUNTS.staging, ACCOUNTS.production], ["production", ACCOUNTS.production, ACCOUNTS.staging]] as const) {
      const cluster = stack(`${env}-cluster`) as TerraformJson & { provider: { aws: { allowed_account_ids: string[] }[] } };
      expect(cluster.provider.aws[0]?.allowed_account_ids).toEqual([account]);
      expect((cluster.terraform.backend as Record<string, { bucket?: string }>).s3?.bucket).toBe(`${env}-tfstate`);
      for (const name of [`${env}-cluster`, `${env}-gitops`, `bootstrap-${env}-account`]) expect([name, stackText(name).includes(other)]).toEqual([name, false]);
    }
  });

  it("gives the plan workflow each environment's own plan role (gitops plan-role), matching the bootstrap's role name", async () => {
    expect(PLAN_ROLE).toBe(PLAN_ROLE_NAME);
    for (const [env, account] of Object.entries(ACCOUNTS)) {
      const r = await runCli(["plan-role", "--cdktf-out", outdir, "--env", env]);
      expect(r).toMatchObject({ code: 0, stdout: `arn:aws:iam::${account}:role/gitops-plan\n` });
      expect(stackText(`bootstrap-${env}-account`)).toContain('"name": "gitops-plan"');
    }
  });

  it("passes every guardrail on every stack of both layouts", () => {
    expect(report.findings.filter((f) => f.status === "error" || f.status === "warning")).toEqual([]);
  });
});
