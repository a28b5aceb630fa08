// Which stacks' Terraform differs between two synth outputs, so CI plans only those.
import { join } from "node:path";
import { UsageError } from "./errors";
import type { FileReader } from "./io";
import { readManifest, type SynthManifest } from "./manifest";
import { canonicalJson } from "./plan/fingerprint";
import type { JsonValue } from "./plan/plan-json";

export interface ChangedStacks {
  /** In both outputs, with different Terraform, or depending (transitively) on such a stack. */
  readonly changed: readonly string[];
  readonly added: readonly string[];
  readonly removed: readonly string[];
}

/**
 * Drops what changes without changing infrastructure: every `//` key (cdktf's metadata: construct
 * paths, unique ids, stack name and version, output metadata). Key order is normalised by canonical
 * JSON, so reordering alone is not a change either. Nothing else in cdk.tf.json varies between runs
 * or checkouts as long as stacks avoid absolute paths (the local backends use relative ones); the
 * synth stability test in __tests__/stacks/synthesize.test.ts keeps that true.
 */
export function stripMetadata(value: JsonValue): JsonValue {
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map(stripMetadata);
  const out: { [key: string]: JsonValue } = {};
  for (const [k, v] of Object.entries(value)) if (k !== "//") out[k] = stripMetadata(v);
  return out;
}

export async function detectChangedStacks(baseDir: string, headDir: string, files: FileReader): Promise<ChangedStacks> {
  const [base, head] = await Promise.all([readManifest(baseDir, files), readManifest(headDir, files)]);
  const added = [...head.stacks.keys()].filter((n) => !base.stacks.has(n));
  const removed = [...base.stacks.keys()].filter((n) => !head.stacks.has(n));
  const common = [...head.stacks.keys()].filter((n) => base.stacks.has(n));
  const direct = new Set<string>();
  await Promise.all(
    common.map(async (name) => {
      const [b, h] = await Promise.all([readStackTerraform(base, name, files), readStackTerraform(head, name, files)]);
      if (b !== h) direct.add(name);
    }),
  );
  const changed = withDependents(head, new Set([...direct, ...added]));
  for (const a of added) changed.delete(a);
  return { changed: [...changed].sort(), added: added.sort(), removed: removed.sort() };
}

async function readStackTerraform(manifest: SynthManifest, name: string, files: FileReader): Promise<string> {
  const stack = manifest.stacks.get(name);
  if (!stack) throw new Error(`unreachable: ${name} not in manifest`);
  const path = join(manifest.dir, stack.synthesizedStackPath);
  const text = await files.readText(path);
  try {
    return canonicalJson(stripMetadata(JSON.parse(text) as JsonValue));
  } catch (error) {
    throw new UsageError(`${path}: not valid JSON (${(error as Error).message})`);
  }
}

/** The seeds plus every head stack that depends on one of them, directly or through others. */
function withDependents(head: SynthManifest, seeds: ReadonlySet<string>): Set<string> {
  const result = new Set(seeds);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [name, stack] of head.stacks) {
      if (!result.has(name) && stack.dependencies.some((d) => result.has(d))) {
        result.add(name);
        grew = true;
      }
    }
  }
  return result;
}
