// The plan review page's example comment is what the renderer writes today (regenerate with
// `node scripts/render-plan-review-example.mjs`). The README's own checks are in docs/docs.test.ts.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { runCli } from "../automation/support/memory-io";
import { fixture } from "../automation/support/paths";

const page = readFileSync(join(__dirname, "..", "..", "docs", "plan-review.md"), "utf8");

describe("docs/plan-review.md", () => {
  it("shows the plan review example exactly as the renderer writes it", async () => {
    const r = await runCli([
      "render",
      "--title", "Terraform plan (example)",
      "--stack", `staging-cluster=${fixture("tfplan2md-tf1.14-azdo-plan1.json")}`,
      "--stack", `staging-gitops=${fixture("borchero-tf1.13-modify.json")}`,
      "--stack", `production-cluster=${fixture("tofu-show-plan-error.json")}`,
      "--stack", `production-gitops=${fixture("borchero-tf1.13-empty.json")}`,
    ]);
    expect(r.code).toBe(0);
    const begin = page.indexOf("<!-- BEGIN plan-review example");
    const end = page.indexOf("<!-- END plan-review example -->");
    expect(begin).toBeGreaterThan(0);
    expect(page.slice(begin, end)).toContain(r.stdout.trimEnd());
  });
});
