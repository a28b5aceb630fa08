// Stacks that are in the base synth but no longer in the code (an environment's config deleted, a stack
// renamed): Terraform does not destroy a stack that is gone, so plan and apply plan its destroy
// (`plan -destroy` in the base synth's directory, with the same backend and state), reviewed and
// fingerprinted like any other plan.
import { codeSpan } from "./render/markdown";
import type { SynthManifest, SynthStack } from "./manifest";
import { environmentOf, HAND_RUN_STACKS, stacksOfEnvironment } from "./selection";

export interface RemovedStacks {
  /** The base synth, with each removed stack depending on the removed stacks that depended on it: destroy order. */
  readonly manifest: SynthManifest;
  /** Removed stacks to destroy. */
  readonly destroy: readonly string[];
  /** Removed stacks that a stack still in the code depends on: an error, never a destroy. */
  readonly inUse: ReadonlyMap<string, readonly string[]>;
  /** Removed stacks that are never destroyed this way (bootstrap, local-gitops). */
  readonly skipped: readonly string[];
}

export function planRemovedStacks(base: SynthManifest, head: SynthManifest, removed: readonly string[]): RemovedStacks {
  const skipped = removed.filter((s) => HAND_RUN_STACKS.includes(s));
  const candidates = removed.filter((s) => !HAND_RUN_STACKS.includes(s) && base.stacks.has(s));
  const inUse = new Map<string, string[]>();
  for (const stack of candidates) {
    const users = [...head.stacks.values()].filter((h) => h.dependencies.includes(stack)).map((h) => h.name).sort();
    if (users.length > 0) inUse.set(stack, users);
  }
  const destroy = candidates.filter((s) => !inUse.has(s));
  // Reverse dependency order: a stack is destroyed after every removed stack that depended on it.
  const stacks = new Map<string, SynthStack>();
  for (const name of destroy) {
    const entry = base.stacks.get(name)!;
    const dependents = destroy.filter((other) => base.stacks.get(other)?.dependencies.includes(name));
    stacks.set(name, { ...entry, dependencies: dependents });
  }
  return { manifest: { ...base, stacks }, destroy, inUse, skipped };
}

/** The notes at the top of a removed stack's section. */
export function removedStackNotes(stack: string, added: readonly string[]): string[] {
  const notes = [
    `**Removed from the code:** ${codeSpan(stack)} is no longer in the synth, so everything in it will be **destroyed**. This is its \`terraform plan -destroy\`, made in the base commit's synth output with the same state.`,
  ];
  if (added.length > 0) {
    notes.push(
      `This pull request also adds ${added.map(codeSpan).join(", ")}. If ${codeSpan(stack)} was renamed, destroying it and creating the new stack replaces every resource: move the state instead (\`moved\` blocks within a stack, \`terraform state mv\`/\`import\` between stacks) and keep the resources.`,
    );
  }
  return notes;
}

/**
 * The notes at the top of a removed stack's destroy plan: removedStackNotes, and, when its environment
 * has no stacks left in `head` (the synth of the code under review), a reminder that the environment's
 * apply job (or its workflow_dispatch option) is what runs the reviewed destroy.
 */
export function destroyNotes(stack: string, added: readonly string[], head: SynthManifest): string[] {
  const notes = removedStackNotes(stack, added);
  const env = environmentOf(stack);
  if (stacksOfEnvironment(head, env).length === 0) {
    notes.push(
      `**The environment ${codeSpan(env)} has no stacks left:** its job in \`.github/workflows/apply.yml\` runs this destroy. Keep the job until the destroy has been applied; remove it in a later pull request.`,
    );
  }
  return notes;
}

export function inUseError(stack: string, users: readonly string[]): string {
  return `${stack} was removed from the code, but ${users.join(", ")} still depend on it: it is not destroyed. Remove the dependents in the same pull request, or keep the stack.`;
}
