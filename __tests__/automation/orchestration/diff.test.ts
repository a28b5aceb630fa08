import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FakeTerraform, writeSynthOutput } from "../support/fake-terraform";
import { runCli } from "../support/memory-io";

const synth = writeSynthOutput(join(mkdtempSync(join(tmpdir(), "gitops-diff-")), "cdktf.out"), { "staging-cluster": [], "staging-gitops": ["staging-cluster"] });
const scripts = { "staging-cluster": { plan: "tofu-eq-basic-map-update.json" }, "staging-gitops": { plan: "borchero-tf1.13-empty.json", planExit: 0 } };

describe("gitops diff", () => {
  it("synthesizes first, then prints each named stack's changes for the terminal", async () => {
    const synthCalls: (readonly string[])[] = [];
    const fake = new FakeTerraform(scripts);
    const r = await runCli(["diff", "--cdktf-out", synth, "staging-cluster"], {
      terraform: fake,
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
    expect((await runCli(["diff", "--no-synth", "--cdktf-out", all], { terraform: everything })).code).toBe(0);
    expect(everything.ops("plan")).toEqual(["staging-cluster"]);
    const named = new FakeTerraform({});
    expect((await runCli(["diff", "--no-synth", "--cdktf-out", all, "bootstrap"], { terraform: named })).code).toBe(0);
    expect(named.ops("plan")).toEqual(["bootstrap"]);
    const local = new FakeTerraform({});
    expect((await runCli(["diff", "--no-synth", "--cdktf-out", all, "--env", "local"], { terraform: local })).code).toBe(0);
    expect(local.ops("plan")).toEqual(["local-gitops"]);
  });
});
