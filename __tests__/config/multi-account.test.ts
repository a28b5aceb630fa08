// One AWS account per environment: config/bootstrap/<name>.yaml per account, each environment in
// exactly one, and everything an environment names (bucket, key, account, roles) from that account.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { ConfigError } from "../../config/schema";
import { loadConfigs } from "../../config/bootstrap-schema";
import { CONFIG_DIR, multiAccountConfigDir } from "./multi-account-fixture";

function problems(dir: string): string[] {
  try {
    loadConfigs(dir);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
}

describe("one AWS account per environment", () => {
  it("loads one bootstrap stack per account file", () => {
    const loaded = loadConfigs(multiAccountConfigDir());
    expect(loaded.bootstraps.map((b) => [b.stack, b.config.aws.accountId, b.config.environments])).toEqual([
      ["bootstrap-production-account", "222222222222", ["production"]],
      ["bootstrap-staging-account", "111111111111", ["staging"]],
    ]);
    expect(loadConfigs(multiAccountConfigDir(), ["bootstrap-staging-account"]).bootstraps.map((b) => b.stack)).toEqual(["bootstrap-staging-account"]);
  });

  it("refuses bootstrap.yaml and bootstrap/ together", () => {
    const dir = multiAccountConfigDir();
    writeFileSync(join(dir, "bootstrap.yaml"), "{}");
    expect(problems(dir)).toEqual([
      "config/bootstrap.yaml and config/bootstrap/: expected one of them (bootstrap.yaml for one account, bootstrap/<name>.yaml for one per account), got both",
    ]);
  });

  it("refuses an environment listed by no account, or by two", () => {
    const none = multiAccountConfigDir((f) => f.set("bootstrap/staging-account.yaml", f.get("bootstrap/staging-account.yaml")!.replace("environments: [staging]", "environments: [qa]")));
    expect(problems(none)).toContain(
      "config/staging.yaml: environment: expected to be listed in the environments of exactly one of config/bootstrap/production-account.yaml, config/bootstrap/staging-account.yaml, got none",
    );
    const both = multiAccountConfigDir((f) => f.set("bootstrap/production-account.yaml", f.get("bootstrap/production-account.yaml")!.replace("environments: [production]", "environments: [production, staging]")));
    expect(problems(both)).toContain("config/staging.yaml: environment: expected to be listed by exactly one account, got config/bootstrap/production-account.yaml and config/bootstrap/staging-account.yaml");
  });

  it.each([
    ["the other account's bucket", "bucket: staging-tfstate", "bucket: production-tfstate", 'config/staging.yaml: state.bucket: expected "staging-tfstate" (the bucket of config/bootstrap/staging-account.yaml), got "production-tfstate"'],
    ["the other account", 'allowedAccountIds: ["111111111111"]', 'allowedAccountIds: ["111111111111", "222222222222"]', 'config/staging.yaml: aws.allowedAccountIds: expected exactly "111111111111" (the account of config/bootstrap/staging-account.yaml), got ["111111111111","222222222222"]'],
    ["a role of the other account", "arn:aws:iam::111111111111:role/gitops-plan", "arn:aws:iam::222222222222:role/gitops-plan", 'config/staging.yaml: cluster.readerRoleArns.0: expected a role of account 111111111111 (config/bootstrap/staging-account.yaml), got "arn:aws:iam::222222222222:role/gitops-plan"'],
    ["the other account's key", "arn:aws:kms:eu-north-1:111111111111:alias/gitops-tfstate", "arn:aws:kms:eu-north-1:222222222222:alias/gitops-tfstate", 'config/staging.yaml: state.kmsKeyId: expected "arn:aws:kms:eu-north-1:111111111111:alias/gitops-tfstate" (the bucket uses SSE-KMS), got "arn:aws:kms:eu-north-1:222222222222:alias/gitops-tfstate"'],
  ])("refuses %s in an environment, naming file and key", (_what, from, to, expected) => {
    const dir = multiAccountConfigDir((f) => {
      const text = f.get("staging.yaml")!;
      if (!text.includes(from)) throw new Error(`staging.yaml has no ${from}`);
      f.set("staging.yaml", text.replace(from, to));
    });
    expect(problems(dir)).toContain(expected);
  });

  it("keeps the one-account layout as it was", () => {
    expect(loadConfigs(CONFIG_DIR).bootstraps.map((b) => b.stack)).toEqual(["bootstrap"]);
  });
});
