// The documentation is part of the product: links and anchors resolve, commands exist, the config
// reference matches the schemas, and README.md keeps its two commands first and stays short.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AwsEnvironmentSchema, LocalEnvironmentSchema } from "../../config/schema";
import { BootstrapSchema } from "../../config/bootstrap-schema";
import { createProgram } from "../../automation/cli";
import { processIo } from "../../automation/io";
import { runCli } from "../automation/support/memory-io";
import { fixture } from "../automation/support/paths";
import { anchorsOf, brokenLinks, commandsIn, documentedKeys, keyPaths, markdownFiles, REPO, shellLines } from "./markdown-checks";

jest.mock("../../automation/github/client", () => ({ createGitHubClient: () => { throw new Error("not used"); } }));

const files = markdownFiles();
const read = (file: string) => readFileSync(file, "utf8");
const rel = (file: string) => file.slice(REPO.length + 1);

describe("the checks themselves", () => {
  it("compute GitHub's anchors and find a broken link and a broken anchor", () => {
    expect([...anchorsOf("# Set up AWS\n## 4. Branch protection for `main`\n## Runners\n## Runners\n```\n# not a heading\n```")]).toEqual([
      "set-up-aws",
      "4-branch-protection-for-main",
      "runners",
      "runners-1",
    ]);
    const dir = join(REPO, "docs");
    const fake = join(dir, "security-model.md");
    expect(brokenLinks(fake, REPO)).toEqual([]);
    const tmp = mkdtempSync(join(tmpdir(), "docs-"));
    writeFileSync(join(tmp, "a.md"), "# A\n\n[ok](b.md#there) [gone](missing.md) [bad anchor](b.md#nowhere) `[code](x.md)` [web](https://example.org)\n");
    writeFileSync(join(tmp, "b.md"), "# B\n\n## There\n");
    expect(brokenLinks(join(tmp, "a.md"), tmp)).toEqual(["a.md: missing.md (no such file)", "a.md: b.md#nowhere (no heading with anchor #nowhere)"]);
  });

  it("find npm scripts and gitops commands in shell blocks only", () => {
    const text = "```sh\nnpm run synth -- --env x\nnpm run --silent gitops -- plan --out p\n```\nnpm run prose\n```yaml\nnpm run yaml\n```";
    expect(commandsIn(shellLines(text))).toEqual({ npmScripts: ["synth", "gitops"], gitopsCommands: ["plan"] });
  });
});

describe("README.md and docs/", () => {
  it("README starts with the setup-and-synth command and the test command, and stays under 10 KB", () => {
    const readme = read(join(REPO, "README.md"));
    const firstBlock = /```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? "";
    expect(firstBlock).toMatch(/^npm install && npm run synth\s/m);
    expect(firstBlock).toMatch(/^npm test\s/m);
    expect(Buffer.byteLength(readme)).toBeLessThan(10 * 1024);
  });

  it("every page is linked from the README, starts with what it is for and ends with what to read next", () => {
    const readme = read(join(REPO, "README.md"));
    for (const file of files.filter((f) => f.includes("/docs/"))) {
      const name = rel(file);
      expect({ name, linked: readme.includes(`](${name})`) }).toEqual({ name, linked: true });
      const text = read(file);
      expect({ name, intro: /^# .+\n\nThis page is for /.test(text), next: /\n## What to read next\n- [\s\S]+\n$/.test(text) && !/\n## What to read next\n[\s\S]*\n#/.test(text) }).toEqual({ name, intro: true, next: true });
    }
  });

  it("has no broken relative link or anchor", () => {
    expect(files.flatMap((f) => brokenLinks(f, REPO))).toEqual([]);
  });

  it("names only npm scripts and gitops commands that exist", () => {
    const scripts = Object.keys((JSON.parse(read(join(REPO, "package.json"))) as { scripts: Record<string, string> }).scripts);
    const commands = createProgram(processIo()).commands.map((c) => c.name());
    for (const file of files) {
      const { npmScripts, gitopsCommands } = commandsIn(shellLines(read(file)));
      for (const s of npmScripts) expect({ file: rel(file), script: s, exists: scripts.includes(s) }).toEqual({ file: rel(file), script: s, exists: true });
      for (const c of gitopsCommands) expect({ file: rel(file), command: c, exists: commands.includes(c) }).toEqual({ file: rel(file), command: c, exists: true });
    }
  });

  it.each([
    ["`config/<env>.yaml`", AwsEnvironmentSchema],
    ["`config/local.yaml`", LocalEnvironmentSchema],
    ["`config/bootstrap.yaml`", BootstrapSchema],
  ] as const)("the configuration reference for %s lists exactly the schema's keys", (heading, schema) => {
    const documented = documentedKeys(read(join(REPO, "docs", "configuration.md")), heading);
    expect(documented.length).toBeGreaterThan(0);
    expect([...documented].sort()).toEqual(keyPaths(schema).sort());
  });
});

// The plan review page's example comment is what the renderer writes today (regenerate with
// `node scripts/render-plan-review-example.mjs`).
describe("docs/plan-review.md", () => {
  it("shows the plan review example exactly as the renderer writes it", async () => {
    const page = read(join(REPO, "docs", "plan-review.md"));
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
