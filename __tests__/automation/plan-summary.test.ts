import { readFileSync, readdirSync } from "node:fs";
import { parsePlanJson } from "../../automation/plan/plan-json";
import { reviewPlan } from "../../automation/plan/review";
import { summarizePlan } from "../../automation/plan/summary";
import { UsageError } from "../../automation/errors";
import { PLAN_FIXTURES, fixture } from "./support/paths";

const expected = JSON.parse(readFileSync(fixture("expected.json"), "utf8")) as Record<string, Record<string, unknown>>;
const load = (name: string) => parsePlanJson(readFileSync(fixture(name), "utf8"), name);

describe("summarizePlan on real Terraform/OpenTofu plans", () => {
  it("has an expectation for every copied fixture", () => {
    const copied = readdirSync(PLAN_FIXTURES).filter((f) => f.endsWith(".json") && f !== "expected.json" && !f.startsWith("derived-"));
    expect(copied.sort()).toEqual(Object.keys(expected).sort());
  });

  it.each(Object.keys(expected))("%s matches expected.json", (name) => {
    expect(summarizePlan(load(name))).toEqual(expected[name]);
  });
});

describe("the Plan: line", () => {
  const line = (name: string) => reviewPlan(load(name)).planLine;

  it("puts imports first, as Terraform does", () => {
    expect(line("borchero-tf1.13-import.json")).toBe("Plan: 1 to import, 0 to add, 0 to change, 0 to destroy.");
  });
  it("counts replacements as add and destroy", () => {
    expect(line("borchero-tf1.13-modify.json")).toBe("Plan: 2 to add, 0 to change, 2 to destroy.");
  });
  it("is printed for a move-only plan with all zeros", () => {
    expect(line("tofu-eq-moved-simple.json")).toBe("Plan: 0 to add, 0 to change, 0 to destroy.");
  });
  it("adds invoked actions (Terraform 1.14)", () => {
    expect(line("tfjson-tf1.14-action-invocation.json")).toBe("Plan: 0 to add, 0 to change, 0 to destroy. Actions: 1 to invoke.");
  });
  it("is absent when nothing changes or only outputs change", () => {
    expect(line("borchero-tf1.13-empty.json")).toBeNull();
    expect(line("tofu-eq-variables-and-outputs.json")).toBeNull();
  });
});

describe("parsePlanJson rejects what is not a plan", () => {
  const reject = (text: string) => {
    try {
      parsePlanJson(text, "in.json");
    } catch (error) {
      expect(error).toBeInstanceOf(UsageError);
      return (error as Error).message;
    }
    throw new Error("accepted");
  };

  it("names the file and the JSON syntax error", () => {
    expect(reject('{"format_version": "1.2",')).toMatch(/^in\.json: not valid JSON/);
  });
  it("recognises state JSON", () => {
    expect(reject('{"format_version":"1.0","values":{}}')).toMatch(/in\.json: not a Terraform plan: .*state JSON/);
  });
  it("names the bad field", () => {
    const text = JSON.stringify({ format_version: "1.2", planned_values: {}, resource_changes: [{ address: "a.b", change: { actions: "create" } }] });
    expect(reject(text)).toMatch(/in\.json: not a Terraform plan: resource_changes\[0\]\.change\.actions/);
  });
  it("rejects arrays and scalars", () => {
    expect(reject("[1]")).toMatch(/not a Terraform plan/);
    expect(reject("42")).toMatch(/not a Terraform plan/);
  });
});

describe("counting rules beyond the fixtures", () => {
  const plan = (resource_changes: unknown[], extra: Record<string, unknown> = {}) =>
    parsePlanJson(JSON.stringify({ format_version: "1.2", planned_values: {}, resource_changes, ...extra }), "t.json");
  const rc = (actions: string[], more: Record<string, unknown> = {}) => ({ address: `x.${actions.join("_")}`, mode: "managed", change: { actions, before: null, after: null }, ...more });

  it("counts create-then-delete and forget pairs in both orders", () => {
    const c = summarizePlan(plan([rc(["create", "delete"]), rc(["create", "forget"]), rc(["forget", "create"])]));
    expect(c).toMatchObject({ add: 3, destroy: 1, replace: 1, forget: 2, noChanges: false });
  });
  it("skips ephemeral resources and deleted data sources", () => {
    const c = summarizePlan(plan([rc(["open"], { mode: "ephemeral" }), rc(["delete"], { mode: "data" })]));
    expect(c).toMatchObject({ add: 0, destroy: 0, noChanges: true });
  });
});
