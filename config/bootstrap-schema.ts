// The bootstrap config format (config/bootstrap.yaml), its loader, and the rules that keep the
// environment configs consistent with what the bootstrap stack creates (bucket, key, role ARNs).
import { existsSync, readFileSync } from "node:fs";
import { partitionOf } from "../constructs/partition";
import { basename, join } from "node:path";
import { z } from "zod";
import { githubRepository } from "../constructs/policies/github-repository";
import {
  ACCOUNT_ID,
  AWS_REGION,
  ConfigError,
  environmentFiles,
  formatIssues,
  int,
  loadEnvironmentConfigs,
  matching,
  parseYamlFile,
  TagsSchema,
  type AwsEnvironmentConfig,
  type EnvironmentConfig,
} from "./schema";

/** The stack id, and the name `--env` selects it by. */
export const BOOTSTRAP = "bootstrap";
export const PLAN_ROLE_NAME = "gitops-plan";
export const applyRoleName = (environment: string): string => `gitops-apply-${environment}`;
/** Where the bootstrap stack keeps its own state once migrated into the bucket. */
export const BOOTSTRAP_STATE_KEY = "bootstrap/terraform.tfstate";

// GitHub's rules: owners are 1-39 letters, digits or single hyphens; repositories letters, digits, . _ -.
// Neither admits `*` or `?`, so a trust policy built from them can never be a wildcard.
const GITHUB_OWNER = /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/;
const GITHUB_REPO = /^(?!\.{1,2}$)[A-Za-z0-9._-]{1,100}$/;
const BRANCH = /^(?!\/)(?!.*\/\/)(?!.*\.\.)[A-Za-z0-9._/-]{1,200}(?<![/.])$/;
const ENVIRONMENT = /^[a-z][a-z0-9-]{0,20}$/;
/** AWS managed policy names, optionally with their path (`job-function/ViewOnlyAccess`). */
const MANAGED_POLICY = /^([A-Za-z0-9_+=,.@-]+\/)*[A-Za-z0-9_+=,.@-]{1,128}$/;
const KMS_ALIAS_NAME = /^(?!aws\/)[A-Za-z0-9/_-]{1,240}$/;

export const BootstrapSchema = z.strictObject({
  aws: z.strictObject({
    region: matching(AWS_REGION, "an AWS region name like eu-north-1"),
    /** The one account the bootstrap stack, the state bucket and every environment live in. */
    accountId: matching(ACCOUNT_ID, "a 12-digit AWS account id in quotes"),
  }),
  tags: TagsSchema,
  github: z.strictObject({
    owner: matching(GITHUB_OWNER, "a GitHub user or organization name (letters, digits, single -; no wildcard)"),
    repo: matching(GITHUB_REPO, "a GitHub repository name (letters, digits, . _ -; no wildcard)"),
    /** The branch the apply and drift workflows run on. */
    defaultBranch: matching(BRANCH, "a branch name like main (no wildcard)").default("main"),
    /**
     * An account holds one IAM OIDC provider per URL: `existing` when token.actions.githubusercontent.com
     * is already there (`aws iam list-open-id-connect-providers`), so the stack looks it up instead.
     */
    oidcProvider: z.enum(["create", "existing"], { error: 'expected "create" or "existing"' }).default("create"),
  }),
  state: z.strictObject({
    bucket: matching(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, "an S3 bucket name"),
    /** SSE-KMS with a customer managed key that rotates yearly, or SSE-S3. */
    encryption: z.enum(["kms", "s3"], { error: 'expected "kms" or "s3"' }).default("kms"),
    /** Alias of that key, without `alias/`. */
    kmsKeyAlias: matching(KMS_ALIAS_NAME, "a KMS alias name without alias/ (letters, digits, / _ -)").default("gitops-tfstate"),
    /** Old state versions are kept this long, so a bad apply can be rolled back by hand. */
    noncurrentVersionExpirationDays: int(1, 3650).default(90),
  }),
  /**
   * Where the bootstrap stack keeps its own state: `local` for the first apply (the bucket does not
   * exist yet), then `s3` once it has been migrated with `terraform init -migrate-state`.
   */
  backend: z.enum(["local", "s3"], { error: 'expected "local" or "s3"' }).default("local"),
  /** Environments that get a `gitops-apply-<env>` role, trusted for the GitHub environment of that name. */
  environments: z
    .array(matching(ENVIRONMENT, "an environment name of lowercase letters, digits and -"), { error: "expected a list" })
    .min(1, { error: "expected at least one environment" }),
  applyRole: z
    .strictObject({
      /** AWS managed policies attached to every apply role (never a customer policy: see docs/aws-setup.md). */
      managedPolicies: z
        .array(matching(MANAGED_POLICY, "an AWS managed policy name like AdministratorAccess"), { error: "expected a list" })
        .min(1, { error: "expected at least one managed policy" })
        .default(["AdministratorAccess"]),
    })
    .default({ managedPolicies: ["AdministratorAccess"] }),
});

export type BootstrapConfig = z.output<typeof BootstrapSchema>;

export { partitionOf };

export function roleArn(config: BootstrapConfig, roleName: string): string {
  return `arn:${partitionOf(config.aws.region)}:iam::${config.aws.accountId}:role/${roleName}`;
}

/** The alias ARN the environment backends name as `state.kmsKeyId` (known before the key exists). */
export function stateKeyAliasArn(config: BootstrapConfig): string {
  return `arn:${partitionOf(config.aws.region)}:kms:${config.aws.region}:${config.aws.accountId}:alias/${config.state.kmsKeyAlias}`;
}

/** Validates one parsed YAML document; returns the config or the list of problems. */
export function parseBootstrapConfig(
  file: string,
  raw: unknown,
): { config: BootstrapConfig; problems: [] } | { config?: undefined; problems: string[] } {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    return { problems: [`${file}: (top level): expected a mapping of keys, got ${JSON.stringify(raw) ?? "nothing"}`] };
  }
  const result = BootstrapSchema.safeParse(raw);
  if (!result.success) return { problems: formatIssues(file, raw, result.error.issues, BootstrapSchema) };
  const config = result.data;
  const problems: string[] = [];
  const seen = new Set<string>();
  config.environments.forEach((env, i) => {
    if (env === BOOTSTRAP) problems.push(`${file}: environments.${i}: expected an environment other than "bootstrap", got "bootstrap"`);
    if (seen.has(env)) problems.push(`${file}: environments.${i}: expected each environment once, got "${env}" again`);
    seen.add(env);
  });
  if (config.tags.env !== BOOTSTRAP) {
    problems.push(`${file}: tags.env: expected "bootstrap", got "${config.tags.env}"`);
  }
  return problems.length ? { problems } : { config, problems: [] };
}

/** Reads `dir/bootstrap.yaml` when it exists; `undefined` config when the file is absent. */
export function loadBootstrapConfig(dir: string): { config?: BootstrapConfig; problems: string[] } {
  const path = join(dir, "bootstrap.yaml");
  if (!existsSync(path)) return { problems: [] };
  const file = join(basename(dir), "bootstrap.yaml");
  const { value, problems } = parseYamlFile(file, readFileSync(path, "utf8"));
  if (problems.length) return { problems };
  return parseBootstrapConfig(file, value);
}

/**
 * What an environment config must agree on with the bootstrap config, so that the backends find the
 * bucket and key, and the workflows' roles can reach the clusters. One line per mismatch.
 */
export function bootstrapConsistencyProblems(
  bootstrap: BootstrapConfig,
  environments: readonly EnvironmentConfig[],
  configDir = "config",
): string[] {
  const problems: string[] = [];
  const bootstrapFile = `${configDir}/bootstrap.yaml`;
  const aws = environments.filter((c): c is AwsEnvironmentConfig => c.kind === "aws");
  for (const env of aws) {
    const file = `${configDir}/${env.environment}.yaml`;
    if (!bootstrap.environments.includes(env.environment)) {
      problems.push(
        `${bootstrapFile}: environments: expected to include "${env.environment}" (${file} uses AWS), got ${JSON.stringify(bootstrap.environments)}`,
      );
    }
    if (env.state.bucket !== bootstrap.state.bucket) {
      problems.push(`${file}: state.bucket: expected "${bootstrap.state.bucket}" (the bucket of ${bootstrapFile}), got "${env.state.bucket}"`);
    }
    if (env.state.region !== bootstrap.aws.region) {
      problems.push(`${file}: state.region: expected "${bootstrap.aws.region}" (the region of ${bootstrapFile}), got "${env.state.region}"`);
    }
    const keyArn = bootstrap.state.encryption === "kms" ? stateKeyAliasArn(bootstrap) : undefined;
    if (env.state.kmsKeyId !== keyArn) {
      problems.push(
        keyArn
          ? `${file}: state.kmsKeyId: expected "${keyArn}" (the bucket uses SSE-KMS), got ${JSON.stringify(env.state.kmsKeyId) ?? "nothing (the key is missing)"}`
          : `${file}: state.kmsKeyId: expected no key (${bootstrapFile} uses SSE-S3), got "${env.state.kmsKeyId}"`,
      );
    }
    const accounts = env.aws.allowedAccountIds;
    if (accounts && !accounts.includes(bootstrap.aws.accountId)) {
      problems.push(
        `${file}: aws.allowedAccountIds: expected to include "${bootstrap.aws.accountId}" (the account of ${bootstrapFile}), got ${JSON.stringify(accounts)}`,
      );
    }
    const apply = roleArn(bootstrap, applyRoleName(env.environment));
    if (!env.cluster.adminRoleArns.includes(apply)) {
      problems.push(
        `${file}: cluster.adminRoleArns: expected to include "${apply}" (the apply role of this environment), got ${JSON.stringify(env.cluster.adminRoleArns)}`,
      );
    }
    const plan = roleArn(bootstrap, PLAN_ROLE_NAME);
    if (!env.cluster.readerRoleArns.includes(plan)) {
      problems.push(
        `${file}: cluster.readerRoleArns: expected to include "${plan}" (the plan role), got ${JSON.stringify(env.cluster.readerRoleArns)}`,
      );
    }
    // Argo CD pulls gitops/ from the repository whose pull requests are planned and applied: a fork
    // that renames github.owner/repo but keeps the old repoUrl would deploy someone else's apps.
    const repository = `${bootstrap.github.owner}/${bootstrap.github.repo}`;
    if (githubRepository(env.gitops.repoUrl) !== repository.toLowerCase()) {
      problems.push(
        `${file}: gitops.repoUrl: expected this repository, github.com/${repository} (github.owner/repo of ${bootstrapFile}), got "${env.gitops.repoUrl}"`,
      );
    }
  }
  const known = new Set(environments.map((c) => c.environment));
  bootstrap.environments.forEach((name, i) => {
    const config = environments.find((c) => c.environment === name);
    if (!known.has(name)) {
      problems.push(`${bootstrapFile}: environments.${i}: expected an environment with a config/${name}.yaml, got "${name}"`);
    } else if (config?.kind === "local") {
      problems.push(`${bootstrapFile}: environments.${i}: expected an environment that uses AWS, got "${name}" (a local cluster)`);
    }
  });
  return problems;
}

export interface LoadedConfigs {
  readonly environments: EnvironmentConfig[];
  /** Present when config/bootstrap.yaml exists and was selected. */
  readonly bootstrap?: BootstrapConfig;
}

/**
 * Loads every environment config and the bootstrap config, checks them against each other, then
 * keeps the selected ones (`--env`; `bootstrap` selects the bootstrap stack). Every problem of every
 * file is reported in one ConfigError.
 */
export function loadConfigs(dir: string, only?: readonly string[]): LoadedConfigs {
  const problems: string[] = [];
  let environments: EnvironmentConfig[] = [];
  try {
    environments = loadEnvironmentConfigs(dir);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    problems.push(...error.problems);
  }
  const bootstrap = loadBootstrapConfig(dir);
  problems.push(...bootstrap.problems);
  // Cross-checks only make sense on configs that are valid on their own.
  if (bootstrap.config && problems.length === 0) {
    problems.push(...bootstrapConsistencyProblems(bootstrap.config, environments, basename(dir)));
  }
  if (only?.length) {
    // Names come from the files, so a file with errors is still a known name.
    const known = environmentFiles(dir).map((f) => basename(f).replace(/\.ya?ml$/, ""));
    if (existsSync(join(dir, "bootstrap.yaml"))) known.push(BOOTSTRAP);
    for (const name of only) {
      if (!known.includes(name)) {
        problems.push(`--env ${name}: no ${basename(dir)}/${name}.yaml; expected one of ${known.join(", ")}`);
      }
    }
  }
  if (problems.length) throw new ConfigError(problems);
  if (!only?.length) return { environments, bootstrap: bootstrap.config };
  return {
    environments: environments.filter((c) => only.includes(c.environment)),
    bootstrap: only.includes(BOOTSTRAP) ? bootstrap.config : undefined,
  };
}
