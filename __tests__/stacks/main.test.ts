// The composition root as users run it (`npm run synth`: the esbuild bundle of main.ts): a broken
// config exits non-zero with every problem listed, and leaves the previous cdktf.out as it was.
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const repo = join(__dirname, "..", "..");

function synthIn(dir: string, ...args: string[]) {
  return spawnSync(process.execPath, [join(repo, "scripts", "run-bundled.mjs"), "main.ts", ...args], {
    cwd: dir,
    env: { ...process.env, CDKTF_OUTDIR: join(dir, "cdktf.out") },
    encoding: "utf8",
  });
}

it("refuses broken configs with every problem named, and writes nothing", () => {
  const dir = mkdtempSync(join(tmpdir(), "main-"));
  cpSync(join(repo, "config"), join(dir, "config"), { recursive: true });
  mkdirSync(join(dir, "cdktf.out"));
  writeFileSync(join(dir, "cdktf.out", "manifest.json"), "previous synth");
  const staging = join(dir, "config", "staging.yaml");
  writeFileSync(staging, readFileSync(staging, "utf8").replace("minSize: 2", 'minSize: "two"').replace('["203.0.113.0/24"]', '["0.0.0.0/0"]'));
  const production = join(dir, "config", "production.yaml");
  writeFileSync(production, readFileSync(production, "utf8").replace("natGateways: perAz", "natGateways: many"));

  const r = synthIn(dir);
  expect(r.status).toBe(1);
  expect(r.stderr).toContain('config/production.yaml: network.natGateways: expected "single" or "perAz", got "many"');
  expect(r.stderr).toContain('config/staging.yaml: cluster.nodeGroups.default.minSize: expected an integer >= 1, got "two"');
  expect(r.stderr).toContain("config/staging.yaml: cluster.endpointPublicAccessCidrs.0: expected a CIDR narrower than 0.0.0.0/0");
  expect(r.stderr).toContain("nothing was written; cdktf.out/ is unchanged");
  expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  expect(readFileSync(join(dir, "cdktf.out", "manifest.json"), "utf8")).toBe("previous synth");
});

it("refuses an option it does not know, and writes nothing", () => {
  const dir = mkdtempSync(join(tmpdir(), "main-"));
  cpSync(join(repo, "config"), join(dir, "config"), { recursive: true });
  const r = synthIn(dir, "--evn", "staging");
  expect(r.status).toBe(2);
  expect(r.stderr).toBe("Unknown option '--evn'\nusage: npm run synth [-- --env staging[,production]]   (--env bootstrap selects the bootstrap stack)\n");
  expect(existsSync(join(dir, "cdktf.out"))).toBe(false);
});
