// The README is part of the product: its two commands stay first, and its example comment is what
// the renderer writes today (regenerate with `node scripts/render-plan-review-example.mjs`).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { runCli } from "./automation/support/memory-io";
import { fixture } from "./automation/support/paths";

const readme = readFileSync(join(__dirname, "..", "README.md"), "utf8");

describe("README", () => {
  it("starts with the setup-and-synth command and the test command", () => {
    const firstBlock = /```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? "";
    expect(firstBlock).toMatch(/^npm install && npm run synth\s/m);
    expect(firstBlock).toMatch(/^npm test\s/m);
  });

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
    const begin = readme.indexOf("<!-- BEGIN plan-review example");
    const end = readme.indexOf("<!-- END plan-review example -->");
    expect(begin).toBeGreaterThan(0);
    expect(readme.slice(begin, end)).toContain(r.stdout.trimEnd());
  });
});
