// Composition root: load the environment configs, synthesize their stacks, print what was written.
//   npm run synth [-- --env staging[,production]]
import { ConfigError, loadEnvironmentConfigs } from "./config/schema";
import { formatStackTable, synthesize, SynthError } from "./stacks/synthesize";

function requestedEnvironments(argv: readonly string[]): string[] | undefined {
  const i = argv.indexOf("--env");
  const inline = argv.find((a) => a.startsWith("--env="));
  const value = inline ? inline.slice("--env=".length) : i >= 0 ? argv[i + 1] : undefined;
  return value?.split(",").filter(Boolean);
}

try {
  const configs = loadEnvironmentConfigs("config", requestedEnvironments(process.argv.slice(2)));
  const outdir = process.env.CDKTF_OUTDIR ?? "cdktf.out";
  const reports = synthesize(configs, outdir);
  console.log(formatStackTable(reports));
  console.log(`\n${reports.length} stacks written to ${outdir}/`);
} catch (error) {
  if (error instanceof ConfigError || error instanceof SynthError) {
    console.error(error.message);
    console.error("nothing was written; cdktf.out/ is unchanged");
    process.exitCode = 1;
  } else {
    throw error;
  }
}
