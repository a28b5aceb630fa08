import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
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
