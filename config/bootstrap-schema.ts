// The bootstrap config format (config/bootstrap.yaml), its loader, and the rules that keep the
// environment configs consistent with what the bootstrap stack creates (bucket, key, role ARNs).
import { existsSync, readdirSync, readFileSync } from "node:fs";
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
 * What an environment config must agree on with the bootstrap config of its account, so that the
 * backends find the bucket and key, and the workflows' roles can reach the clusters. One line per mismatch.
 */
function agreementProblems(bootstrap: BootstrapConfig, env: AwsEnvironmentConfig, configDir: string, bootstrapFile: string, oneAccountEach: boolean): string[] {
  const problems: string[] = [];
  const file = `${configDir}/${env.environment}.yaml`;
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
  if (oneAccountEach ? accounts !== undefined && (accounts.length !== 1 || accounts[0] !== bootstrap.aws.accountId) : accounts && !accounts.includes(bootstrap.aws.accountId)) {
    problems.push(
      `${file}: aws.allowedAccountIds: expected ${oneAccountEach ? "exactly" : "to include"} "${bootstrap.aws.accountId}" (the account of ${bootstrapFile}), got ${JSON.stringify(accounts)}`,
    );
  }
  for (const key of ["adminRoleArns", "readerRoleArns"] as const) {
    env.cluster[key].forEach((arn, i) => {
      const account = arn.split(":")[4];
      if (account !== bootstrap.aws.accountId) {
        problems.push(`${file}: cluster.${key}.${i}: expected a role of account ${bootstrap.aws.accountId} (${bootstrapFile}), got "${arn}"`);
      }
    });
  }
  const apply = roleArn(bootstrap, applyRoleName(env.environment));
  if (!env.cluster.adminRoleArns.includes(apply)) {
    problems.push(
      `${file}: cluster.adminRoleArns: expected to include "${apply}" (the apply role of this environment), got ${JSON.stringify(env.cluster.adminRoleArns)}`,
    );
  }
  const plan = roleArn(bootstrap, PLAN_ROLE_NAME);
  if (!env.cluster.readerRoleArns.includes(plan)) {
    problems.push(`${file}: cluster.readerRoleArns: expected to include "${plan}" (the plan role), got ${JSON.stringify(env.cluster.readerRoleArns)}`);
  }
  // Argo CD pulls gitops/ from the repository whose pull requests are planned and applied: a fork
  // that renames github.owner/repo but keeps the old repoUrl would deploy someone else's apps.
  const repository = `${bootstrap.github.owner}/${bootstrap.github.repo}`;
  if (githubRepository(env.gitops.repoUrl) !== repository.toLowerCase()) {
    problems.push(`${file}: gitops.repoUrl: expected this repository, github.com/${repository} (github.owner/repo of ${bootstrapFile}), got "${env.gitops.repoUrl}"`);
  }
  return problems;
}

/** Every environment a bootstrap lists must have a config that uses AWS. */
function listedProblems(bootstrap: BootstrapConfig, environments: readonly EnvironmentConfig[], bootstrapFile: string, configDir: string): string[] {
  const problems: string[] = [];
  bootstrap.environments.forEach((name, i) => {
    const config = environments.find((c) => c.environment === name);
    if (!config) {
      problems.push(`${bootstrapFile}: environments.${i}: expected an environment with a ${configDir}/${name}.yaml, got "${name}"`);
    } else if (config.kind === "local") {
      problems.push(`${bootstrapFile}: environments.${i}: expected an environment that uses AWS, got "${name}" (a local cluster)`);
    }
  });
  return problems;
}

/** One account for every environment (config/bootstrap.yaml): every AWS environment must be listed and agree. */
export function bootstrapConsistencyProblems(bootstrap: BootstrapConfig, environments: readonly EnvironmentConfig[], configDir = "config"): string[] {
  const bootstrapFile = `${configDir}/bootstrap.yaml`;
  const problems: string[] = [];
  for (const env of environments.filter((c): c is AwsEnvironmentConfig => c.kind === "aws")) {
    if (!bootstrap.environments.includes(env.environment)) {
      problems.push(`${bootstrapFile}: environments: expected to include "${env.environment}" (${configDir}/${env.environment}.yaml uses AWS), got ${JSON.stringify(bootstrap.environments)}`);
    }
    problems.push(...agreementProblems(bootstrap, env, configDir, bootstrapFile, false));
  }
  return [...problems, ...listedProblems(bootstrap, environments, bootstrapFile, configDir)];
}

/** One bootstrap per AWS account (config/bootstrap/<name>.yaml): each environment belongs to exactly one. */
export function accountConsistencyProblems(accounts: readonly BootstrapAccount[], environments: readonly EnvironmentConfig[], configDir = "config"): string[] {
  const problems: string[] = [];
  for (const env of environments.filter((c): c is AwsEnvironmentConfig => c.kind === "aws")) {
    const owners = accounts.filter((a) => a.config.environments.includes(env.environment));
    const file = `${configDir}/${env.environment}.yaml`;
    if (owners.length === 0) {
      problems.push(`${file}: environment: expected to be listed in the environments of exactly one of ${accounts.map((a) => a.file).join(", ")}, got none`);
    } else if (owners.length > 1) {
      problems.push(`${file}: environment: expected to be listed by exactly one account, got ${owners.map((a) => a.file).join(" and ")}`);
    } else {
      problems.push(...agreementProblems(owners[0]!.config, env, configDir, owners[0]!.file, true));
    }
  }
  const buckets = new Map<string, string>();
  for (const account of accounts) {
    problems.push(...listedProblems(account.config, environments, account.file, configDir));
    const other = buckets.get(account.config.state.bucket);
    if (other) problems.push(`${account.file}: state.bucket: expected a bucket of this account's own, got "${account.config.state.bucket}" (also in ${other})`);
    buckets.set(account.config.state.bucket, account.file);
  }
  return problems;
}

/** A bootstrap stack: one AWS account's state bucket, OIDC provider and roles. */
export interface BootstrapAccount {
  /** Stack id: `bootstrap` for config/bootstrap.yaml, `bootstrap-<name>` for config/bootstrap/<name>.yaml. */
  readonly stack: string;
  /** The config file, for messages. */
  readonly file: string;
  readonly config: BootstrapConfig;
}

const ACCOUNT_FILE = /^([a-z][a-z0-9-]{0,30})\.ya?ml$/;

/** config/bootstrap.yaml (one account) or config/bootstrap/<name>.yaml (one per account); both is an error. */
export function loadBootstrapAccounts(dir: string): { accounts: BootstrapAccount[]; problems: string[] } {
  const single = loadBootstrapConfig(dir);
  const perAccountDir = join(dir, BOOTSTRAP);
  const perAccount = existsSync(perAccountDir) ? readdirSync(perAccountDir).filter((f) => /\.ya?ml$/.test(f)).sort() : [];
  const base = basename(dir);
  if (existsSync(join(dir, "bootstrap.yaml")) && perAccount.length > 0) {
    return {
      accounts: [],
      problems: [`${base}/bootstrap.yaml and ${base}/bootstrap/: expected one of them (bootstrap.yaml for one account, bootstrap/<name>.yaml for one per account), got both`],
    };
  }
  if (perAccount.length === 0) {
    return { accounts: single.config ? [{ stack: BOOTSTRAP, file: `${base}/bootstrap.yaml`, config: single.config }] : [], problems: single.problems };
  }
  const accounts: BootstrapAccount[] = [];
  const problems: string[] = [];
  for (const name of perAccount) {
    const file = `${base}/${BOOTSTRAP}/${name}`;
    const m = ACCOUNT_FILE.exec(name);
    if (!m) {
      problems.push(`${file}: expected a file name of lowercase letters, digits and - (it names the stack bootstrap-<name>)`);
      continue;
    }
    const { value, problems: yamlProblems } = parseYamlFile(file, readFileSync(join(perAccountDir, name), "utf8"));
    if (yamlProblems.length) {
      problems.push(...yamlProblems);
      continue;
    }
    const parsed = parseBootstrapConfig(file, value);
    if (parsed.config) accounts.push({ stack: `${BOOTSTRAP}-${m[1]}`, file, config: parsed.config });
    else problems.push(...parsed.problems);
  }
  const ids = new Map<string, string>();
  for (const a of accounts) {
    const other = ids.get(a.config.aws.accountId);
    if (other) problems.push(`${a.file}: aws.accountId: expected one file per account, got "${a.config.aws.accountId}" (also in ${other})`);
    ids.set(a.config.aws.accountId, a.file);
  }
  return { accounts, problems };
}

export interface LoadedConfigs {
  readonly environments: EnvironmentConfig[];
  /** The bootstrap stacks that were selected: one per AWS account. */
  readonly bootstraps: BootstrapAccount[];
}

/**
 * Loads every environment config and the bootstrap configs, checks them against each other, then
 * keeps the selected ones (`--env`; `bootstrap` or `bootstrap-<name>` selects a bootstrap stack). Every
 * problem of every file is reported in one ConfigError.
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
  const { accounts, problems: bootstrapProblems } = loadBootstrapAccounts(dir);
  problems.push(...bootstrapProblems);
  // Cross-checks only make sense on configs that are valid on their own.
  if (accounts.length > 0 && problems.length === 0) {
    const single = accounts.length === 1 && accounts[0]!.stack === BOOTSTRAP;
    problems.push(...(single ? bootstrapConsistencyProblems(accounts[0]!.config, environments, basename(dir)) : accountConsistencyProblems(accounts, environments, basename(dir))));
  }
  if (only?.length) {
    // Names come from the files, so a file with errors is still a known name.
    const known = environmentFiles(dir).map((f) => basename(f).replace(/\.ya?ml$/, ""));
    if (existsSync(join(dir, "bootstrap.yaml"))) known.push(BOOTSTRAP);
    known.push(...accounts.filter((a) => a.stack !== BOOTSTRAP).map((a) => a.stack));
    for (const name of only) {
      if (!known.includes(name)) {
        problems.push(`--env ${name}: no ${basename(dir)}/${name}.yaml; expected one of ${known.join(", ")}`);
      }
    }
  }
  if (problems.length) throw new ConfigError(problems);
  if (!only?.length) return { environments, bootstraps: accounts };
  return {
    environments: environments.filter((c) => only.includes(c.environment)),
    bootstraps: accounts.filter((a) => only.includes(a.stack)),
  };
}
