// Composition root: load the environment configs, synthesize their stacks, print what was written.
//   npm run synth [-- --env staging[,production]]   (`--env bootstrap` selects the bootstrap stack)
import { loadConfigs } from "./config/bootstrap-schema";
import { readSynthCommandLine } from "./config/command-line";
import { ConfigError } from "./config/schema";
import { InvalidPropError } from "./constructs/errors";
import { formatPolicyReport, type PolicyReport } from "./constructs/policies";
import { formatStackTable, synthesize, SynthError } from "./stacks/synthesize";

const USAGE = "usage: npm run synth [-- --env staging[,production]]   (--env bootstrap selects the bootstrap stack)";

function main(argv: string[]): number {
  const commandLine = readSynthCommandLine(argv, { usage: USAGE });
  if (typeof commandLine === "number") return commandLine;
  const observed: { policy?: PolicyReport } = {};
  try {
    const { environments, bootstraps } = loadConfigs("config", commandLine.environments);
    const outdir = process.env.CDKTF_OUTDIR ?? "cdktf.out";
    const reports = synthesize(environments, outdir, bootstraps, { onPolicyReport: (policy) => (observed.policy = policy) });
    console.log(formatStackTable(reports));
    if (observed.policy) console.log(`\n${formatPolicyReport(observed.policy)}`);
    console.log(`\n${reports.length} stacks written to ${outdir}/`);
    return 0;
  } catch (error) {
    // InvalidPropError: a construct refused a value the config schema let through; still a clean message.
    if (error instanceof ConfigError || error instanceof SynthError || error instanceof InvalidPropError) {
      // Warnings, waivers and the counts; the errors themselves are listed in the SynthError message.
      if (observed.policy) console.error(formatPolicyReport(observed.policy, { errors: false }));
      console.error(error.message);
      console.error("nothing was written; cdktf.out/ is unchanged");
      return 1;
    }
    throw error;
  }
}

process.exitCode = main(process.argv.slice(2));
