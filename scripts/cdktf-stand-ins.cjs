// Parts of cdktf this project never needs, replaced by small stand-ins in the two places that load
// cdktf: the bundled fast path (scripts/run-bundled.mjs) and the tests (__tests__/setup.ts). Both use
// this one list, so tests exercise the same cdktf that `npm run synth` runs.
"use strict";
const { dirname, join } = require("node:path");

const cdktf = dirname(require.resolve("cdktf/package.json"));

/**
 * `path`: the module's file, resolved the way cdktf resolves it (npm may or may not hoist its
 * dependencies), so both jest and esbuild match the very file cdktf loads.
 * @type {ReadonlyArray<{ name: string, path: string, exports: () => unknown }>}
 */
module.exports = [
  {
    // cdktf records a full stack trace for every token it creates, only to explain unresolvable
    // tokens in error messages: ~10% of a bundled synth, and far more under jest, which maps every
    // trace through source maps.
    name: "token stack traces",
    path: join(cdktf, "lib", "tokens", "private", "stack-trace.js"),
    exports: () => ({ captureStackTrace: () => [] }),
  },
  {
    // archiver zips the directories of TerraformAsset and local module assets; loading it (and its
    // stream libraries) costs ~90 ms per process. The project has no assets.
    name: "asset archives",
    path: require.resolve("archiver", { paths: [cdktf] }),
    exports: () => () => {
      throw new Error(
        "cdktf's archiver is replaced by a stand-in in scripts/cdktf-stand-ins.cjs (this project has no TerraformAsset); remove that entry to use assets",
      );
    },
  },
];
