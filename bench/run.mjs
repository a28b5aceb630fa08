// `npm run bench`: runs every bench/*.bench.mjs case as a child process several times and prints
// a table of wall-clock times. Each case file default-exports an array of
//   { name, command: [file, ...args], runs?, env?, setup?: () => Promise<void> | void }
// where `command` is spawned without a shell from the repository root.
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const only = process.argv.slice(2);

function timeOnce(c) {
  const start = process.hrtime.bigint();
  const r = spawnSync(c.command[0], c.command.slice(1), {
    cwd: root,
    env: { ...process.env, AWS_EC2_METADATA_DISABLED: "true", CHECKPOINT_DISABLE: "1", ...c.env },
    stdio: ["ignore", "ignore", "pipe"],
    maxBuffer: 256 * 1024 * 1024,
  });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0) throw new Error(`${c.name}: exit ${r.status}\n${r.stderr?.toString().slice(-2000)}`);
  return ms;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

const files = readdirSync(join(root, "bench")).filter((f) => f.endsWith(".bench.mjs")).sort();
const rows = [];
for (const f of files) {
  const cases = (await import(pathToFileURL(join(root, "bench", f)).href)).default;
  for (const c of cases) {
    if (only.length && !only.some((o) => c.name.includes(o))) continue;
    await c.setup?.();
    timeOnce(c); // warm-up: file cache, esbuild's first run
    const times = Array.from({ length: c.runs ?? 5 }, () => timeOnce(c));
    rows.push([c.name, median(times), Math.min(...times), Math.max(...times), times.length]);
  }
}

const fmt = (ms) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`);
const table = [["what", "median", "min", "max", "runs"], ...rows.map(([n, med, mi, ma, r]) => [n, fmt(med), fmt(mi), fmt(ma), String(r)])];
const widths = table[0].map((_, i) => Math.max(...table.map((row) => row[i].length)));
for (const row of table) console.log(row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join("  "));
