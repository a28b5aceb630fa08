// Stacks removed from the code are destroyed, reviewed like any other change: plan --changed-from plans
// their destroy in the base synth's directories, apply --changed-from destroys exactly what was reviewed.
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FakeTerraform, writeSynthOutput } from "../support/fake-terraform";
import { runCli } from "../support/memory-io";
import { findTerraform, SAFE_ENV, writeTerraformDataState, writeTerraformDataSynth } from "../support/real-terraform";

const terraform = findTerraform();

describe("plan --changed-from with removed stacks (fake terraform)", () => {
  const root = mkdtempSync(join(tmpdir(), "gitops-removed-"));
  const base = writeSynthOutput(join(root, "base"), { "qa-cluster": [], "qa-gitops": ["qa-cluster"], "staging-cluster": [], bootstrap: [] });

  it("plans destroys in reverse dependency order, with -destroy, in the base's directories", async () => {
    const head = writeSynthOutput(join(root, "head-1"), { "staging-cluster": [] });
    const fake = new FakeTerraform({ "qa-cluster": { plan: "borchero-tf1.13-delete.json" }, "qa-gitops": { plan: "borchero-tf1.13-delete.json" } });
    const r = await runCli(["plan", "--cdktf-out", head, "--changed-from", base, "--out", join(root, "p1")], { terraform: fake });
    expect(r.stdout).toMatch(/^qa-gitops: changes sha256:[0-9a-f]{64}\nqa-cluster: changes sha256:[0-9a-f]{64}\n$/);
    expect(fake.calls.filter((c) => c.op === "plan").map((c) => c.stack)).toEqual(["qa-gitops", "qa-cluster"]);
    // bootstrap is never destroyed by the pipeline.
    expect(r.stderr).toContain("removed from the code, never destroyed by the pipeline: bootstrap");
    const comment = readFileSync(join(root, "p1", "comment.md"), "utf8");
    expect(comment.indexOf("`qa-gitops`")).toBeLessThan(comment.indexOf("`qa-cluster`"));
    expect(comment).toContain("**Removed from the code:** `qa-cluster` is no longer in the synth, so everything in it will be **destroyed**.");
    // The whole environment is gone: the apply job that runs the destroy must survive this merge.
    expect(comment).toContain("**The environment `qa` has no stacks left:** its job in `.github/workflows/apply.yml` runs this destroy. Keep the job until the destroy has been applied");
    expect(JSON.parse(readFileSync(join(root, "p1", "fingerprints.json"), "utf8"))).toEqual({ "qa-cluster": expect.stringMatching(/^sha256:/), "qa-gitops": expect.stringMatching(/^sha256:/) });
  });

  it("refuses to destroy a removed stack that a kept stack still depends on, and points a rename at moved blocks", async () => {
    const head = writeSynthOutput(join(root, "head-2"), { "qa-gitops": ["qa-cluster"], "qa-eks": [], "staging-cluster": [] });
    const fake = new FakeTerraform({});
    const r = await runCli(["plan", "--cdktf-out", head, "--changed-from", base, "--env", "qa", "--out", join(root, "p2")], { terraform: fake });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("qa-cluster: error");
    const comment = readFileSync(join(root, "p2", "comment.md"), "utf8");
    expect(comment).toContain("qa-cluster was removed from the code, but qa-gitops still depend on it: it is not destroyed.");
    expect(comment).toContain("This pull request also adds `qa-eks`. If `qa-cluster` was renamed");
    expect(comment).not.toContain("has no stacks left"); // qa keeps qa-gitops and qa-eks
    expect(fake.calls.filter((c) => c.op === "plan" && c.stack === "qa-cluster")).toEqual([]);
  });
});


(terraform ? describe : describe.skip)("real terraform: removing two dependent stacks", () => {
  it("plans both destroys in reverse order, needs an allowed destroy, refuses a changed destroy, and destroys what was reviewed", async () => {
    const root = mkdtempSync(join(tmpdir(), "gitops-removed-real-"));
    const env = { ...SAFE_ENV, GITOPS_TERRAFORM: terraform ?? "" };
    const cli = (...args: string[]) => runCli(args, { env });
    const guard = ["--protected-types", "terraform_data"];
    const state = (stack: string) => join(root, "state", `${stack}.tfstate`);
    const resources = (stack: string) => (JSON.parse(readFileSync(state(stack), "utf8")) as { resources: { mode: string }[] }).resources.filter((r) => r.mode === "managed");

    // The base, as if applied: its state written the way terraform writes it (the pipeline's own apply
    // is tested in e2e.test.ts).
    const base = join(root, "base");
    writeTerraformDataSynth(base, "hello");
    writeTerraformDataState(state("app-base"), { serial: 1, resources: { base: "hello" }, outputs: { base_value: { value: "hello" }, token: { value: "s3cr3t-XYZZY-token", sensitive: true } } });
    writeTerraformDataState(state("app-top"), { serial: 1, resources: { top: "hello" } });

    // The head: both stacks removed from the code. Reviewed, but the destroy is not allowed yet.
    const head = writeSynthOutput(join(root, "head"), {});
    const refused = await cli("plan", "--cdktf-out", head, "--changed-from", base, "--out", join(root, "review"), "--strict", ...guard, "--labels", "");
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("protected resources would be destroyed in app-top, app-base: add the allow-destroy label");
    expect(refused.stdout).toMatch(/^app-top: changes sha256:[0-9a-f]{64}\napp-base: changes sha256:[0-9a-f]{64}\n$/);
    const comment = readFileSync(join(root, "review", "comment.md"), "utf8");
    expect(comment.indexOf("`app-top`")).toBeLessThan(comment.indexOf("`app-base`"));
    expect(comment).toContain("Plan: 0 to add, 0 to change, 1 to destroy.");

    // app-top's state changes after review (someone applied by hand): its destroy is no longer the
    // reviewed one, and app-base, destroyed after it, waits too.
    writeTerraformDataState(state("app-top"), { serial: 2, resources: { top: "changed by hand" } });
    const stale = await cli("apply", "--cdktf-out", head, "--changed-from", base, "--reviewed", join(root, "review", "fingerprints.json"), "--labels", "allow-destroy", ...guard);
    expect(stale.code).toBe(1);
    expect(stale.stdout).toMatch(/^app-top: changed \(plan changed since review[^\n]*\napp-base: blocked/);
    expect([resources("app-base").length, resources("app-top").length]).toEqual([1, 1]);

    // Reviewed again, with the destroy allowed: the strict check passes, and apply destroys both.
    const passed = await cli("plan", "--cdktf-out", head, "--changed-from", base, "--out", join(root, "review2"), "--strict", ...guard, "--labels", "allow-destroy");
    expect(passed.code).toBe(0);
    const destroyed = await cli("apply", "--cdktf-out", head, "--changed-from", base, "--reviewed", join(root, "review2", "fingerprints.json"), "--labels", "allow-destroy", ...guard);
    expect(destroyed).toMatchObject({ code: 0, stdout: "app-top: applied (Plan: 0 to add, 0 to change, 1 to destroy.)\napp-base: applied (Plan: 0 to add, 0 to change, 1 to destroy.)\n" });
    expect([resources("app-base"), resources("app-top")]).toEqual([[], []]);
    expect(existsSync(join(root, "state", "app-top.tfstate"))).toBe(true);
  });
});
