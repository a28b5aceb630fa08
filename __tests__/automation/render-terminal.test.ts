import { readFileSync } from "node:fs";
import { parsePlanJson } from "../../automation/plan/plan-json";
import { reviewPlan } from "../../automation/plan/review";
import { renderTerminalReview } from "../../automation/render/terminal";
import { fixture } from "./support/paths";

const review = (name: string) => reviewPlan(parsePlanJson(readFileSync(fixture(name), "utf8"), name));

describe("terminal renderer (for gitops diff)", () => {
  it("prints Terraform-like symbols, attribute changes and the Plan line, without colour by default", () => {
    const out = renderTerminalReview("staging", review("borchero-tf1.13-modify.json"));
    expect(out).toContain("-/+ local_file.test3");
    expect(out).toContain("content: (sensitive) -> (sensitive) # forces replacement");
    expect(out.trimEnd().split("\n").pop()).toBe("  Plan: 2 to add, 0 to change, 2 to destroy.");
    expect(out).not.toContain("\u001b[");
  });

  it("colours only when asked, and never prints secrets or raw control characters", () => {
    const out = renderTerminalReview("s", review("derived-sensitive-map-update.json"), { color: true });
    expect(out).toContain("\u001b[33m");
    expect(out).not.toContain("SECRET");
    const hostile = renderTerminalReview("s", review("derived-escaping.json"));
    // eslint-disable-next-line no-control-regex -- asserting their absence
    expect(hostile).not.toMatch(/[\u0000-\u0009\u000b-\u001f]/);
  });
});
