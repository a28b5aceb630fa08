// Parts of cdktf this project never needs, replaced by small stand-ins in the two places that load
// cdktf: the bundled fast path (scripts/run-bundled.mjs) and the tests (__tests__/setup.ts). Both use
// this one list, so tests exercise the same cdktf that `npm run synth` runs.
"use strict";

/**
 * Keyed by the module's path as resolved from the project root (what `jest.mock` takes); `pattern`
 * matches the same file in esbuild's resolved paths.
 * @type {Record<string, { pattern: RegExp, exports: () => unknown }>}
 */
module.exports = {
  "cdktf/lib/tokens/private/stack-trace": {
    pattern: /cdktf[\\/]lib[\\/]tokens[\\/]private[\\/]stack-trace\.js$/,
    // cdktf records a full stack trace for every token it creates, only to explain unresolvable
    // tokens in error messages: ~10% of a bundled synth, and far more under jest, which maps every
    // trace through source maps.
    exports: () => ({ captureStackTrace: () => [] }),
  },
  "cdktf/node_modules/archiver": {
    pattern: /cdktf[\\/]node_modules[\\/]archiver[\\/]index\.js$/,
    // archiver zips the directories of TerraformAsset and local module assets; loading it (and its
    // stream libraries) costs ~90 ms per process. The project has no assets.
    exports: () => () => {
      throw new Error(
        "cdktf's archiver is replaced by a stand-in in scripts/cdktf-stand-ins.cjs (this project has no TerraformAsset); remove that entry to use assets",
      );
    },
  },
};
