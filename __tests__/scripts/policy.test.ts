// `npm run policy` as users run it (the esbuild bundle of scripts/policy.ts): the guardrails' report
// without writing cdktf.out, and a clear usage error for an option it does not know.
import { spawnSync } from "node:child_process";
import { join } from "node:path";

const repo = join(__dirname, "..", "..");
const policy = (...args: string[]) =>
  spawnSync(process.execPath, [join(repo, "scripts", "run-bundled.mjs"), "scripts/policy.ts", ...args], { cwd: repo, encoding: "utf8" });

it("prints the JSON report of a real stack and exits 0", () => {
  const r = policy("--format", "json", "--env", "local");
  expect(r.status).toBe(0);
  const report = JSON.parse(r.stdout) as { summary: { rules: number; errors: number }; rules: unknown[] };
  expect(report.summary).toMatchObject({ rules: report.rules.length, errors: 0 });
  expect(report.rules.length).toBeGreaterThan(0);
});

it("refuses an option it does not know instead of ignoring it", () => {
  const r = policy("--formt", "json");
  expect(r.status).toBe(2);
  expect(r.stderr).toBe("Unknown option '--formt'\nusage: npm run --silent policy -- [--format text|json] [--env staging[,production]]\n");
  expect(r.stdout).toBe("");
});
