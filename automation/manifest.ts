// Reads cdktf's synth output index (cdktf.out/manifest.json) without importing cdktf.
import { join } from "node:path";
import { z } from "zod";
import { UsageError } from "./errors";
import type { FileReader } from "./io";

export interface SynthStack {
  readonly name: string;
  /** Relative to the synth output dir, e.g. `stacks/staging-cluster`. */
  readonly workingDirectory: string;
  /** Relative to the synth output dir, e.g. `stacks/staging-cluster/cdk.tf.json`. */
  readonly synthesizedStackPath: string;
  readonly dependencies: readonly string[];
}

export interface SynthManifest {
  readonly dir: string;
  readonly version: string;
  readonly stacks: ReadonlyMap<string, SynthStack>;
}

const manifestSchema = z.looseObject({
  version: z.string(),
  stacks: z.record(
    z.string(),
    z.looseObject({
      name: z.string(),
      workingDirectory: z.string(),
      synthesizedStackPath: z.string(),
      dependencies: z.array(z.string()).default([]),
    }),
  ),
});

export async function readManifest(dir: string, files: FileReader): Promise<SynthManifest> {
  const path = join(dir, "manifest.json");
  let text: string;
  try {
    text = await files.readText(path);
  } catch (error) {
    throw new UsageError(`${dir}: not a synth output directory (${error instanceof Error ? error.message : String(error)}); run \`npm run synth\` first`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${path}: not valid JSON (${(error as Error).message})`);
  }
  const result = manifestSchema.safeParse(data);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new UsageError(`${path}: not a cdktf manifest: ${issue ? `${issue.path.join(".") || "document"}: ${issue.message}` : "invalid"}`);
  }
  const stacks = new Map<string, SynthStack>();
  for (const [key, s] of Object.entries(result.data.stacks)) {
    stacks.set(key, { name: s.name, workingDirectory: s.workingDirectory, synthesizedStackPath: s.synthesizedStackPath, dependencies: s.dependencies });
  }
  return { dir, version: result.data.version, stacks };
}
