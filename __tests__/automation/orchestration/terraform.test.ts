import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  assertSupportedVersion,
  compareVersions,
  createTerraformRunner,
  ProcessTerraformRunner,
  resolveTerraformBinary,
  type TerraformRunner,
} from "../../../automation/terraform";

/** A stand-in `terraform` that records its arguments and answers like the real one. */
function stubTerraform(script: string): { bin: string; dir: string; calls: () => string[] } {
  const dir = mkdtempSync(join(tmpdir(), "tfstub-"));
  const bin = join(dir, "terraform");
  const log = join(dir, "calls.log");
  writeFileSync(bin, `#!/bin/sh\necho "$PWD|$*" >> ${log}\n${script}\n`);
  chmodSync(bin, 0o755);
  return { bin, dir, calls: () => readFileSync(log, "utf8").trim().split("\n") };
}

describe("resolveTerraformBinary", () => {
  it("prefers --terraform, then GITOPS_TERRAFORM, then PATH", () => {
    const a = stubTerraform("exit 0");
    const b = stubTerraform("exit 0");
    expect(resolveTerraformBinary(a.bin, { GITOPS_TERRAFORM: b.bin, PATH: b.dir })).toBe(a.bin);
    expect(resolveTerraformBinary(undefined, { GITOPS_TERRAFORM: b.bin, PATH: a.dir })).toBe(b.bin);
    expect(resolveTerraformBinary(undefined, { PATH: `/nonexistent:${a.dir}` })).toBe(a.bin);
  });

  it("explains a missing binary and what to install", () => {
    expect(() => resolveTerraformBinary(undefined, { PATH: "/nonexistent" })).toThrow(
      'terraform not found (looked for "terraform" on PATH); install Terraform >= 1.10 (or OpenTofu)',
    );
    expect(() => resolveTerraformBinary("/nope/terraform", {})).toThrow("terraform not found at /nope/terraform; install Terraform >= 1.10");
  });
});

describe("version check", () => {
  it("compares versions numerically", () => {
    expect(compareVersions("1.10.0", "1.9.8")).toBe(1);
    expect(compareVersions("1.10.0-beta1", "1.10.0")).toBe(0);
    expect(compareVersions("v1.2", "1.2.0")).toBe(0);
  });

  it("refuses Terraform older than 1.10", async () => {
    const old: Pick<TerraformRunner, "version"> = { version: async () => "1.9.8" };
    await expect(assertSupportedVersion(old as TerraformRunner)).rejects.toThrow("terraform 1.9.8 is too old");
    const stub = stubTerraform(`echo '{"terraform_version":"1.5.7","platform":"linux_amd64"}'`);
    await expect(createTerraformRunner(stub.bin, {})).rejects.toThrow("terraform 1.5.7 is too old");
    const current = stubTerraform(`echo '{"terraform_version":"1.11.4","platform":"linux_amd64"}'`);
    await expect(createTerraformRunner(undefined, { GITOPS_TERRAFORM: current.bin })).resolves.toBeInstanceOf(ProcessTerraformRunner);
  });
});

describe("ProcessTerraformRunner", () => {
  it("passes the documented arguments and maps -detailed-exitcode", async () => {
    const stub = stubTerraform(`
case "$1" in
  plan) echo "planning"; echo "oops" >&2; exit \${PLAN_EXIT:-2} ;;
  show) echo '{"format_version":"1.2"}' ;;
  *) echo "ok" ;;
esac`);
    const lines: string[] = [];
    const runner = new ProcessTerraformRunner(stub.bin, { PATH: process.env.PATH ?? "" });
    const log = (line: string, stream: string) => lines.push(`${stream}:${line}`);
    expect((await runner.init(stub.dir, log)).exitCode).toBe(0);
    const plan = await runner.plan(stub.dir, "plan.tfplan", log);
    expect(plan).toMatchObject({ outcome: "changes", exitCode: 2, stderr: "oops\n" });
    expect(await runner.showJson(stub.dir, "plan.tfplan")).toBe('{"format_version":"1.2"}\n');
    await runner.apply(stub.dir, "plan.tfplan", log);
    expect(stub.calls()).toEqual([
      `${stub.dir}|init -input=false -no-color`,
      `${stub.dir}|plan -input=false -no-color -lock-timeout=5m -detailed-exitcode -out=plan.tfplan`,
      `${stub.dir}|show -json -no-color plan.tfplan`,
      `${stub.dir}|apply -input=false -no-color -lock-timeout=5m plan.tfplan`,
    ]);
    expect(lines).toEqual(["stdout:ok", "stdout:planning", "stderr:oops", "stdout:ok"]);
    const errored = new ProcessTerraformRunner(stub.bin, { PATH: process.env.PATH ?? "", PLAN_EXIT: "1" });
    expect((await errored.plan(stub.dir, "plan.tfplan", () => undefined)).outcome).toBe("error");
    const clean = new ProcessTerraformRunner(stub.bin, { PATH: process.env.PATH ?? "", PLAN_EXIT: "0" });
    expect((await clean.plan(stub.dir, "plan.tfplan", () => undefined)).outcome).toBe("no-changes");
  });
});

describe("the environment terraform runs in", () => {
  it("keeps the CLI's own credentials (fingerprint key, GitHub token) from terraform and its providers", async () => {
    const stub = stubTerraform(`case "$1" in version) echo '{"terraform_version":"1.11.4"}' ;; init) env > "$PWD/env.txt" ;; esac`);
    const runner = await createTerraformRunner(stub.bin, {
      PATH: process.env.PATH,
      AWS_REGION: "eu-north-1",
      GITOPS_FINGERPRINT_KEY: "k".repeat(64),
      GITHUB_TOKEN: "ghs_token_value",
      GH_TOKEN: "gho_token_value",
    });
    expect((await runner.init(stub.dir, () => undefined)).exitCode).toBe(0);
    const env = readFileSync(join(stub.dir, "env.txt"), "utf8");
    expect(env).toContain("AWS_REGION=eu-north-1\n");
    expect(env).toContain("TF_IN_AUTOMATION=1\n");
    expect(env).not.toMatch(/GITOPS_FINGERPRINT_KEY|GITHUB_TOKEN|GH_TOKEN|kkkk|ghs_|gho_/);
  });
});

describe("init is skipped when nothing it reads changed", () => {
  // Like the real one, the stub's init creates .terraform/ (and fails when asked to); its plan asks for
  // an init while needs-init exists, as Terraform does when .terraform/ lacks a provider.
  const stub = stubTerraform(`case "$1" in
  init) [ -f fail-init ] && exit 1; rm -f needs-init; mkdir -p .terraform ;;
  plan) if [ -f needs-init ]; then echo 'Error: Required plugins are not installed. Please run "terraform init".' >&2; exit 1; fi ;;
esac`);
  const runner = new ProcessTerraformRunner(stub.bin, { PATH: process.env.PATH ?? "" });
  const lines: string[] = [];
  const log = (line: string) => void lines.push(line);
  const config = (awsVersion: string) => JSON.stringify({ terraform: { required_providers: { aws: { source: "aws", version: awsVersion } }, backend: { s3: { key: "dev/cluster.tfstate" } } }, resource: {} });
  const inits = (dir: string) => stub.calls().filter((c) => c === `${dir}|init -input=false -no-color`).length;
  const stackDir = (awsVersion = "6.25.0") => {
    const dir = mkdtempSync(join(stub.dir, "stack-"));
    writeFileSync(join(dir, "cdk.tf.json"), config(awsVersion));
    return dir;
  };

  it("runs init once for an unchanged stack, and says so when it skips", async () => {
    const dir = stackDir();
    expect((await runner.init(dir, log)).exitCode).toBe(0);
    expect((await runner.init(dir, log)).exitCode).toBe(0);
    expect(inits(dir)).toBe(1);
    expect(lines).toContain("terraform init: skipped, the backend, providers, modules and lock file are unchanged since the last init here");
    // Resources are not init's business: a changed resource still skips it.
    writeFileSync(join(dir, "cdk.tf.json"), config("6.25.0").replace('"resource":{}', '"resource":{"terraform_data":{"x":{}}}'));
    await runner.init(dir, log);
    expect(inits(dir)).toBe(1);
  });

  it("runs init again after a provider version, backend, module or lock file change, or without .terraform/", async () => {
    const dir = stackDir();
    await runner.init(dir, log);
    writeFileSync(join(dir, "cdk.tf.json"), config("6.26.0"));
    await runner.init(dir, log);
    expect(inits(dir)).toBe(2);
    writeFileSync(join(dir, "cdk.tf.json"), config("6.26.0").replace("dev/cluster.tfstate", "dev/other.tfstate"));
    await runner.init(dir, log);
    expect(inits(dir)).toBe(3);
    writeFileSync(join(dir, "cdk.tf.json"), JSON.stringify({ ...JSON.parse(config("6.26.0").replace("dev/cluster.tfstate", "dev/other.tfstate")), module: { vpc: { source: "./vpc" } } }));
    await runner.init(dir, log);
    expect(inits(dir)).toBe(4);
    writeFileSync(join(dir, ".terraform.lock.hcl"), 'provider "registry.terraform.io/hashicorp/aws" {}\n');
    await runner.init(dir, log);
    expect(inits(dir)).toBe(5);
    rmSync(join(dir, ".terraform"), { recursive: true });
    await runner.init(dir, log);
    expect(inits(dir)).toBe(6);
  });

  it("always runs init next to other Terraform files, and again after a failed init", async () => {
    const withTf = stackDir();
    writeFileSync(join(withTf, "extra.tf"), 'terraform { backend "local" {} }\n');
    await runner.init(withTf, log);
    await runner.init(withTf, log);
    expect(inits(withTf)).toBe(2);

    const failing = stackDir();
    writeFileSync(join(failing, "fail-init"), "");
    mkdirSync(join(failing, ".terraform"));
    expect((await runner.init(failing, log)).exitCode).toBe(1);
    rmSync(join(failing, "fail-init"));
    await runner.init(failing, log);
    expect(inits(failing)).toBe(2);
  });
});

describe("what else makes init run", () => {
  const stub = stubTerraform(`case "$1" in
  init) rm -f needs-init; mkdir -p .terraform ;;
  plan) if [ -f needs-init ]; then echo 'Error: Required plugins are not installed. Please run "terraform init".' >&2; exit 1; fi ;;
esac`);
  const other = stubTerraform(`case "$1" in init) mkdir -p .terraform ;; esac`);
  const log = () => undefined;
  const stackDir = () => {
    const dir = mkdtempSync(join(stub.dir, "stack-"));
    writeFileSync(join(dir, "cdk.tf.json"), JSON.stringify({ terraform: { backend: { local: { path: "x.tfstate" } } } }));
    return dir;
  };
  const inits = (s: { calls: () => string[] }, dir: string) => s.calls().filter((c) => c === `${dir}|init -input=false -no-color`).length;

  it("another binary, another plugin cache, or TF_DATA_DIR", async () => {
    const dir = stackDir();
    const path = process.env.PATH ?? "";
    await new ProcessTerraformRunner(stub.bin, { PATH: path }).init(dir, log);
    await new ProcessTerraformRunner(other.bin, { PATH: path }).init(dir, log);
    expect([inits(stub, dir), inits(other, dir)]).toEqual([1, 1]);
    await new ProcessTerraformRunner(stub.bin, { PATH: path, TF_PLUGIN_CACHE_DIR: "/var/cache/tf" }).init(dir, log);
    await new ProcessTerraformRunner(stub.bin, { PATH: path, TF_PLUGIN_CACHE_DIR: "/var/cache/tf" }).init(dir, log);
    expect(inits(stub, dir)).toBe(2);
    await new ProcessTerraformRunner(stub.bin, { PATH: path, TF_PLUGIN_CACHE_DIR: "/var/cache/tf", TF_DATA_DIR: "/tmp/elsewhere" }).init(dir, log);
    expect(inits(stub, dir)).toBe(3);
  });

  it("a plan that asks for an init after a skipped one gets it, and is planned again", async () => {
    const dir = stackDir();
    const runner = new ProcessTerraformRunner(stub.bin, { PATH: process.env.PATH ?? "" });
    await runner.init(dir, log);
    writeFileSync(join(dir, "needs-init"), ""); // e.g. the plugin cache was cleared
    await runner.init(dir, log);
    expect(inits(stub, dir)).toBe(1);
    const planned = await runner.plan(dir, "plan.tfplan", log);
    expect(planned.outcome).toBe("no-changes");
    expect(inits(stub, dir)).toBe(2);
    expect(stub.calls().filter((c) => c.startsWith(`${dir}|plan `))).toHaveLength(2);
  });
});

describe("the version is asked once per binary in a process", () => {
  it("asks again when the binary is replaced", async () => {
    const stub = stubTerraform(`echo '{"terraform_version":"1.11.4","platform":"linux_amd64"}'`);
    const env = { PATH: process.env.PATH ?? "" };
    await createTerraformRunner(stub.bin, env);
    await createTerraformRunner(stub.bin, env);
    expect(stub.calls().filter((c) => c.endsWith("|version -json"))).toHaveLength(1);
    writeFileSync(stub.bin, `#!/bin/sh\necho "$PWD|$*" >> ${join(stub.dir, "calls.log")}\necho '{"terraform_version":"1.9.8","platform":"linux_amd64"}'\n`);
    await expect(createTerraformRunner(stub.bin, env)).rejects.toThrow("terraform 1.9.8 is too old");
    expect(stub.calls().filter((c) => c.endsWith("|version -json"))).toHaveLength(2);
  });

  it("asks again when a version manager's variable picks another version behind the same shim", async () => {
    const shim = stubTerraform(`echo "{\\"terraform_version\\":\\"$TFENV_TERRAFORM_VERSION\\"}"`);
    const env = (version: string) => ({ PATH: process.env.PATH ?? "", TFENV_TERRAFORM_VERSION: version });
    await createTerraformRunner(shim.bin, env("1.11.4"));
    await expect(createTerraformRunner(shim.bin, env("1.9.8"))).rejects.toThrow("terraform 1.9.8 is too old");
    await createTerraformRunner(shim.bin, env("1.11.4"));
    expect(shim.calls().filter((c) => c.endsWith("|version -json"))).toHaveLength(2);
  });
});
