import { runInDependencyOrder, topologicalOrder } from "../../../automation/schedule";

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("topologicalOrder", () => {
  it("puts dependencies first and ignores dependencies outside the run", () => {
    expect(
      topologicalOrder([
        { name: "staging-gitops", dependencies: ["staging-cluster"] },
        { name: "production-gitops", dependencies: ["production-cluster"] },
        { name: "staging-cluster", dependencies: [] },
      ]),
    ).toEqual(["production-gitops", "staging-cluster", "staging-gitops"]);
  });

  it("reports a cycle with the stacks in it", () => {
    expect(() => topologicalOrder([{ name: "a", dependencies: ["b"] }, { name: "b", dependencies: ["a"] }, { name: "c", dependencies: [] }])).toThrow(
      "dependency cycle between stacks: a, b",
    );
  });
});

describe("runInDependencyOrder", () => {
  it("never runs more than `parallel` tasks and starts dependents only after their dependencies", async () => {
    const nodes = [
      { name: "a-cluster", dependencies: [] },
      { name: "b-cluster", dependencies: [] },
      { name: "c-cluster", dependencies: [] },
      { name: "a-gitops", dependencies: ["a-cluster"] },
      { name: "b-gitops", dependencies: ["b-cluster"] },
    ];
    let running = 0;
    let peak = 0;
    const events: string[] = [];
    const results = await runInDependencyOrder(nodes, 2, async (name, deps) => {
      running++;
      peak = Math.max(peak, running);
      events.push(`start ${name} after ${[...deps.keys()].join("+") || "-"}`);
      await tick(name.startsWith("a") ? 5 : 15);
      events.push(`end ${name}`);
      running--;
      return name.toUpperCase();
    });
    expect(peak).toBe(2);
    expect([...results.entries()]).toEqual([
      ["a-cluster", "A-CLUSTER"],
      ["b-cluster", "B-CLUSTER"],
      ["c-cluster", "C-CLUSTER"],
      ["a-gitops", "A-GITOPS"],
      ["b-gitops", "B-GITOPS"],
    ]);
    expect(events.indexOf("start a-gitops after a-cluster")).toBeGreaterThan(events.indexOf("end a-cluster"));
    expect(events.indexOf("start b-gitops after b-cluster")).toBeGreaterThan(events.indexOf("end b-cluster"));
  });

  it("runs independent stacks side by side", async () => {
    const starts: number[] = [];
    const t0 = Date.now();
    await runInDependencyOrder([{ name: "x", dependencies: [] }, { name: "y", dependencies: [] }], 2, async () => {
      starts.push(Date.now() - t0);
      await tick(50);
    });
    expect(Math.abs(starts[0]! - starts[1]!)).toBeLessThan(40);
  });

  it("rejects a parallelism below one", async () => {
    await expect(runInDependencyOrder([], 0, async () => 1)).rejects.toThrow("--parallel: expected an integer >= 1, got 0");
  });
});

describe("runInDependencyOrder when a task throws", () => {
  it("starts nothing new and rejects only after the tasks in flight finished", async () => {
    const events: string[] = [];
    // a fails at once while b runs; d is independent and would start next if anything new could start.
    const run = runInDependencyOrder(
      [{ name: "a", dependencies: [] }, { name: "b", dependencies: [] }, { name: "c", dependencies: ["a"] }, { name: "d", dependencies: [] }],
      2,
      async (name) => {
        events.push(`${name} started`);
        if (name === "a") throw new Error("boom");
        await tick(30);
        events.push(`${name} done`);
      },
    );
    await expect(run).rejects.toThrow("boom");
    expect(events).toEqual(["a started", "b started", "b done"]);
  });
});
