// Which stacks a command works on: all, those of one environment, named ones, or those whose
// Terraform changed against a base synth output.
import { detectChangedStacks } from "./changed";
import { UsageError } from "./errors";
import type { FileReader } from "./io";
import type { SynthManifest } from "./manifest";

/**
 * Stacks no workflow plans or applies: bootstrap is applied by hand (docs/aws-setup.md) and
 * local-gitops targets a laptop cluster. Commands over "every stack" leave them out unless named.
 */
export const HAND_RUN_STACKS: readonly string[] = ["bootstrap", "local-gitops"];

export interface StackSelection {
  readonly env?: string;
  readonly stacks?: readonly string[];
  /** Without env or stacks, leave out HAND_RUN_STACKS. @default false */
  readonly skipHandRun?: boolean;
  /** A base `cdktf.out` dir: only stacks changed or added since then. */
  readonly changedFrom?: string;
}

/** Environment of a stack by the naming convention `<env>-<part>`; `bootstrap` is its own. */
export function environmentOf(stack: string): string {
  const dash = stack.lastIndexOf("-");
  return dash > 0 ? stack.slice(0, dash) : stack;
}

export function stacksOfEnvironment(manifest: SynthManifest, env: string): string[] {
  return [...manifest.stacks.keys()].filter((name) => environmentOf(name) === env).sort();
}

export interface SelectedStacks {
  readonly stacks: readonly string[];
  /** Stacks that exist in the base but no longer in the code (see removed-stacks.ts). */
  readonly removed: readonly string[];
  /** Stacks new in the code since the base (with changedFrom): a removed one may have been renamed to one of them. */
  readonly added: readonly string[];
}

export async function selectStacks(manifest: SynthManifest, selection: StackSelection, files: FileReader): Promise<SelectedStacks> {
  let names = [...manifest.stacks.keys()].sort();
  let removed: string[] = [];
  let added: string[] = [];
  const noSuchEnvironment = () => {
    const envs = [...new Set([...manifest.stacks.keys()].map(environmentOf))].sort();
    return new UsageError(`--env ${selection.env}: no stacks of that environment in ${manifest.dir}; environments: ${envs.join(", ")}`);
  };
  if (selection.env !== undefined) {
    names = stacksOfEnvironment(manifest, selection.env);
    // A removed environment has no stacks left in the code; with a base there may be removed ones.
    if (names.length === 0 && selection.changedFrom === undefined) throw noSuchEnvironment();
  }
  if (selection.skipHandRun && selection.env === undefined && !selection.stacks?.length) {
    names = names.filter((n) => !HAND_RUN_STACKS.includes(n));
  }
  if (selection.stacks && selection.stacks.length > 0) {
    const unknown = selection.stacks.filter((s) => !manifest.stacks.has(s));
    if (unknown.length > 0) {
      throw new UsageError(`--stacks: ${unknown.join(", ")} not in ${manifest.dir}; stacks: ${[...manifest.stacks.keys()].sort().join(", ")}`);
    }
    names = names.filter((n) => selection.stacks?.includes(n));
  }
  if (selection.changedFrom !== undefined) {
    const diff = await detectChangedStacks(selection.changedFrom, manifest.dir, files);
    const touched = new Set([...diff.changed, ...diff.added]);
    names = names.filter((n) => touched.has(n));
    const inScope = (s: string) => selection.env === undefined || environmentOf(s) === selection.env;
    removed = diff.removed.filter(inScope);
    added = diff.added.filter(inScope);
    if (selection.env !== undefined && stacksOfEnvironment(manifest, selection.env).length === 0 && removed.length === 0) throw noSuchEnvironment();
  }
  return { stacks: names, removed, added };
}
