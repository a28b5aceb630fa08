import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { detectChangedStacks } from "../../automation/changed";
import { nodeFileReader } from "../../automation/io";
import { formatStackTable, synthesize } from "../../stacks/synthesize";
import { awsConfig, configs } from "./helpers";

describe("synthesize", () => {
  const outdir = join(mkdtempSync(join(tmpdir(), "synth-")), "cdktf.out");

  it("writes every stack with dependencies and reports resources and outputs", () => {
    const reports = synthesize(configs, outdir);
    expect(reports.map((r) => r.name)).toEqual(["local-gitops", "production-cluster", "production-gitops", "staging-cluster", "staging-gitops"]);
    const gitops = reports.find((r) => r.name === "staging-gitops");
    expect(gitops).toMatchObject({ outputs: ["argocd_url"], dependencies: ["staging-cluster"], resources: 4 }); // namespace, external-secrets, argo-cd, argocd-apps
    expect(reports.find((r) => r.name === "staging-cluster")?.resources).toBeGreaterThan(40);
    expect(formatStackTable(reports).split("\n")[0]).toMatch(/^stack\s+resources\s+outputs\s+depends on$/);
  });

  it("keeps each remaining stack's .terraform/ and lock file across synths, so an unchanged stack needs no new init", () => {
    const dir = join(mkdtempSync(join(tmpdir(), "synth-keep-")), "cdktf.out");
    const staging = configs.filter((c) => c.environment === "staging");
    synthesize(staging, dir);
    for (const stack of ["staging-cluster", "staging-gitops"]) {
      mkdirSync(join(dir, "stacks", stack, ".terraform", "providers"), { recursive: true });
      writeFileSync(join(dir, "stacks", stack, ".terraform", "terraform.tfstate"), `{"backend":"${stack}"}`);
      writeFileSync(join(dir, "stacks", stack, ".terraform.lock.hcl"), `# ${stack}\n`);
    }
    // The same stacks again: their working files are still there.
    synthesize(staging, dir);
    expect(readFileSync(join(dir, "stacks", "staging-cluster", ".terraform", "terraform.tfstate"), "utf8")).toBe('{"backend":"staging-cluster"}');
    expect(readFileSync(join(dir, "stacks", "staging-gitops", ".terraform.lock.hcl"), "utf8")).toBe("# staging-gitops\n");
    // Other stacks only: nothing of the staging stacks survives, and the new stack starts clean.
    const local = configs.filter((c) => c.environment === "local");
    synthesize(local, dir);
    expect(readdirSync(join(dir, "stacks"))).toEqual(["local-gitops"]);
    expect(existsSync(join(dir, "stacks", "local-gitops", ".terraform"))).toBe(false);
    expect(readdirSync(join(dir, ".."))).toEqual(["cdktf.out"]);
  });

  it("leaves the previous output untouched when a stack fails to build", () => {
    const before = readFileSync(join(outdir, "manifest.json"), "utf8");
    const broken = { ...awsConfig("staging"), network: { ...awsConfig("staging").network, availabilityZones: 9 } };
    expect(() => synthesize([broken], outdir)).toThrow("Network: invalid prop availabilityZones");
    expect(readFileSync(join(outdir, "manifest.json"), "utf8")).toBe(before);
    expect(readdirSync(join(outdir, ".."))).toEqual(["cdktf.out"]);
  });

  it("gives the plan workflow a stable diff: a config change marks exactly its environment's stacks", async () => {
    // Staging alone keeps this cheap; stability across whole-app synths is what CI relies on too.
    const staging = configs.filter((c) => c.environment === "staging");
    const synthTo = (prefix: string, which: typeof configs) => {
      const dir = join(mkdtempSync(join(tmpdir(), prefix)), "cdktf.out");
      synthesize(which, dir);
      return dir;
    };
    const base = synthTo("synth-base-", staging);
    expect(await detectChangedStacks(base, synthTo("synth-again-", staging), nodeFileReader)).toEqual({ changed: [], added: [], removed: [] });
    const bigger = staging.map((c) =>
      c.kind === "aws" ? { ...c, cluster: { ...c.cluster, nodeGroups: { default: { ...c.cluster.nodeGroups.default!, maxSize: 8 } } } } : c,
    );
    // The gitops stack reads the cluster's outputs, so it is planned too.
    expect(await detectChangedStacks(base, synthTo("synth-changed-", bigger), nodeFileReader)).toEqual({
      changed: ["staging-cluster", "staging-gitops"],
      added: [],
      removed: [],
    });
  });
});
