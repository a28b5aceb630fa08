import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FakeTerraform, writeSynthOutput } from "../support/fake-terraform";
import { runCli } from "../support/memory-io";

const synth = writeSynthOutput(join(mkdtempSync(join(tmpdir(), "gitops-diff-")), "cdktf.out"), { "staging-cluster": [], "staging-gitops": ["staging-cluster"] });
/** Credentials as the AWS SDK finds them in the environment (the values are never used: terraform is a fake). */
const CREDENTIALS = { AWS_ACCESS_KEY_ID: "AKIAEXAMPLEEXAMPLE00", AWS_SECRET_ACCESS_KEY: "example" };
const scripts = { "staging-cluster": { plan: "tofu-eq-basic-map-update.json" }, "staging-gitops": { plan: "borchero-tf1.13-empty.json", planExit: 0 } };

describe("gitops diff", () => {
  it("synthesizes first, then prints each named stack's changes for the terminal", async () => {
    const synthCalls: (readonly string[])[] = [];
    const fake = new FakeTerraform(scripts);
    const r = await runCli(["diff", "--cdktf-out", synth, "staging-cluster"], {
      terraform: fake,
      env: CREDENTIALS,
      runSynth: async (args, outdir) => {
        synthCalls.push([...args, outdir]);
        return 0;
      },
    });
    expect(r.code).toBe(0);
    expect(synthCalls).toEqual([[synth]]); // synthesizes into the directory it then plans
    expect(fake.ops("plan")).toEqual(["staging-cluster"]);
    expect(r.stdout).toMatch(/^staging-cluster:\n {4}~ tfcoremock_map\.map\n/);
    expect(r.stdout).toContain("  Plan: 0 to add, 1 to change, 0 to destroy.\n");
    expect(r.stdout).not.toContain("\u001b["); // not a terminal: no colours
    // The plan files hold secrets in clear text: nothing may be left behind.
    const planFile = fake.calls.find((c) => c.op === "plan")?.file ?? "";
    expect(planFile).not.toBe("");
    expect(existsSync(planFile)).toBe(false);
  });

  it("prints the PR comment with --markdown and passes --env to synth", async () => {
    const synthCalls: (readonly string[])[] = [];
    const r = await runCli(["diff", "--cdktf-out", synth, "--env", "staging", "--markdown"], {
      terraform: new FakeTerraform(scripts),
      env: CREDENTIALS,
      runSynth: async (args) => {
        synthCalls.push(args);
        return 0;
      },
    });
    expect(r.code).toBe(0);
    expect(synthCalls).toEqual([["--env", "staging"]]);
    expect(r.stdout.split("\n")[0]).toBe("<!-- gitops:plan key=plan -->");
    expect(r.stdout).toContain("### ✅ `staging-gitops`: No changes");
  });

  it("plans nothing when synth fails", async () => {
    const fake = new FakeTerraform(scripts);
    const r = await runCli(["diff", "--cdktf-out", synth], { terraform: fake, runSynth: async () => 1 });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe("error: synth failed (exit 1); nothing was planned\n");
    expect(fake.calls).toEqual([]);
  });

  it("leaves bootstrap and local-gitops out unless they are named", async () => {
    const all = writeSynthOutput(join(mkdtempSync(join(tmpdir(), "gitops-diff-")), "cdktf.out"), { bootstrap: [], "local-gitops": [], "staging-cluster": [] });
    const everything = new FakeTerraform({});
    expect((await runCli(["diff", "--no-synth", "--cdktf-out", all], { terraform: everything, env: CREDENTIALS })).code).toBe(0);
    expect(everything.ops("plan")).toEqual(["staging-cluster"]);
    const named = new FakeTerraform({});
    expect((await runCli(["diff", "--no-synth", "--cdktf-out", all, "bootstrap"], { terraform: named, env: CREDENTIALS })).code).toBe(0);
    expect(named.ops("plan")).toEqual(["bootstrap"]);
    const local = new FakeTerraform({});
    expect((await runCli(["diff", "--no-synth", "--cdktf-out", all, "--env", "local"], { terraform: local })).code).toBe(0);
    expect(local.ops("plan")).toEqual(["local-gitops"]);
  });
});

describe("gitops diff without AWS credentials", () => {
  const home = mkdtempSync(join(tmpdir(), "gitops-home-"));

  it("stops with one line that says what is missing and how to log in, and starts no terraform", async () => {
    const fake = new FakeTerraform(scripts);
    const r = await runCli(["diff", "--no-synth", "--cdktf-out", synth], { terraform: fake, env: { HOME: home } });
    expect(r.code).toBe(2);
    expect(r.stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(r.stderr).toContain(`error: no AWS credentials (no AWS_ACCESS_KEY_ID, no web identity or container credentials, and profile "default" has no credentials in ${home}/.aws/config or ${home}/.aws/credentials)`);
    expect(r.stderr).toContain("aws sso login --profile <profile>");
    expect(r.stderr).toContain("gitops-plan role");
    expect(fake.calls).toEqual([]);
  });

  it("accepts an SSO profile from the shared config file, named by AWS_PROFILE", async () => {
    mkdirSync(join(home, ".aws"), { recursive: true });
    writeFileSync(join(home, ".aws", "config"), "[default]\nregion = eu-north-1\n\n[profile platform]\nsso_session = acme\nsso_account_id = 123456789012\nsso_role_name = ReadOnly\n");
    const fake = new FakeTerraform(scripts);
    expect((await runCli(["diff", "--no-synth", "--cdktf-out", synth], { terraform: fake, env: { HOME: home } })).code).toBe(2);
    const r = await runCli(["diff", "--no-synth", "--cdktf-out", synth], { terraform: fake, env: { HOME: home, AWS_PROFILE: "platform" } });
    expect(r.code).toBe(0);
    expect(fake.ops("plan")).toEqual(["staging-cluster", "staging-gitops"]);
  });

  it("needs none for local-gitops, and can be told to skip the check", async () => {
    const all = writeSynthOutput(join(mkdtempSync(join(tmpdir(), "gitops-diff-")), "cdktf.out"), { "local-gitops": [], "staging-cluster": [] });
    const local = new FakeTerraform({ "local-gitops": { plan: "borchero-tf1.13-empty.json", planExit: 0 } });
    expect((await runCli(["diff", "--no-synth", "--cdktf-out", all, "--env", "local"], { terraform: local, env: { HOME: "/nonexistent" } })).code).toBe(0);
    const skipped = new FakeTerraform({ "staging-cluster": { plan: "borchero-tf1.13-empty.json", planExit: 0 } });
    expect((await runCli(["diff", "--no-synth", "--no-credential-check", "--cdktf-out", all, "staging-cluster"], { terraform: skipped, env: { HOME: "/nonexistent" } })).code).toBe(0);
    expect(skipped.ops("plan")).toEqual(["staging-cluster"]);
  });
});
