// Runs one task per stack in dependency order: a stack starts once every dependency in the same run
// has finished; independent stacks run side by side, at most `parallel` at a time.
import { UsageError } from "./errors";

export interface StackNode {
  readonly name: string;
  /** Names of stacks this one reads from; ones outside the run are treated as already done. */
  readonly dependencies: readonly string[];
}

/** Stack names sorted so every dependency comes before its dependents (ties keep name order). */
export function topologicalOrder(nodes: readonly StackNode[]): string[] {
  const names = new Set(nodes.map((n) => n.name));
  const pending = new Map(nodes.map((n) => [n.name, n.dependencies.filter((d) => names.has(d) && d !== n.name)]));
  const order: string[] = [];
  while (pending.size > 0) {
    const ready = [...pending].filter(([, deps]) => deps.every((d) => !pending.has(d))).map(([name]) => name).sort();
    if (ready.length === 0) throw new UsageError(`dependency cycle between stacks: ${[...pending.keys()].sort().join(", ")}`);
    for (const name of ready) {
      order.push(name);
      pending.delete(name);
    }
  }
  return order;
}

/**
 * Calls `task` for every node, each after its dependencies' tasks resolved, with at most `parallel`
 * tasks in flight. `task` gets the results of its dependencies so it can decide to skip (blocked).
 * Resolves to the results in topological order. A task should return an error result rather than
 * throw; if one throws anyway, nothing new starts and the promise rejects once running tasks end.
 */
export async function runInDependencyOrder<R>(
  nodes: readonly StackNode[],
  parallel: number,
  task: (name: string, dependencyResults: ReadonlyMap<string, R>) => Promise<R>,
): Promise<Map<string, R>> {
  if (!Number.isInteger(parallel) || parallel < 1) throw new UsageError(`--parallel: expected an integer >= 1, got ${parallel}`);
  const order = topologicalOrder(nodes);
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const done = new Map<string, R>();
  const started = new Set<string>();

  return new Promise((resolve, reject) => {
    let running = 0;
    let failure: Error | undefined;
    const dependenciesOf = (name: string) => (byName.get(name)?.dependencies ?? []).filter((d) => byName.has(d) && d !== name);
    const pump = () => {
      if (done.size === order.length) {
        resolve(new Map(order.map((name) => [name, done.get(name) as R])));
        return;
      }
      for (const name of order) {
        if (running >= parallel) return;
        if (started.has(name) || !dependenciesOf(name).every((d) => done.has(d))) continue;
        started.add(name);
        running++;
        const dependencyResults = new Map(dependenciesOf(name).map((d) => [d, done.get(d) as R]));
        task(name, dependencyResults).then(
          (result) => {
            done.set(name, result);
            running--;
            if (failure === undefined) pump();
            else if (running === 0) reject(failure);
          },
          (error: unknown) => {
            running--;
            // Start nothing new, but let tasks in flight (a terraform apply) finish before reporting.
            failure ??= error instanceof Error ? error : new Error(String(error));
            if (running === 0) reject(failure);
          },
        );
      }
    };
    pump();
  });
}
