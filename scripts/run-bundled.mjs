// Runs a TypeScript entry point (main.ts, automation/index.ts) the fast way: bundle it with esbuild
// into .build/ only when a source file changed since the last bundle, then run the bundle in this
// same process. This is what keeps `npm run synth` near a second: no ts-node, no type check (that is
// `npm run typecheck`), no second node start-up.
//   node scripts/run-bundled.mjs <entry.ts> [args...]
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import Module, { createRequire } from "node:module";
import vm from "node:vm";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const [entry, ...args] = process.argv.slice(2);
if (!entry) {
  console.error("usage: node scripts/run-bundled.mjs <entry.ts> [args...]");
  process.exit(2);
}
const name = basename(entry).replace(/\.ts$/, "");
const outfile = join(root, ".build", entry.startsWith("automation/") ? "gitops.js" : `${name}.js`);
const inputsFile = `${outfile}.inputs.json`;

/** The bundle is fresh when it is newer than every project source it was built from, the lockfile and this script (its options). */
function isFresh() {
  if (!existsSync(outfile) || !existsSync(inputsFile)) return false;
  const builtAt = statSync(outfile).mtimeMs;
  const inputs = JSON.parse(readFileSync(inputsFile, "utf8"));
  return [...inputs, "package-lock.json", "scripts/run-bundled.mjs"].every((f) => {
    const path = join(root, f);
    return existsSync(path) && statSync(path).mtimeMs <= builtAt;
  });
}

// The cdktf modules the project never needs are replaced by the stand-ins the tests use too. Each
// stand-in is a self-contained function, so its source goes into the bundle as it is.
const standIns = createRequire(import.meta.url)("./cdktf-stand-ins.cjs");
const escapeRegExp = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const standInPlugin = {
  name: "cdktf-stand-ins",
  setup(build) {
    for (const standIn of standIns) {
      build.onLoad({ filter: new RegExp(`^${escapeRegExp(standIn.path)}$`) }, () => ({
        contents: `// stand-in (scripts/cdktf-stand-ins.cjs): ${standIn.name}\nmodule.exports = (${standIn.exports.toString()})();\n`,
        loader: "js",
      }));
    }
  },
};

const LAZY_PACKAGES = ["kubernetes-models", "kubernetes-models/*", "@kubernetes-models/*"];

async function bundle() {
  const esbuild = await import("esbuild");
  mkdirSync(dirname(outfile), { recursive: true });
  const result = await esbuild.build({
    entryPoints: [join(root, entry)],
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    outfile,
    write: false,
    metafile: true,
    logLevel: "warning",
    plugins: [standInPlugin],
    // The Kubernetes and Argo CD schema models (1.7 MB) are only loaded by `gitops preview`, lazily:
    // left in node_modules, every other command starts without parsing them.
    external: LAZY_PACKAGES,
  });
  const inputs = Object.keys(result.metafile.inputs).filter((f) => !f.startsWith("node_modules/"));
  writeAtomically(inputsFile, JSON.stringify(inputs));
  writeAtomically(outfile, result.outputFiles.find((f) => f.path === outfile)?.contents ?? result.outputFiles[0].contents);
}

/**
 * Several processes may bundle at once (parallel test workers on a fresh checkout): each writes its
 * own temporary file and renames it into place, so no process ever reads a half-written bundle.
 */
function writeAtomically(file, contents) {
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, contents);
  renameSync(temporary, file);
}

/**
 * Runs the bundle as a CommonJS module with a V8 code cache next to it: compiling 3.5 MB of
 * JavaScript is a tenth of a synth, and the cache (written after the first run, so it also holds
 * the functions that run compiled lazily) skips most of it. A stale or foreign cache is rejected
 * by V8 and rewritten.
 */
function runWithCodeCache(file) {
  const cacheFile = `${file}.v8cache`;
  const cachedData = existsSync(cacheFile) && statSync(cacheFile).mtimeMs >= statSync(file).mtimeMs ? readFileSync(cacheFile) : undefined;
  const script = new vm.Script(Module.wrap(readFileSync(file, "utf8")), { filename: file, cachedData });
  if (cachedData === undefined || script.cachedDataRejected) {
    process.once("exit", () => {
      try {
        writeAtomically(cacheFile, script.createCachedData());
      } catch {
        // only a missed speed-up
      }
    });
  }
  const module = new Module(file);
  module.filename = file;
  module.paths = Module._nodeModulePaths(dirname(file));
  script.runInThisContext().call(module.exports, module.exports, createRequire(file), module, file, dirname(file));
}

if (!isFresh()) await bundle();
process.argv = [process.argv[0], resolve(outfile), ...args];
runWithCodeCache(outfile);
