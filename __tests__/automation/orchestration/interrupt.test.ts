// A cancelled CI job or Ctrl-C must reach Terraform (so it can release its state lock), exactly once.
import { spawn } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeSynthOutput } from "../support/fake-terraform";

it("passes an interrupt on to the running terraform once, starts no further stack and exits 130", async () => {
  const root = mkdtempSync(join(tmpdir(), "gitops-int-"));
  const log = join(root, "signals.log");
  const stub = join(root, "terraform");
  // Plans "run" until interrupted; the trap records each SIGINT it receives.
  writeFileSync(
    stub,
    `#!/bin/sh
case "$1" in
  version) echo '{"terraform_version":"1.11.4"}'; exit 0 ;;
  init) exit 0 ;;
  plan) echo "plan \${PWD##*/}" >> "${root}/plans.log"
        trap 'echo INT >> "${log}"; echo "Interrupt received." >&2; exit 1' INT
        echo started > "${root}/planning"
        i=0; while [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done; exit 0 ;;
esac
`,
  );
  chmodSync(stub, 0o755);
  const synth = writeSynthOutput(join(root, "cdktf.out"), { "dev-a": [], "dev-b": [] });
  const args = ["plan", "--cdktf-out", synth, "--out", join(root, "out"), "--terraform", stub, "--parallel", "1"];
  const child = spawn(process.execPath, ["scripts/run-bundled.mjs", "automation/index.ts", ...args], {
    cwd: join(__dirname, "..", "..", ".."),
    env: { ...process.env, AWS_EC2_METADATA_DISABLED: "true", CHECKPOINT_DISABLE: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  for (let i = 0; i < 300 && !existsSync(join(root, "planning")); i++) await new Promise((r) => setTimeout(r, 50));
  expect(existsSync(join(root, "planning"))).toBe(true);
  child.kill("SIGINT");
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  expect(readFileSync(log, "utf8")).toBe("INT\n");
  expect(readFileSync(join(root, "plans.log"), "utf8")).toBe("plan dev-a\n"); // dev-b never started
  expect(code).toBe(130);
  expect(stderr).toContain("interrupted (SIGINT): stacks not yet started were skipped");
  // The review files are still written, so the job's log and summary show what happened.
  expect(readFileSync(join(root, "out", "comment.md"), "utf8")).toContain("not started: the run was interrupted");
});
