// The guardrails' report without writing cdktf.out: synthesizes every stack into a scratch directory
// and prints what the policies found, as text or as JSON for other tools.
//   npm run --silent policy -- [--format text|json] [--env staging[,production]]
// Exit codes: 0 no policy errors, 1 policy errors, 2 usage or config error.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfigs } from "../config/bootstrap-schema";
import { readSynthCommandLine } from "../config/command-line";
import { ConfigError } from "../config/schema";
import { InvalidPropError } from "../constructs/errors";
import { formatPolicyReport, type PolicyReport } from "../constructs/policies";
import { synthesize, SynthError } from "../stacks/synthesize";

const USAGE = "usage: npm run --silent policy -- [--format text|json] [--env staging[,production]]";

function run(argv: string[]): number {
  const commandLine = readSynthCommandLine(argv, { formats: ["text", "json"], usage: USAGE });
  if (typeof commandLine === "number") return commandLine;
  const format = commandLine.format ?? "text";
  const scratch = mkdtempSync(join(tmpdir(), "policy-"));
  const observed: { policy?: PolicyReport } = {};
  try {
    const { environments, bootstraps } = loadConfigs("config", commandLine.environments);
    try {
      synthesize(environments, join(scratch, "cdktf.out"), bootstraps, { onPolicyReport: (policy) => (observed.policy = policy) });
    } catch (error) {
      // Policy errors are the report's business; anything else that stops the synth is not.
      if (!(error instanceof SynthError) || !observed.policy) throw error;
    }
  } catch (error) {
    if (error instanceof ConfigError || error instanceof SynthError || error instanceof InvalidPropError) {
      console.error(error.message);
      return 2;
    }
    throw error;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  const report = observed.policy!;
  console.log(format === "json" ? JSON.stringify(report.toJSON(), null, 2) : formatPolicyReport(report));
  return report.hasErrors ? 1 : 0;
}

process.exitCode = run(process.argv.slice(2));
