// Runs before every test file. Nothing a test starts may reach cloud metadata or HashiCorp's
// checkpoint service. (cdktf's jest matchers are not registered here on purpose: loading cdktf costs
// ~0.5 s per test file, and most files never touch it; a file that wants them calls
// `Testing.setupJest()` itself.)
process.env.AWS_EC2_METADATA_DISABLED = "true";
process.env.CHECKPOINT_DISABLE = "1";

// No optimizing compilers in the test workers. Test code runs a few times and is thrown away with
// each file's module registry, so optimizing it never pays back: on Node 20, TurboFan cost ~3 s of CPU
// on background threads per run, which the other worker needed (`npm test` 22.4 s → 21.0 s on 2 cores,
// averages of four runs). Maglev, on by default from Node 22 (the workflows' .nvmrc), is turned off
// for the same reason, not measured here. The interpreter and the baseline compiler stay. Both flags
// exist in Node 20 to 24; should V8 drop one, setFlagsFromString prints "unrecognized flag" and the
// suite is only slower.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { setFlagsFromString } = require("node:v8") as typeof import("node:v8");
setFlagsFromString("--no-turbofan");
setFlagsFromString("--no-maglev");

// The same cdktf stand-ins as the bundled `npm run synth` (see the file for what and why). Mocks
// are lazy: a test file that never loads cdktf pays nothing for them.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const standIns = require("../scripts/cdktf-stand-ins.cjs") as ReadonlyArray<{ path: string; exports: () => unknown }>;
for (const standIn of standIns) jest.mock(standIn.path, standIn.exports);
