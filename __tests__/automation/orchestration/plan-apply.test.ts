import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FakeTerraform, writeSynthOutput } from "../support/fake-terraform";
import { runCli } from "../support/memory-io";

const ENV_STACKS = { "staging-cluster": [], "staging-gitops": ["staging-cluster"], "production-cluster": [], "production-gitops": ["production-cluster"] };

function setup(stacks: Record<string, readonly string[]> = ENV_STACKS) {
  const root = mkdtempSync(join(tmpdir(), "gitops-orch-"));
  const synth = writeSynthOutput(join(root, "cdktf.out"), stacks);
  const out = join(root, "plans");
  return { root, synth, out, read: (...p: string[]) => readFileSync(join(out, ...p), "utf8") };
}

const plan = (fake: FakeTerraform, synth: string, out: string, extra: string[] = []) =>
  runCli(["plan", "--cdktf-out", synth, "--out", out, ...extra], { terraform: fake });

describe("gitops plan", () => {
  it("plans dependencies first, at most --parallel at once, and writes every review file", async () => {
    const { synth, out, read } = setup();
    const fake = new FakeTerraform({
      "staging-cluster": { plan: "borchero-tf1.13-create.json", delayMs: 30 },
      "production-cluster": { plan: "tofu-eq-basic-map-update.json", delayMs: 30 },
      "staging-gitops": { plan: "borchero-tf1.13-empty.json", planExit: 0 },
      "production-gitops": { plan: "borchero-tf1.13-empty.json", planExit: 0 },
    });
    const r = await plan(fake, synth, out, ["--parallel", "2"]);
    expect(r.code).toBe(0);
    expect(fake.peak).toBe(2);
    const order = fake.ops("plan");
    expect(order.indexOf("staging-gitops")).toBeGreaterThan(order.indexOf("staging-cluster"));
    expect(order.indexOf("production-gitops")).toBeGreaterThan(order.indexOf("production-cluster"));
    for (const stack of Object.keys(ENV_STACKS)) {
      for (const f of ["plan.tfplan", "plan.json", "summary.json", "section.json"]) expect([stack, f, existsSync(join(out, stack, f))]).toEqual([stack, f, true]);
    }
    // summary.json is exactly what `gitops summarize --format json` prints for the same plan.
    const summarized = await runCli(["summarize", join(out, "staging-cluster", "plan.json"), "--format", "json"]);
    expect(read("staging-cluster", "summary.json")).toBe(summarized.stdout);
    expect(JSON.parse(read("staging-cluster", "summary.json"))).toMatchObject({ add: 3, change: 0, destroy: 0, noChanges: false });
    const fingerprints = JSON.parse(read("fingerprints.json")) as Record<string, string>;
    expect(Object.keys(fingerprints).sort()).toEqual(Object.keys(ENV_STACKS).sort());
    const comment = read("comment.md");
    expect(comment.split("\n")[0]).toBe("<!-- gitops:plan key=plan -->");
    expect(comment).toContain("Depends on `staging-cluster`, which has pending changes: this plan may change once it is applied.");
    expect(r.stdout).toContain(`staging-cluster: changes ${fingerprints["staging-cluster"]}`);
  });

  it("plans only one environment, or named stacks", async () => {
    const { synth, out } = setup();
    const fake = new FakeTerraform({});
    expect((await plan(fake, synth, out, ["--env", "production"])).code).toBe(0);
    expect(fake.ops("plan").sort()).toEqual(["production-cluster", "production-gitops"]);
    const named = new FakeTerraform({});
    expect((await plan(named, synth, out, ["--stacks", "staging-gitops"])).code).toBe(0);
    expect(named.ops("plan")).toEqual(["staging-gitops"]);
    const bad = await plan(new FakeTerraform({}), synth, out, ["--env", "qa"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--env qa: no stacks of that environment");
  });

  it("isolates an error: the failed stack's dependents are blocked, other environments still plan", async () => {
    const { synth, out, read } = setup();
    const fake = new FakeTerraform({
      "staging-cluster": { planExit: 1, planStderr: "Error: creating EKS Cluster: AccessDeniedException" },
      "production-cluster": { plan: "borchero-tf1.13-create.json" },
    });
    const r = await plan(fake, synth, out);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("planning failed for staging-cluster (error), staging-gitops (blocked)");
    expect(fake.ops("plan")).not.toContain("staging-gitops");
    expect(fake.ops("plan")).toEqual(expect.arrayContaining(["production-cluster", "production-gitops"]));
    expect(read("staging-cluster", "stderr.txt")).toContain("AccessDeniedException");
    const comment = read("comment.md");
    expect(comment).toContain("AccessDeniedException");
    expect(comment).toContain("Blocked by `staging-cluster`, which failed: this stack was not planned.");
    expect(Object.keys(JSON.parse(read("fingerprints.json")))).toEqual(["production-cluster", "production-gitops"]);
  });

  it("reports a stack whose dependency was never applied as pending, not as an error", async () => {
    const { synth, out, read } = setup();
    const fake = new FakeTerraform({
      "staging-cluster": { plan: "borchero-tf1.13-create.json" },
      "staging-gitops": { planExit: 1, planStderr: "Error: Unable to find remote state\n\nNo stored state was found for the given workspace in the given backend." },
    });
    const r = await plan(fake, synth, out, ["--env", "staging"]);
    expect(r.code).toBe(0);
    expect(existsSync(join(out, "staging-gitops", "summary.json"))).toBe(false);
    expect(JSON.parse(read("staging-gitops", "section.json"))).toMatchObject({ stack: "staging-gitops", status: "pending", counts: null });
    expect(read("comment.md")).toContain("Pending `staging-cluster`: planned after it is applied");
  });

  it("with --strict fails on a protected destroy unless the PR has allow-destroy", async () => {
    const { synth, out, read } = setup();
    const fake = () => new FakeTerraform({ "staging-cluster": { plan: "borchero-tf1.13-delete.json" } });
    const args = ["--env", "staging", "--strict", "--protected-types", "local_file"];
    const refused = await plan(fake(), synth, out, [...args, "--labels", ""]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("protected resources would be destroyed in staging-cluster: add the allow-destroy label");
    expect(read("comment.md")).toContain("**Protected resources would be destroyed:**");
    expect((await plan(fake(), synth, out, [...args, "--labels", "infra,allow-destroy"])).code).toBe(0);
    expect((await plan(fake(), synth, out, ["--env", "staging", "--strict"])).code).toBe(0); // local_file is not protected by default
  });

  it("guards a replaced node group by default (a changed instance type drains every node of the group)", async () => {
    const { synth, out, read } = setup();
    const fake = () => new FakeTerraform({ "staging-cluster": { plan: "derived-node-group-replace.json" } });
    const refused = await plan(fake(), synth, out, ["--env", "staging", "--strict", "--labels", ""]);
    expect(refused.code).toBe(1);
    expect(read("comment.md")).toContain("`aws_eks_node_group.eks_default-node-group_294CB1C9` (replace)");
    expect((await plan(fake(), synth, out, ["--env", "staging", "--strict", "--labels", "allow-destroy"])).code).toBe(0);
  });
});

describe("gitops apply", () => {
  async function reviewed(stacks: Record<string, readonly string[]>, scripts: ConstructorParameters<typeof FakeTerraform>[0]) {
    const s = setup(stacks);
    await plan(new FakeTerraform(scripts), s.synth, s.out);
    return { ...s, fingerprints: join(s.out, "fingerprints.json") };
  }

  it("applies in dependency order exactly the stacks whose fresh plan matches the review", async () => {
    const scripts = { "staging-cluster": { plan: "borchero-tf1.13-create.json" }, "staging-gitops": { plan: "tofu-eq-basic-map-update.json" } };
    const { synth, fingerprints } = await reviewed({ "staging-cluster": [], "staging-gitops": ["staging-cluster"] }, scripts);
    const fake = new FakeTerraform(scripts);
    const r = await runCli(["apply", "--cdktf-out", synth, "--env", "staging", "--reviewed", fingerprints], { terraform: fake });
    expect(r.code).toBe(0);
    expect(fake.ops("apply")).toEqual(["staging-cluster", "staging-gitops"]);
    // gitops is re-planned only after the cluster was applied.
    expect(fake.calls.map((c) => `${c.op} ${c.stack}`).filter((c) => !c.startsWith("init") && !c.startsWith("show"))).toEqual([
      "plan staging-cluster",
      "apply staging-cluster",
      "plan staging-gitops",
      "apply staging-gitops",
    ]);
    expect(r.stdout).toBe("staging-cluster: applied (Plan: 3 to add, 0 to change, 0 to destroy.)\nstaging-gitops: applied (Plan: 0 to add, 1 to change, 0 to destroy.)\n");
  });

  it("refuses a stack whose plan changed since review, and blocks its dependents", async () => {
    const { synth, fingerprints } = await reviewed(
      { "staging-cluster": [], "staging-gitops": ["staging-cluster"] },
      { "staging-cluster": { plan: "borchero-tf1.13-create.json" }, "staging-gitops": { plan: "borchero-tf1.13-create.json" } },
    );
    const fake = new FakeTerraform({ "staging-cluster": { plan: "borchero-tf1.13-create-hundreds.json" }, "staging-gitops": { plan: "borchero-tf1.13-create.json" } });
    const r = await runCli(["apply", "--cdktf-out", synth, "--reviewed", fingerprints], { terraform: fake });
    expect(r.code).toBe(1);
    expect(fake.ops("apply")).toEqual([]);
    expect(fake.ops("plan")).toEqual(["staging-cluster"]);
    expect(r.stdout).toMatch(/^staging-cluster: changed \(plan changed since review: reviewed sha256:[0-9a-f]{64}, now sha256:[0-9a-f]{64}\)\n/);
    expect(r.stdout).toContain("staging-gitops: blocked (not planned: dependency staging-cluster is changed)");
    expect(r.stderr).toContain("error: not applied: staging-cluster (changed), staging-gitops (blocked)");
  });

  it("skips stacks without changes and refuses changes nobody reviewed", async () => {
    const { synth, fingerprints: all } = await reviewed({ a: [], b: [] }, { a: { plan: "borchero-tf1.13-create.json" } });
    // b was reviewed as "no changes"; a reviewed file without it means nobody saw b's plan.
    const fingerprints = `${all}.only-a`;
    writeFileSync(fingerprints, JSON.stringify({ a: (JSON.parse(readFileSync(all, "utf8")) as Record<string, string>).a }));
    const fake = new FakeTerraform({ a: { plan: "borchero-tf1.13-create.json" }, b: { plan: "borchero-tf1.13-create.json" } });
    const r = await runCli(["apply", "--cdktf-out", synth, "--reviewed", fingerprints], { terraform: fake });
    expect(r.code).toBe(1);
    expect(fake.ops("apply")).toEqual(["a"]);
    expect(r.stdout).toMatch(/b: not-reviewed \(has changes no reviewed plan covers/);
    const clean = new FakeTerraform({});
    expect((await runCli(["apply", "--cdktf-out", synth, "--reviewed", fingerprints], { terraform: clean })).stdout).toBe("a: up-to-date (no changes)\nb: up-to-date (no changes)\n");
    expect(clean.ops("apply")).toEqual([]);
  });

  it("needs allow-destroy to apply a reviewed plan that destroys a protected resource", async () => {
    const scripts = { a: { plan: "borchero-tf1.13-delete.json" } };
    const { synth, fingerprints } = await reviewed({ a: [] }, scripts);
    const args = ["apply", "--cdktf-out", synth, "--reviewed", fingerprints, "--protected-types", "local_file"];
    const refused = new FakeTerraform(scripts);
    const r = await runCli(args, { terraform: refused });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("a: needs-label (would destroy protected local_file.test, local_file.test3; the pull request needs the allow-destroy label)");
    expect(refused.ops("apply")).toEqual([]);
    const allowed = new FakeTerraform(scripts);
    expect((await runCli([...args, "--labels", "allow-destroy"], { terraform: allowed })).code).toBe(0);
    expect(allowed.ops("apply")).toEqual(["a"]);
  });

  it("reports a failed apply and stops its dependents", async () => {
    const scripts = { a: { plan: "borchero-tf1.13-create.json", applyExit: 1, applyStderr: "Error: timeout while waiting for state" }, b: { plan: "borchero-tf1.13-create.json" } };
    const { synth, fingerprints } = await reviewed({ a: [], b: ["a"] }, scripts);
    const fake = new FakeTerraform(scripts);
    const r = await runCli(["apply", "--cdktf-out", synth, "--reviewed", fingerprints], { terraform: fake });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("a: failed (terraform apply exited with 1)");
    expect(r.stdout).toContain("b: blocked (not planned: dependency a is failed)");
  });

  it("rejects a malformed reviewed file and asks for exactly one source of review", async () => {
    const { root, synth } = setup({ a: [] });
    const file = join(root, "bad.json");
    writeFileSync(file, JSON.stringify({ a: "md5:abc" }));
    const r = await runCli(["apply", "--cdktf-out", synth, "--reviewed", file], { terraform: new FakeTerraform({}) });
    expect(r).toMatchObject({ code: 2 });
    expect(r.stderr).toContain('a: expected a fingerprint like sha256:<64 hex digits> or hmac-sha256:<64 hex digits>, got "md5:abc"');
    expect((await runCli(["apply", "--cdktf-out", synth], { terraform: new FakeTerraform({}) })).stderr).toContain("give exactly one of --reviewed FILE or --reviewed-pr");
  });
});

describe("gitops apply output", () => {
  it("keeps each stack to one stdout line, so terraform's error text cannot issue workflow commands", async () => {
    const { synth, out } = setup({ a: [] });
    const boom = new FakeTerraform({ a: { plan: "borchero-tf1.13-create.json" } });
    boom.showJson = async () => {
      throw new Error("terraform show -json failed (exit 1): Error: bad\n::add-mask::x\n::error::pwned");
    };
    writeFileSync(join(out, "..", "reviewed.json"), "{}");
    const r = await runCli(["apply", "--cdktf-out", synth, "--reviewed", join(out, "..", "reviewed.json")], { terraform: boom });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("a: error (terraform show -json failed (exit 1): Error: bad …)\n");
  });
});

describe("the fingerprint key (GITOPS_FINGERPRINT_KEY_FILE)", () => {
  const KEY = "0123456789abcdef".repeat(4);
  const stacks = { "staging-cluster": [] };
  const scripts = { "staging-cluster": { plan: "borchero-tf1.13-create.json" } };
  /** The key as the workflow hands it over: a file of its own, consumed by the CLI. */
  const keyEnv = (key = KEY) => {
    const file = join(mkdtempSync(join(tmpdir(), "fingerprint-key-")), "key");
    writeFileSync(file, `${key}\n`, { mode: 0o600 });
    return { GITOPS_FINGERPRINT_KEY_FILE: file };
  };

  it("makes plan and apply agree on HMAC fingerprints", async () => {
    const { synth, out, read } = setup(stacks);
    const planned = await runCli(["plan", "--cdktf-out", synth, "--out", out], { terraform: new FakeTerraform(scripts), env: keyEnv() });
    expect(planned.stdout).toMatch(/^staging-cluster: changes hmac-sha256:[0-9a-f]{64}\n$/);
    expect(read("comment.md")).toMatch(/<!-- gitops:fingerprints \{"staging-cluster":"hmac-sha256:[0-9a-f]{64}"\} -->\n$/);
    const fake = new FakeTerraform(scripts);
    const applied = await runCli(["apply", "--cdktf-out", synth, "--reviewed", join(out, "fingerprints.json")], { terraform: fake, env: keyEnv() });
    expect(applied).toMatchObject({ code: 0, stdout: "staging-cluster: applied (Plan: 3 to add, 0 to change, 0 to destroy.)\n" });
    expect(fake.ops("apply")).toEqual(["staging-cluster"]);
  });

  it("deletes the key file before terraform runs", async () => {
    const { synth, out } = setup(stacks);
    const env = keyEnv();
    const seen: boolean[] = [];
    const fake = new FakeTerraform(scripts);
    const init = fake.init.bind(fake);
    fake.init = async (dir: string) => {
      seen.push(existsSync(env.GITOPS_FINGERPRINT_KEY_FILE));
      return init(dir);
    };
    expect((await runCli(["plan", "--cdktf-out", synth, "--out", out], { terraform: fake, env })).code).toBe(0);
    expect(seen).toEqual([false]);
  });

  it("refuses the key in the environment, where terraform's providers could read it", async () => {
    const { synth, out } = setup(stacks);
    const fake = new FakeTerraform(scripts);
    const r = await runCli(["plan", "--cdktf-out", synth, "--out", out], { terraform: fake, env: { GITOPS_FINGERPRINT_KEY: KEY } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("GITOPS_FINGERPRINT_KEY is set in the environment, where terraform's providers can read it");
    expect(r.stderr).not.toContain(KEY);
    expect(fake.calls).toEqual([]);
  });

  it("refuses, and says why, when plan and apply disagree about the key", async () => {
    const { synth, out } = setup(stacks);
    await runCli(["plan", "--cdktf-out", synth, "--out", out], { terraform: new FakeTerraform(scripts) });
    const fake = new FakeTerraform(scripts);
    const r = await runCli(["apply", "--cdktf-out", synth, "--reviewed", join(out, "fingerprints.json")], { terraform: fake, env: keyEnv() });
    expect(r.code).toBe(1);
    expect(fake.ops("apply")).toEqual([]);
    expect(r.stdout).toContain(
      "staging-cluster: changed (cannot compare: the review has a sha256 fingerprint and this run computes hmac-sha256; plan and apply need the same GITOPS_FINGERPRINT_KEY",
    );
  });

  it("rejects a short key or a missing file before running terraform, without echoing the key", async () => {
    const { synth, out } = setup(stacks);
    const fake = new FakeTerraform(scripts);
    const r = await runCli(["plan", "--cdktf-out", synth, "--out", out], { terraform: fake, env: keyEnv("short-secret") });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("error: GITOPS_FINGERPRINT_KEY_FILE: the key has 12 characters: use at least 32 random ones (openssl rand -hex 32)\n");
    const missing = await runCli(["plan", "--cdktf-out", synth, "--out", out], { terraform: fake, env: { GITOPS_FINGERPRINT_KEY_FILE: "/nonexistent/key" } });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe("error: GITOPS_FINGERPRINT_KEY_FILE: /nonexistent/key: no such file (the key file is deleted once read: write it again before every run)\n");
    expect(fake.calls).toEqual([]);
  });

  it("is asked for on GitHub Actions when missing, and only there", async () => {
    const { synth, out } = setup(stacks);
    const inActions = await runCli(["plan", "--cdktf-out", synth, "--out", out], { terraform: new FakeTerraform(scripts), env: { GITHUB_ACTIONS: "true" } });
    expect(inActions.code).toBe(0);
    expect(inActions.stderr).toMatch(/^::warning title=Plan fingerprints are plain sha256::set the GITOPS_FINGERPRINT_KEY secret/m);
    const local = await runCli(["plan", "--cdktf-out", synth, "--out", out], { terraform: new FakeTerraform(scripts) });
    expect(local.stderr).not.toContain("GITOPS_FINGERPRINT_KEY");
  });
});
