// The workflows call the `gitops` CLI and npm scripts by name: every name and option they use must
// exist, read from the CLI's own commander program and from package.json, not from a copied list.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createProgram } from "../../automation/cli";
import { processIo } from "../../automation/io";
import { REPO_ROOT, allJobs, gitopsCalls, loadWorkflows, npmScriptsCalled, scriptsOf } from "./workflow-files";

// Only the program's shape is read; nothing talks to GitHub. Keeping Octokit (ESM-only, with ESM-only
// dependencies) out of this file keeps it independent of how Jest is set up to transform them.
jest.mock("../../automation/github/client", () => ({ createGitHubClient: () => { throw new Error("not used"); } }));

const files = loadWorkflows();
const scripts = allJobs(files).flatMap((j) => scriptsOf(j.job).map((script) => ({ where: `${j.file}#${j.id}`, script })));
const calls = scripts.flatMap(({ where, script }) => gitopsCalls(script).map((call) => ({ where, ...call })));

/** Subcommand name → its long options, as registered on the program. */
const cli = new Map(createProgram(processIo()).commands.map((c) => [c.name(), new Set(c.options.map((o) => o.long ?? ""))]));

describe("gitops commands the workflows call", () => {
  it("are found in the workflows (the parser sees them)", () => {
    expect(new Set(calls.map((c) => c.subcommand))).toEqual(new Set(["changed", "plan", "render", "comment", "apply", "drift", "unlock", "allow-destroy", "preview", "plan-role"]));
  });

  it.each([...new Set(calls.map((c) => c.subcommand))])("`gitops %s` exists in automation/cli.ts", (subcommand) => {
    expect([...cli.keys()]).toContain(subcommand);
  });

  it.each(calls.map((c) => [c.where, c.subcommand, c]))("%s: the options of `gitops %s` exist", (_where, subcommand, call) => {
    const known = cli.get(subcommand);
    if (!known) return; // reported by the test above
    const unknown = call.options.filter((o) => !known.has(o));
    expect({ call: call.line, unknown }).toEqual({ call: call.line, unknown: [] });
  });
});

describe("npm scripts the workflows call", () => {
  const pkg = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> };
  const called = [...new Set(scripts.flatMap(({ script }) => npmScriptsCalled(script)))].sort();

  it("are found in the workflows", () => {
    expect(called).toEqual(expect.arrayContaining(["gitops", "lint", "synth", "test", "typecheck"]));
  });

  it.each(called)("`%s` is defined in package.json", (name) => {
    expect(Object.keys(pkg.scripts)).toContain(name);
  });
});

describe("the workflow parsers", () => {
  it("collect options from a bash array expanded into the call", () => {
    const script = ['args=(--env "$E")', 'args+=(--reviewed-pr "$N" --repo "$R")', 'npm run --silent gitops -- apply "${args[@]}"'].join("\n");
    expect(gitopsCalls(script)).toEqual([{ subcommand: "apply", options: ["--env", "--reviewed-pr", "--repo"], line: 'npm run --silent gitops -- apply "${args[@]}"' }]);
  });

  it("join continuation lines and find npm scripts", () => {
    expect(gitopsCalls('npm run --silent gitops -- plan \\\n  --strict \\\n  --out "$D"').map((c) => c.options)).toEqual([["--strict", "--out"]]);
    expect(npmScriptsCalled("npm ci\nnpm test\nnpm run synth -- --env x")).toEqual(["synth", "test"]);
  });
});
