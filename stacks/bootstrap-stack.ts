// bootstrap: what the workflows need before any environment exists — the state bucket, the GitHub
// OIDC provider, the read-only plan role and one apply role per environment. Applied by hand, first
// with local state, then migrated into its own bucket (docs/aws-setup.md).
import { DataAwsIamPolicyDocument, type DataAwsIamPolicyDocumentStatement } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { DataAwsIamOpenidConnectProvider } from "@cdktf/provider-aws/lib/data-aws-iam-openid-connect-provider";
import { IamOpenidConnectProvider } from "@cdktf/provider-aws/lib/iam-openid-connect-provider";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketLifecycleConfiguration } from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration";
import { S3BucketOwnershipControls } from "@cdktf/provider-aws/lib/s3-bucket-ownership-controls";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { S3BucketVersioningA } from "@cdktf/provider-aws/lib/s3-bucket-versioning";
import { LocalBackend, S3Backend, TerraformOutput, TerraformStack } from "cdktf";
import type { Construct } from "constructs";
import {
  applyRoleName,
  BOOTSTRAP,
  BOOTSTRAP_STATE_KEY,
  partitionOf,
  PLAN_ROLE_NAME,
  stateKeyAliasArn,
  type BootstrapConfig,
} from "../config/bootstrap-schema";
import { APPLY_ROLE_MAX_SESSION_SECONDS, PLAN_ROLE_MAX_SESSION_SECONDS } from "./role-sessions";

export const GITHUB_OIDC_URL = "https://token.actions.githubusercontent.com";
const GITHUB_OIDC_HOST = "token.actions.githubusercontent.com";
const STS_AUDIENCE = "sts.amazonaws.com";
/** Relative to cdktf.out/stacks/bootstrap, i.e. the repository root: outside cdktf.out, which every synth replaces. */
/** Local state of a bootstrap stack before it moves into its bucket: next to the repository, never in cdktf.out. */
export const bootstrapLocalStatePath = (stack: string) => `../../../terraform.${stack}.tfstate`;

export class BootstrapStack extends TerraformStack {
  readonly bucket: S3Bucket;
  /** The key state is encrypted with; absent with `state.encryption: s3`. */
  readonly stateKey?: KmsKey;
  /** The GitHub OIDC provider: created here, or the account's existing one (github.oidcProvider). */
  readonly oidcProviderArn: string;
  readonly planRole: IamRole;
  readonly applyRoles: Readonly<Record<string, IamRole>>;

  private readonly config: BootstrapConfig;
  private readonly partition: string;
  private readonly bucketArn: string;

  /** `stack`: `bootstrap` for the one-account layout, `bootstrap-<name>` per account. */
  constructor(scope: Construct, config: BootstrapConfig, stack: string = BOOTSTRAP) {
    super(scope, stack);
    this.config = config;
    this.partition = partitionOf(config.aws.region);
    this.bucketArn = `arn:${this.partition}:s3:::${config.state.bucket}`;

    new AwsProvider(this, "aws", {
      region: config.aws.region,
      allowedAccountIds: [config.aws.accountId],
      defaultTags: [{ tags: { ...config.tags } }],
    });
    this.addBackend();

    if (config.state.encryption === "kms") this.stateKey = this.addStateKey();
    this.bucket = this.addStateBucket();

    // An account holds one OIDC provider per URL: a second CreateOpenIDConnectProvider for GitHub's
    // fails with EntityAlreadyExists, so an account that already runs GitHub Actions against AWS
    // reuses its provider. The roles below trust whichever ARN this is.
    this.oidcProviderArn =
      config.github.oidcProvider === "existing"
        ? new DataAwsIamOpenidConnectProvider(this, "github-oidc", { url: GITHUB_OIDC_URL }).arn
        : new IamOpenidConnectProvider(this, "github-oidc", { url: GITHUB_OIDC_URL, clientIdList: [STS_AUDIENCE] }).arn;
    this.planRole = this.addPlanRole();
    const applyRoles: Record<string, IamRole> = {};
    for (const env of config.environments) applyRoles[env] = this.addApplyRole(env);
    this.applyRoles = applyRoles;

    new TerraformOutput(this, "state_bucket", { value: this.bucket.bucket, description: "the environments' state.bucket" });
    new TerraformOutput(this, "gitops_plan_role_arn", {
      value: this.planRole.arn,
      description: "repository variable GITOPS_PLAN_ROLE_ARN",
    });
    for (const [env, role] of Object.entries(applyRoles)) {
      new TerraformOutput(this, `gitops_apply_role_arn_${env}`, {
        value: role.arn,
        description: `variable GITOPS_APPLY_ROLE_ARN of the GitHub environment ${env}`,
      });
    }
    if (this.stateKey) {
      new TerraformOutput(this, "state_kms_key_arn", { value: this.stateKey.arn, description: "the key state objects are encrypted with" });
    }
  }

  private addBackend(): void {
    const { config } = this;
    if (config.backend === "local") {
      new LocalBackend(this, { path: bootstrapLocalStatePath(this.node.id) });
      return;
    }
    const backend = new S3Backend(this, {
      bucket: config.state.bucket,
      key: BOOTSTRAP_STATE_KEY,
      region: config.aws.region,
      encrypt: true,
      kmsKeyId: config.state.encryption === "kms" ? stateKeyAliasArn(config) : undefined,
    });
    backend.addOverride("use_lockfile", true);
  }

  private addStateKey(): KmsKey {
    const key = new KmsKey(this, "state-key", {
      description: `Terraform state in s3://${this.config.state.bucket}`,
      enableKeyRotation: true,
      deletionWindowInDays: 30,
      // Losing the key loses every state file encrypted with it.
      lifecycle: { preventDestroy: true },
    });
    new KmsAlias(this, "state-key-alias", { name: `alias/${this.config.state.kmsKeyAlias}`, targetKeyId: key.keyId });
    return key;
  }

  private addStateBucket(): S3Bucket {
    const { config } = this;
    const bucket = new S3Bucket(this, "state-bucket", {
      bucket: config.state.bucket,
      forceDestroy: false,
      lifecycle: { preventDestroy: true },
    });
    new S3BucketVersioningA(this, "state-versioning", {
      bucket: bucket.id,
      versioningConfiguration: { status: "Enabled" },
    });
    new S3BucketServerSideEncryptionConfigurationA(this, "state-encryption", {
      bucket: bucket.id,
      rule: [
        this.stateKey
          ? {
              applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: this.stateKey.arn },
              // One data key per bucket instead of one KMS call per object: cheaper, same key.
              bucketKeyEnabled: true,
            }
          : { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } },
      ],
    });
    const publicAccess = new S3BucketPublicAccessBlock(this, "state-public-access", {
      bucket: bucket.id,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    new S3BucketOwnershipControls(this, "state-ownership", {
      bucket: bucket.id,
      rule: { objectOwnership: "BucketOwnerEnforced" },
    });
    const tlsOnly = new DataAwsIamPolicyDocument(this, "state-tls-only-policy", {
      statement: [
        {
          sid: "DenyInsecureTransport",
          effect: "Deny",
          actions: ["s3:*"],
          principals: [{ type: "*", identifiers: ["*"] }],
          resources: [this.bucketArn, `${this.bucketArn}/*`],
          condition: [{ test: "Bool", variable: "aws:SecureTransport", values: ["false"] }],
        },
        {
          sid: "DenyOutdatedTls",
          effect: "Deny",
          actions: ["s3:*"],
          principals: [{ type: "*", identifiers: ["*"] }],
          resources: [this.bucketArn, `${this.bucketArn}/*`],
          condition: [{ test: "NumericLessThan", variable: "s3:TlsVersion", values: ["1.2"] }],
        },
      ],
    });
    // After the public access block, so S3 never sees the policy on an unprotected bucket.
    new S3BucketPolicy(this, "state-policy", { bucket: bucket.id, policy: tlsOnly.json, dependsOn: [publicAccess] });
    new S3BucketLifecycleConfiguration(this, "state-lifecycle", {
      bucket: bucket.id,
      rule: [
        {
          id: "expire-noncurrent-versions",
          status: "Enabled",
          filter: [{}],
          // Every lock and every apply leaves a version behind; keep them long enough to roll back.
          noncurrentVersionExpiration: [{ noncurrentDays: config.state.noncurrentVersionExpirationDays }],
          expiration: [{ expiredObjectDeleteMarker: true }],
          abortIncompleteMultipartUpload: [{ daysAfterInitiation: 7 }],
        },
      ],
    });
    return bucket;
  }

  /** Trust for GitHub's OIDC tokens whose `sub` is exactly one of `subjects` (StringEquals: no wildcards). */
  private githubTrust(id: string, subjects: readonly string[]): DataAwsIamPolicyDocument {
    return new DataAwsIamPolicyDocument(this, id, {
      statement: [
        {
          effect: "Allow",
          actions: ["sts:AssumeRoleWithWebIdentity"],
          principals: [{ type: "Federated", identifiers: [this.oidcProviderArn] }],
          condition: [
            { test: "StringEquals", variable: `${GITHUB_OIDC_HOST}:aud`, values: [STS_AUDIENCE] },
            { test: "StringEquals", variable: `${GITHUB_OIDC_HOST}:sub`, values: [...subjects] },
          ],
        },
      ],
    });
  }

  /** Use of the state key, only through S3 (Terraform never calls KMS directly). */
  /** `readOnly`: reading state objects needs only Decrypt; writing them needs a data key. */
  private stateKeyStatements(access: "readOnly" | "readWrite" = "readWrite"): DataAwsIamPolicyDocumentStatement[] {
    if (!this.stateKey) return [];
    return [
      {
        sid: "StateKey",
        effect: "Allow",
        actions: access === "readOnly" ? ["kms:Decrypt"] : ["kms:Decrypt", "kms:GenerateDataKey"],
        resources: [this.stateKey.arn],
        condition: [{ test: "StringEquals", variable: "kms:ViaService", values: [`s3.${this.config.aws.region}.amazonaws.com`] }],
      },
    ];
  }

  private addPlanRole(): IamRole {
    const { owner, repo, defaultBranch } = this.config.github;
    const trust = this.githubTrust("plan-trust", [
      `repo:${owner}/${repo}:pull_request`,
      // The scheduled drift check runs on the default branch.
      `repo:${owner}/${repo}:ref:refs/heads/${defaultBranch}`,
    ]);
    const role = new IamRole(this, "plan-role", {
      name: PLAN_ROLE_NAME,
      description: `Plans of ${owner}/${repo} (pull requests, drift): read-only, state included`,
      assumeRolePolicy: trust.json,
      maxSessionDuration: PLAN_ROLE_MAX_SESSION_SECONDS,
    });
    new IamRolePolicyAttachment(this, "plan-readonly", {
      role: role.name,
      policyArn: `arn:${this.partition}:iam::aws:policy/ReadOnlyAccess`,
    });
    const state = new DataAwsIamPolicyDocument(this, "plan-state-policy", {
      statement: [
        { sid: "ListState", effect: "Allow", actions: ["s3:ListBucket"], resources: [this.bucketArn] },
        { sid: "ReadState", effect: "Allow", actions: ["s3:GetObject"], resources: [`${this.bucketArn}/*`] },
        ...this.stateKeyStatements("readOnly"),
        // Plans run with -lock=false (gitops plan and drift), so this role never writes a lock object.
        // It runs code from any branch: it must not be able to delete a running apply's lock or hold
        // locks that block applies. The deny also holds if someone attaches a broader policy later.
        {
          sid: "NoStateWrites",
          effect: "Deny",
          actions: ["s3:Put*", "s3:Delete*", "s3:Replicate*", "s3:RestoreObject"],
          resources: [this.bucketArn, `${this.bucketArn}/*`],
        },
      ],
    });
    new IamRolePolicy(this, "plan-state", { name: "terraform-state", role: role.id, policy: state.json });
    return role;
  }

  private addApplyRole(env: string): IamRole {
    const { owner, repo } = this.config.github;
    const trust = this.githubTrust(`apply-${env}-trust`, [`repo:${owner}/${repo}:environment:${env}`]);
    const role = new IamRole(this, `apply-${env}-role`, {
      name: applyRoleName(env),
      description: `Applies of ${owner}/${repo} to ${env}, only from the GitHub environment ${env}`,
      assumeRolePolicy: trust.json,
      maxSessionDuration: APPLY_ROLE_MAX_SESSION_SECONDS,
    });
    for (const policy of this.config.applyRole.managedPolicies) {
      new IamRolePolicyAttachment(this, `apply-${env}-${policy.replace(/[^A-Za-z0-9_-]/g, "-")}`, {
        role: role.name,
        policyArn: `arn:${this.partition}:iam::aws:policy/${policy}`,
      });
    }
    const prefix = `${this.bucketArn}/${env}/*`;
    const state = new DataAwsIamPolicyDocument(this, `apply-${env}-state-policy`, {
      statement: [
        { sid: "ListState", effect: "Allow", actions: ["s3:ListBucket"], resources: [this.bucketArn] },
        { sid: "WriteState", effect: "Allow", actions: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"], resources: [prefix] },
        ...this.stateKeyStatements(),
      ],
    });
    new IamRolePolicy(this, `apply-${env}-state`, { name: "terraform-state", role: role.id, policy: state.json });
    new IamRolePolicy(this, `apply-${env}-guard`, { name: "protect-bootstrap", role: role.id, policy: this.guard(env).json });
    return role;
  }

  /**
   * Explicit denies that hold even under AdministratorAccess: an apply role cannot touch the other
   * environments' or the bootstrap's state, the bucket's protection, the OIDC trust or the state key.
   * Not a sandbox (an admin can still create a new role), but it stops the obvious ways of widening
   * its own trust or destroying the state from one environment's workflow.
   */
  private guard(env: string): DataAwsIamPolicyDocument {
    const others = [...this.config.environments.filter((e) => e !== env), BOOTSTRAP].map((e) => `${this.bucketArn}/${e}/*`);
    const statements: DataAwsIamPolicyDocumentStatement[] = [
      {
        sid: "OtherState",
        effect: "Deny",
        actions: ["s3:PutObject", "s3:DeleteObject", "s3:DeleteObjectVersion"],
        resources: others,
      },
      {
        sid: "StateBucket",
        effect: "Deny",
        actions: ["s3:DeleteBucket", "s3:DeleteBucketPolicy", "s3:PutBucket*", "s3:PutEncryptionConfiguration", "s3:PutLifecycleConfiguration"],
        resources: [this.bucketArn],
      },
      {
        sid: "WorkflowRoles",
        effect: "Deny",
        actions: ["iam:Attach*", "iam:Create*", "iam:Delete*", "iam:Detach*", "iam:Put*", "iam:Update*", "iam:Tag*", "iam:Untag*"],
        resources: [`arn:${this.partition}:iam::${this.config.aws.accountId}:role/gitops-*`],
      },
      {
        sid: "GithubTrust",
        effect: "Deny",
        actions: ["iam:*OpenIDConnectProvider*"],
        resources: [this.oidcProviderArn],
      },
    ];
    if (this.stateKey) {
      statements.push({
        sid: "StateKeyAdmin",
        effect: "Deny",
        actions: ["kms:ScheduleKeyDeletion", "kms:DisableKey", "kms:DisableKeyRotation", "kms:PutKeyPolicy", "kms:CreateGrant"],
        resources: [this.stateKey.arn],
      });
    }
    return new DataAwsIamPolicyDocument(this, `apply-${env}-guard-policy`, { statement: statements });
  }
}
