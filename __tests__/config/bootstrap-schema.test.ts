import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  bootstrapConsistencyProblems,
  loadConfigs,
  parseBootstrapConfig,
  type BootstrapConfig,
} from "../../config/bootstrap-schema";
import { ConfigError, loadEnvironmentConfigs, parseYamlFile, type AwsEnvironmentConfig } from "../../config/schema";

const CONFIG_DIR = join(__dirname, "../../config");
const shippedText = readFileSync(join(CONFIG_DIR, "bootstrap.yaml"), "utf8");
const environments = loadEnvironmentConfigs(CONFIG_DIR);

function problemsOf(text: string): string[] {
  const file = "config/bootstrap.yaml";
  const { value, problems } = parseYamlFile(file, text);
  return problems.length ? problems : parseBootstrapConfig(file, value).problems;
}

function configOf(text: string): BootstrapConfig {
  const { value } = parseYamlFile("config/bootstrap.yaml", text);
  const parsed = parseBootstrapConfig("config/bootstrap.yaml", value);
  if (!parsed.config) throw new Error(parsed.problems.join("\n"));
  return parsed.config;
}

const shipped = configOf(shippedText);
const staging = environments.find((c): c is AwsEnvironmentConfig => c.environment === "staging" && c.kind === "aws")!;

/** A copy of config/ in a temp dir, with some files replaced, for the loader tests. */
function configDir(replace: Record<string, string | null>): string {
  const dir = join(mkdtempSync(join(tmpdir(), "bootstrap-config-")), "config");
  cpSync(CONFIG_DIR, dir, { recursive: true, filter: (src) => !src.endsWith(".ts") });
  for (const [name, text] of Object.entries(replace)) {
    if (text === null) rmSync(join(dir, name));
    else writeFileSync(join(dir, name), text);
  }
  return dir;
}

function configErrorOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("bootstrap config", () => {
  it("accepts the shipped file and fills the defaults", () => {
    expect(shipped).toMatchObject({
      github: { owner: "example", repo: "infra", defaultBranch: "main", oidcProvider: "create" },
      state: { bucket: "example-tfstate", encryption: "kms", noncurrentVersionExpirationDays: 90 },
      backend: "local",
      environments: ["production", "staging"],
      applyRole: { managedPolicies: ["AdministratorAccess"] },
    });
    const minimal = shippedText
      .replace(/\n {2}encryption: .*/, "")
      .replace(/\n {2}noncurrentVersionExpirationDays: .*/, "")
      .replace(/\nbackend: .*/, "")
      .replace(/\napplyRole:\n {2}managedPolicies: .*/, "");
    expect(configOf(minimal)).toMatchObject({
      state: { encryption: "kms", kmsKeyAlias: "gitops-tfstate", noncurrentVersionExpirationDays: 90 },
      backend: "local",
      applyRole: { managedPolicies: ["AdministratorAccess"] },
    });
  });

  it("names the missing owner or repository", () => {
    expect(problemsOf(shippedText.replace("  owner: example\n", ""))).toEqual([
      "config/bootstrap.yaml: github.owner: expected a GitHub user or organization name (letters, digits, single -; no wildcard), got nothing (the key is missing)",
    ]);
    expect(problemsOf(shippedText.replace("  repo: infra\n", ""))).toEqual([
      "config/bootstrap.yaml: github.repo: expected a GitHub repository name (letters, digits, . _ -; no wildcard), got nothing (the key is missing)",
    ]);
  });

  it.each([
    ["owner: example", 'owner: "*"', 'github.owner: expected a GitHub user or organization name (letters, digits, single -; no wildcard), got "*"'],
    ["repo: infra", 'repo: "infra*"', 'github.repo: expected a GitHub repository name (letters, digits, . _ -; no wildcard), got "infra*"'],
    ["defaultBranch: main", 'defaultBranch: "release/*"', 'github.defaultBranch: expected a branch name like main (no wildcard), got "release/*"'],
    ["encryption: kms", "encryption: aes", 'state.encryption: expected "kms" or "s3", got "aes"'],
    ["noncurrentVersionExpirationDays: 90", "noncurrentVersionExpirationDays: 0", "state.noncurrentVersionExpirationDays: expected an integer from 1 to 3650, got 0"],
    ['accountId: "123456789012"', "accountId: 123456789012", "aws.accountId: expected a 12-digit AWS account id in quotes, got 123456789012"],
    ["backend: local", "backend: remote", 'backend: expected "local" or "s3", got "remote"'],
    ["oidcProvider: create", "oidcProvider: reuse", 'github.oidcProvider: expected "create" or "existing", got "reuse"'],
    ["environments: [production, staging]", "environments: [production, production]", 'environments.1: expected each environment once, got "production" again'],
    ["environments: [production, staging]", "environments: [bootstrap]", 'environments.0: expected an environment other than "bootstrap", got "bootstrap"'],
    ["env: bootstrap", "env: staging", 'tags.env: expected "bootstrap", got "staging"'],
  ])("rejects %s replaced by %s", (from, to, expected) => {
    const text = shippedText.replace(from, to);
    expect(text).not.toBe(shippedText);
    expect(problemsOf(text)).toContain(`config/bootstrap.yaml: ${expected}`);
  });

  it("rejects unknown keys, naming them", () => {
    expect(problemsOf(shippedText.replace("backend: local", "backend: local\nbackends: s3"))).toEqual([
      'config/bootstrap.yaml: backends: unknown key; expected one of aws, tags, github, state, backend, environments, applyRole, got "backends"',
    ]);
  });
});

describe("bootstrap config against the environment configs", () => {
  it("agrees with the shipped environment configs", () => {
    expect(bootstrapConsistencyProblems(shipped, environments)).toEqual([]);
  });

  it("requires every AWS environment to be listed, and every listed one to exist and use AWS", () => {
    expect(bootstrapConsistencyProblems({ ...shipped, environments: ["staging", "qa", "local"] }, environments)).toEqual([
      'config/bootstrap.yaml: environments: expected to include "production" (config/production.yaml uses AWS), got ["staging","qa","local"]',
      'config/bootstrap.yaml: environments.1: expected an environment with a config/qa.yaml, got "qa"',
      'config/bootstrap.yaml: environments.2: expected an environment that uses AWS, got "local" (a local cluster)',
    ]);
  });

  it("names an environment whose bucket, key, account or roles differ from what bootstrap creates", () => {
    const drifted: AwsEnvironmentConfig = {
      ...staging,
      aws: { ...staging.aws, allowedAccountIds: ["210987654321"] },
      state: { bucket: "other-tfstate", region: "eu-west-1" },
      cluster: { ...staging.cluster, adminRoleArns: ["arn:aws:iam::123456789012:role/admin"], readerRoleArns: [] },
    };
    expect(bootstrapConsistencyProblems({ ...shipped, environments: ["staging"] }, [drifted])).toEqual([
      'config/staging.yaml: state.bucket: expected "example-tfstate" (the bucket of config/bootstrap.yaml), got "other-tfstate"',
      'config/staging.yaml: state.region: expected "eu-north-1" (the region of config/bootstrap.yaml), got "eu-west-1"',
      'config/staging.yaml: state.kmsKeyId: expected "arn:aws:kms:eu-north-1:123456789012:alias/gitops-tfstate" (the bucket uses SSE-KMS), got nothing (the key is missing)',
      'config/staging.yaml: aws.allowedAccountIds: expected to include "123456789012" (the account of config/bootstrap.yaml), got ["210987654321"]',
      'config/staging.yaml: cluster.adminRoleArns: expected to include "arn:aws:iam::123456789012:role/gitops-apply-staging" (the apply role of this environment), got ["arn:aws:iam::123456789012:role/admin"]',
      'config/staging.yaml: cluster.readerRoleArns: expected to include "arn:aws:iam::123456789012:role/gitops-plan" (the plan role), got []',
    ]);
  });

  it("wants Argo CD to pull from this repository, in any URL form GitHub accepts", () => {
    const pulling = (repoUrl: string) => bootstrapConsistencyProblems({ ...shipped, environments: ["staging"] }, [{ ...staging, gitops: { ...staging.gitops, repoUrl } }]);
    for (const same of ["https://github.com/example/infra", "https://github.com/Example/Infra.git", "git@github.com:example/infra.git", "ssh://git@github.com/example/infra"]) {
      expect([same, pulling(same)]).toEqual([same, []]);
    }
    expect(pulling("https://github.com/someone-else/infra")).toEqual([
      'config/staging.yaml: gitops.repoUrl: expected this repository, github.com/example/infra (github.owner/repo of config/bootstrap.yaml), got "https://github.com/someone-else/infra"',
    ]);
    expect(pulling("https://gitlab.com/example/infra")).toHaveLength(1);
    expect(pulling("https://github.com/example/infra-apps")).toHaveLength(1);
  });

  it("wants no KMS key in the environments when the bucket uses SSE-S3", () => {
    const sseS3 = { ...shipped, state: { ...shipped.state, encryption: "s3" as const } };
    expect(bootstrapConsistencyProblems(sseS3, [staging])).toContain(
      'config/staging.yaml: state.kmsKeyId: expected no key (config/bootstrap.yaml uses SSE-S3), got "arn:aws:kms:eu-north-1:123456789012:alias/gitops-tfstate"',
    );
  });
});

describe("loadConfigs", () => {
  it("loads every environment and the bootstrap config without --env", () => {
    const loaded = loadConfigs(CONFIG_DIR);
    expect(loaded.environments.map((c) => c.environment)).toEqual(["local", "production", "staging"]);
    expect(loaded.bootstraps.map((b) => [b.stack, b.config.state.bucket])).toEqual([["bootstrap", "example-tfstate"]]);
  });

  it("selects only the bootstrap stack with --env bootstrap, and leaves it out otherwise", () => {
    expect(loadConfigs(CONFIG_DIR, ["bootstrap"])).toEqual({ environments: [], bootstraps: [{ stack: "bootstrap", file: "config/bootstrap.yaml", config: shipped }] });
    const staged = loadConfigs(CONFIG_DIR, ["staging"]);
    expect(staged.environments.map((c) => c.environment)).toEqual(["staging"]);
    expect(staged.bootstraps).toEqual([]);
  });

  it("reports the environment configs' and the bootstrap config's errors together", () => {
    const dir = configDir({
      "staging.yaml": readFileSync(join(CONFIG_DIR, "staging.yaml"), "utf8").replace("minSize: 2", "minSize: 0"),
      "bootstrap.yaml": shippedText.replace("  owner: example\n", ""),
    });
    const problems = configErrorOf(() => loadConfigs(dir, ["bootstrap"]));
    expect(problems).toEqual([
      "config/staging.yaml: cluster.nodeGroups.default.minSize: expected an integer >= 1, got 0",
      expect.stringMatching(/^config\/bootstrap\.yaml: github\.owner: expected a GitHub user/),
    ]);
  });

  it("fails when an environment disagrees with the bootstrap config", () => {
    const dir = configDir({ "bootstrap.yaml": shippedText.replace("bucket: example-tfstate", "bucket: renamed-tfstate") });
    expect(configErrorOf(() => loadConfigs(dir))).toEqual([
      'config/production.yaml: state.bucket: expected "renamed-tfstate" (the bucket of config/bootstrap.yaml), got "example-tfstate"',
      'config/staging.yaml: state.bucket: expected "renamed-tfstate" (the bucket of config/bootstrap.yaml), got "example-tfstate"',
    ]);
  });

  it("works without a bootstrap.yaml, and says so when --env bootstrap asks for it", () => {
    const dir = configDir({ "bootstrap.yaml": null });
    expect(loadConfigs(dir).bootstraps).toEqual([]);
    expect(configErrorOf(() => loadConfigs(dir, ["bootstrap"]))).toEqual([
      "--env bootstrap: no config/bootstrap.yaml; expected one of local, production, staging",
    ]);
  });
});
