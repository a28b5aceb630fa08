// Waivers, and the guardrails on the project's real stacks (every environment plus bootstrap).
import { mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { TerraformStack, Testing } from "cdktf";
import { Construct } from "constructs";
import { loadConfigs } from "../../../config/bootstrap-schema";
import type { AwsEnvironmentConfig } from "../../../config/schema";
import { formatPolicyReport, Policy, type PolicyReport } from "../../../constructs/policies";
import { buildApp } from "../../../stacks/app";
import { synthesize, SynthError } from "../../../stacks/synthesize";

/** A KmsKey without rotation (KMS001) under a wrapper construct "storage". */
function unrotatedKey(waive?: (wrapper: Construct, key: KmsKey) => void): { report: PolicyReport; stack: TerraformStack } {
  const app = Testing.app();
  const stack = new TerraformStack(app, "test");
  const wrapper = new Construct(stack, "storage");
  const key = new KmsKey(wrapper, "key", {});
  waive?.(wrapper, key);
  const report = Policy.apply(app, { only: ["KMS001", "POL001", "POL002"] });
  Testing.synth(stack);
  return { report, stack };
}

const brief = (report: PolicyReport) => report.findings.map((f) => `${f.rule} ${f.path} ${f.status}`);

describe("waivers", () => {
  it("waive a rule for a construct and everything under it, and keep the reason", () => {
    const { report } = unrotatedKey((wrapper) => Policy.waive(wrapper, "KMS001", "imported key, rotation managed by the security team"));
    expect(brief(report)).toEqual(["KMS001 test/storage/key waived"]);
    expect(report.findings[0]?.reason).toBe("imported key, rotation managed by the security team");
    expect(report.summary).toMatchObject({ waived: 1, errors: 0 });
    expect(formatPolicyReport(report)).toContain("WAIVED KMS001 test/storage/key: imported key, rotation managed by the security team");
  });

  it("a waiver without a reason is an error and waives nothing", () => {
    const { report, stack } = unrotatedKey((_, key) => Policy.waive(key, "KMS001", "  "));
    expect(brief(report)).toEqual(["KMS001 test/storage/key error", "POL001 test/storage/key error"]);
    expect(report.hasErrors).toBe(true);
    const errors = stack.node.findAll().flatMap((c) => c.node.metadata.filter((m) => m.type === "@cdktf/error").map((m) => String(m.data)));
    expect(errors.sort()).toEqual([expect.stringMatching(/^KMS001 test\/storage\/key: /), expect.stringMatching(/^POL001 test\/storage\/key: waiver of KMS001 has no reason/)]);
  });

  it("a waiver of an unknown rule is an error", () => {
    const { report } = unrotatedKey((_, key) => Policy.waive(key, "KMS01", "typo"));
    expect(brief(report)).toEqual(["KMS001 test/storage/key error", "POL002 test/storage/key error"]);
  });

  it("a second synth of the same app does not count or report twice", () => {
    const { report, stack } = unrotatedKey();
    Testing.synth(stack);
    expect(report.summary).toMatchObject({ checks: 1, errors: 1 });
    const key = stack.node.findAll().find((c) => c.node.id === "key")!;
    expect(key.node.metadata.filter((m) => m.type === "@cdktf/error")).toHaveLength(1);
  });
});

describe("the project's stacks", () => {
  const { environments, bootstraps } = loadConfigs(join(__dirname, "../../../config"));
  const app = buildApp(environments, mkdtempSync(join(tmpdir(), "policy-stacks-")), bootstraps);
  app.synth();
  const report = Policy.reportOf(app)!;

  it("pass every guardrail with no errors, warnings or waivers", () => {
    expect(report.findings).toEqual([]);
    expect(report.summary.errors).toBe(0);
  });

  it("are all checked, bootstrap included", () => {
    const stacks = app.node.children.map((c) => c.node.id).sort();
    expect(stacks).toEqual(["bootstrap", "local-gitops", "production-cluster", "production-gitops", "staging-cluster", "staging-gitops"]);
    // Every stack has at least one resource a rule looks at; an aspect missing on one would show here.
    expect(report.summary.checks).toBeGreaterThan(200);
    expect(report.summary.passed).toBe(report.summary.checks);
  });
});

describe("synthesize with a policy error", () => {
  it("lists ERROR <rule> <path> lines, hands over the report and writes nothing", () => {
    const { environments } = loadConfigs(join(__dirname, "../../../config"));
    const production = environments.find((c) => c.environment === "production") as AwsEnvironmentConfig;
    // A /16 for the public endpoint: allowed in staging (warning), not in production (EKS004 error).
    const wide = { ...production, cluster: { ...production.cluster, endpointPublicAccessCidrs: ["198.51.0.0/16"] } };
    const parent = mkdtempSync(join(tmpdir(), "policy-synth-"));
    let policy: PolicyReport | undefined;
    let thrown: unknown;
    try {
      synthesize([wide], join(parent, "cdktf.out"), undefined, { onPolicyReport: (r) => (policy = r) });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(SynthError);
    expect((thrown as SynthError).message).toMatch(/^ERROR EKS004 production-cluster\/eks\/cluster: the public API endpoint allows wide ranges 198\.51\.0\.0\/16; fix: /m);
    expect(policy?.summary).toMatchObject({ errors: 1, warnings: 0 });
    expect(readdirSync(parent)).toEqual([]);
  });
});
