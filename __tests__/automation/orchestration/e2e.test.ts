// End to end through the real process runner: first against a stub `terraform` that records its
// arguments, then against the real binary on stacks of built-in terraform_data resources.
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { writeSynthOutput } from "../support/fake-terraform";
import { FakeGitHub } from "../support/fake-github";
import { runCli } from "../support/memory-io";
import { fixture } from "../support/paths";
import { findTerraform, SAFE_ENV, writeTerraformDataSynth } from "../support/real-terraform";


describe("process runner against a stub terraform", () => {
  const root = mkdtempSync(join(tmpdir(), "gitops-stub-"));
  const log = join(root, "calls.log");
  const stub = join(root, "bin", "terraform");
  mkdirSync(join(root, "bin"));
  // Plans exit 2 (changes); `show -json` prints a real plan. Arguments go to calls.log, one call a line.
  writeFileSync(
    stub,
    `#!/bin/sh
echo "\${PWD##*/} $*" >> "${log}"
case "$1" in
  version) echo '{"terraform_version":"1.11.4","platform":"linux_amd64"}' ;;
  plan) for a in "$@"; do case "$a" in -out=*) echo planned > "\${a#-out=}" ;; esac; done; exit 2 ;;
  show) cat "${fixture("borchero-tf1.13-create.json")}" ;;
  apply) echo "Apply complete!" ;;
esac
`,
  );
  chmodSync(stub, 0o755);
  const synth = writeSynthOutput(join(root, "cdktf.out"), { "dev-cluster": [], "dev-gitops": ["dev-cluster"] });
  const env = { ...SAFE_ENV, GITOPS_TERRAFORM: stub };

  it("runs init, plan, show and apply with the documented arguments, in dependency order", async () => {
    const out = join(root, "plans");
    const planned = await runCli(["plan", "--cdktf-out", synth, "--out", out], { env });
    expect(planned.code).toBe(0);
    const reviewed = join(out, "fingerprints.json");
    const applied = await runCli(["apply", "--cdktf-out", synth, "--reviewed", reviewed, "--out", join(root, "fresh"), "--lock-timeout", "90s"], { env });
    expect(applied.stdout).toBe("dev-cluster: applied (Plan: 3 to add, 0 to change, 0 to destroy.)\ndev-gitops: applied (Plan: 3 to add, 0 to change, 0 to destroy.)\n");
    expect(applied.code).toBe(0);
    const calls = readFileSync(log, "utf8").trim().split("\n");
    const fresh = join(root, "fresh");
    expect(calls).toEqual([
      `${basename(process.cwd())} version -json`,
      "dev-cluster init -input=false -no-color",
      // Review plans never take the state lock; apply re-plans and applies under it.
      `dev-cluster plan -input=false -no-color -lock=false -detailed-exitcode -out=${out}/dev-cluster/plan.tfplan`,
      `dev-cluster show -json -no-color ${out}/dev-cluster/plan.tfplan`,
      "dev-gitops init -input=false -no-color",
      `dev-gitops plan -input=false -no-color -lock=false -detailed-exitcode -out=${out}/dev-gitops/plan.tfplan`,
      `dev-gitops show -json -no-color ${out}/dev-gitops/plan.tfplan`,
      // The version is asked once per binary in a process (runCli runs the CLI in this one); init
      // runs again: this stub creates no .terraform/, so there is no earlier init to rely on.
      "dev-cluster init -input=false -no-color",
      `dev-cluster plan -input=false -no-color -lock-timeout=90s -detailed-exitcode -out=${fresh}/dev-cluster/plan.tfplan`,
      `dev-cluster show -json -no-color ${fresh}/dev-cluster/plan.tfplan`,
      `dev-cluster apply -input=false -no-color -lock-timeout=90s ${fresh}/dev-cluster/plan.tfplan`,
      "dev-gitops init -input=false -no-color",
      `dev-gitops plan -input=false -no-color -lock-timeout=90s -detailed-exitcode -out=${fresh}/dev-gitops/plan.tfplan`,
      `dev-gitops show -json -no-color ${fresh}/dev-gitops/plan.tfplan`,
      `dev-gitops apply -input=false -no-color -lock-timeout=90s ${fresh}/dev-gitops/plan.tfplan`,
    ]);
  });

  it("drift plans without the state lock, like pull request plans", async () => {
    const gh = await FakeGitHub.start();
    try {
      writeFileSync(log, "");
      const drift = await runCli(["drift", "--cdktf-out", synth, "--env", "dev", "--repo", "acme/infra"], {
        env: { ...env, GITHUB_API_URL: gh.url, GITHUB_TOKEN: "ghs_test" },
        github: { retryUnitMs: 1, pacing: false, requestTimeoutMs: 300, limiterId: "e2e-drift" },
      });
      expect(drift.stderr).not.toContain("error:");
      const plans = readFileSync(log, "utf8").trim().split("\n").filter((line) => line.split(" ")[1] === "plan");
      expect(plans).toHaveLength(2);
      for (const line of plans) {
        expect(line).toContain(" -lock=false ");
        expect(line).not.toContain("-lock-timeout");
      }
    } finally {
      await gh.stop();
    }
  });

  it("refuses a lock timeout terraform would not understand, before running anything", async () => {
    writeFileSync(log, "");
    const bad = await runCli(["apply", "--cdktf-out", synth, "--reviewed", join(root, "plans", "fingerprints.json"), "--lock-timeout", "5 minutes"], { env });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('error: --lock-timeout "5 minutes": expected a duration such as 0s, 30s, 5m or 1h30m\n');
    expect(readFileSync(log, "utf8")).toBe("");
  });

  it("exits 2 with an install hint when terraform is missing or too old", async () => {
    const missing = await runCli(["plan", "--cdktf-out", synth, "--out", join(root, "x")], { env: { ...SAFE_ENV, PATH: "/nonexistent" } });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe('error: terraform not found (looked for "terraform" on PATH); install Terraform >= 1.10 (or OpenTofu), or point --terraform or GITOPS_TERRAFORM at the binary\n');
    const old = join(root, "old-terraform");
    writeFileSync(old, `#!/bin/sh\necho '{"terraform_version":"1.9.8"}'\n`);
    chmodSync(old, 0o755);
    const tooOld = await runCli(["plan", "--cdktf-out", synth, "--out", join(root, "y"), "--terraform", old], { env: SAFE_ENV });
    expect(tooOld.code).toBe(2);
    expect(tooOld.stderr).toContain("terraform 1.9.8 is too old: the S3 backends use use_lockfile, which needs Terraform >= 1.10");
  });
});

const terraform = findTerraform();
if (!terraform) console.warn("skipping the real-terraform end-to-end test: no terraform binary on PATH");

(terraform ? describe : describe.skip)("real terraform on terraform_data stacks", () => {
  it("plans, applies what was reviewed, and refuses a plan that changed since review", async () => {
    const root = mkdtempSync(join(tmpdir(), "gitops-real-"));
    const synth = join(root, "cdktf.out");
    writeTerraformDataSynth(synth, "hello");
    // Keyed fingerprints, as CI makes them: plan and apply share the key, handed over in a file that
    // the CLI deletes once read (so it is written again before every run).
    const keyFile = join(root, "fingerprint.key");
    const env = { ...SAFE_ENV, GITOPS_TERRAFORM: terraform ?? "", GITOPS_FINGERPRINT_KEY_FILE: keyFile };
    const cli = (...args: string[]) => {
      writeFileSync(keyFile, "e2e-fingerprint-key-".repeat(2), { mode: 0o600 });
      return runCli(args, { env });
    };

    // Round 1: the base is new, so the top stack cannot read its outputs yet.
    const first = await cli("plan", "--cdktf-out", synth, "--out", join(root, "p1"));
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^app-base: changes hmac-sha256:[0-9a-f]{64}\napp-top: pending\n$/);
    const comment = readFileSync(join(root, "p1", "comment.md"), "utf8");
    expect(comment).toContain("Pending `app-base`");
    expect(comment).not.toContain("XYZZY");
    expect(readFileSync(join(root, "p1", "app-base", "plan.json"), "utf8")).toContain('"sensitive":true');

    const apply1 = await cli("apply", "--cdktf-out", synth, "--reviewed", join(root, "p1", "fingerprints.json"));
    expect(apply1.stdout).toMatch(/^app-base: applied .*\napp-top: not-reviewed/);
    expect(apply1.code).toBe(1); // app-top has changes nobody reviewed yet

    // Round 2: now the top stack plans; applying its reviewed plan works.
    const second = await cli("plan", "--cdktf-out", synth, "--out", join(root, "p2"));
    expect(second.stdout).toMatch(/^app-base: no-changes hmac-sha256:[0-9a-f]{64}\napp-top: changes hmac-sha256:[0-9a-f]{64}\n$/);
    cpSync(join(root, "p2", "fingerprints.json"), join(root, "reviewed.json"));
    const apply2 = await cli("apply", "--cdktf-out", synth, "--reviewed", join(root, "reviewed.json"));
    expect(apply2).toMatchObject({ code: 0, stdout: "app-base: up-to-date (no changes)\napp-top: applied (Plan: 1 to add, 0 to change, 0 to destroy.)\n" });

    // An input changes after review: the old fingerprints no longer match, nothing is applied.
    writeTerraformDataSynth(synth, "hello again");
    const apply3 = await cli("apply", "--cdktf-out", synth, "--reviewed", join(root, "reviewed.json"));
    expect(apply3.code).toBe(1);
    expect(apply3.stdout).toMatch(/^app-base: changed \(plan changed since review/);
    expect(apply3.stdout).toContain("app-top: blocked");
    const state = JSON.parse(readFileSync(join(root, "state", "app-base.tfstate"), "utf8")) as { resources: Array<{ instances: Array<{ attributes: { input: { value: string } } }> }> };
    expect(state.resources[0]?.instances[0]?.attributes.input.value).toBe("hello");
  });
});
