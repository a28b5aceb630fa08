import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { detectChangedStacks, stripMetadata } from "../../automation/changed";
import { UsageError } from "../../automation/errors";
import { nodeFileReader } from "../../automation/io";
import { runCli } from "./support/memory-io";

type StackJson = Record<string, unknown>;

/** Writes a cdktf.out-shaped directory: manifest.json + stacks/<name>/cdk.tf.json. */
function synthOutput(stacks: Record<string, { tf: StackJson; deps?: string[] }>): string {
  const dir = mkdtempSync(join(tmpdir(), "cdktf-out-"));
  const manifest: { version: string; stacks: Record<string, unknown> } = { version: "0.21.0", stacks: {} };
  for (const [name, s] of Object.entries(stacks)) {
    mkdirSync(join(dir, "stacks", name), { recursive: true });
    writeFileSync(join(dir, "stacks", name, "cdk.tf.json"), JSON.stringify(s.tf, null, 2));
    manifest.stacks[name] = {
      annotations: [],
      constructPath: name,
      dependencies: s.deps ?? [],
      name,
      stackMetadataPath: `stacks/${name}/metadata.json`,
      synthesizedStackPath: `stacks/${name}/cdk.tf.json`,
      workingDirectory: `stacks/${name}`,
    };
  }
  writeFileSync(join(dir, "manifest.json"), JSON.stringify(manifest));
  return dir;
}

const vpc = (cidr: string, path = "staging-cluster/network/vpc"): StackJson => ({
  "//": { metadata: { backend: "s3", stackName: "staging-cluster", version: "0.21.0" }, outputs: {} },
  resource: { aws_vpc: { network_vpc_4E8F0223: { "//": { metadata: { path, uniqueId: "network_vpc_4E8F0223" } }, cidr_block: cidr, tags: { env: "staging" } } } },
  terraform: { backend: { s3: { bucket: "b", key: "staging/cluster.tfstate" } } },
});
const gitops = (version: string): StackJson => ({ resource: { helm_release: { argocd: { chart: "argo-cd", version } } } });

describe("changed stacks between two synth outputs", () => {
  it("ignores // metadata and key order", async () => {
    const base = synthOutput({ "staging-cluster": { tf: vpc("10.0.0.0/16") } });
    const reordered = vpc("10.0.0.0/16", "renamed/wrapper/vpc");
    const head = synthOutput({ "staging-cluster": { tf: Object.fromEntries(Object.entries(reordered).reverse()) } });
    expect(await detectChangedStacks(base, head, nodeFileReader)).toEqual({ changed: [], added: [], removed: [] });
  });

  it("reports a real change, its dependents (transitively), added and removed stacks, sorted", async () => {
    const base = synthOutput({
      "staging-cluster": { tf: vpc("10.0.0.0/16") },
      "staging-gitops": { tf: gitops("10.1.1"), deps: ["staging-cluster"] },
      "staging-apps": { tf: gitops("1"), deps: ["staging-gitops"] },
      "production-cluster": { tf: vpc("10.1.0.0/16") },
      legacy: { tf: gitops("0") },
    });
    const head = synthOutput({
      "staging-cluster": { tf: vpc("10.9.0.0/16") },
      "staging-gitops": { tf: gitops("10.1.1"), deps: ["staging-cluster"] },
      "staging-apps": { tf: gitops("1"), deps: ["staging-gitops"] },
      "production-cluster": { tf: vpc("10.1.0.0/16") },
      bootstrap: { tf: gitops("2") },
    });
    expect(await detectChangedStacks(base, head, nodeFileReader)).toEqual({
      changed: ["staging-apps", "staging-cluster", "staging-gitops"],
      added: ["bootstrap"],
      removed: ["legacy"],
    });
  });

  it("CLI: json format, and text lists the stacks to plan", async () => {
    const base = synthOutput({ a: { tf: gitops("1") }, b: { tf: gitops("1") } });
    const head = synthOutput({ a: { tf: gitops("2") }, c: { tf: gitops("1") } });
    const json = await runCli(["changed", "--base", base, "--head", head, "--format", "json"]);
    expect(json).toMatchObject({ code: 0, stdout: '{"changed":["a"],"added":["c"],"removed":["b"]}\n' });
    const text = await runCli(["changed", "--base", base, "--head", head]);
    expect(text.stdout).toBe("a\nc\n");
    expect(text.stderr).toMatch(/removed stacks .*: b/);
  });

  it("exits 2 naming a missing directory or manifest", async () => {
    const head = synthOutput({ a: { tf: gitops("1") } });
    const r = await runCli(["changed", "--base", "/nonexistent/cdktf.out", "--head", head]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: \/nonexistent\/cdktf\.out: not a synth output directory/);
    const empty = mkdtempSync(join(tmpdir(), "empty-"));
    writeFileSync(join(empty, "manifest.json"), "{}");
    await expect(detectChangedStacks(empty, head, nodeFileReader)).rejects.toThrow(UsageError);
    await expect(detectChangedStacks(empty, head, nodeFileReader)).rejects.toThrow(/manifest\.json: not a cdktf manifest/);
  });

  it("stripMetadata removes // at every depth and nothing else", () => {
    expect(stripMetadata({ "//": 1, a: { "//": { x: 1 }, b: [{ "//": 2, c: "//" }] } })).toEqual({ a: { b: [{ c: "//" }] } });
  });
});
