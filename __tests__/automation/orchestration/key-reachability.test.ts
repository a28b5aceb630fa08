// The fingerprint key is out of reach of terraform and its providers, which run the configuration
// under review as children of the CLI: a stub terraform looks for the key where a malicious provider
// or `data "external"` program would, in its parent's and grandparent's environment, command line
// and open files, and in the key file itself.
import { execFileSync, spawn } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { writeSynthOutput } from "../support/fake-terraform";
import { fixture } from "../support/paths";

const KEY = "reachability-test-key-".repeat(3);
const ROOT = resolve(__dirname, "..", "..", "..");
const hasProc = existsSync("/proc/self/environ");

/** A stub terraform that writes what it found to `report` (one line per find; empty when clean). */
function searchingStub(dir: string, report: string, keyFile: string): string {
  const bin = join(dir, "terraform");
  writeFileSync(
    bin,
    `#!/bin/sh
KEY='${KEY}'
look() {
  pid=$1
  [ -r /proc/$pid/environ ] && tr '\\0' '\\n' < /proc/$pid/environ | grep -qF "$KEY" && echo "environ of $pid" >> '${report}'
  tr '\\0' ' ' < /proc/$pid/cmdline | grep -qF "$KEY" && echo "cmdline of $pid" >> '${report}'
  for fd in /proc/$pid/fd/*; do
    target=$(readlink "$fd" 2>/dev/null) || continue
    [ -f "$target" ] && grep -qF "$KEY" "$target" 2>/dev/null && echo "open file $target of $pid" >> '${report}'
  done
  return 0
}
case "$1" in
  version) echo '{"terraform_version":"1.11.4"}'; exit 0 ;;
  init) exit 0 ;;
  plan)
    touch '${report}'
    parent=$PPID
    grandparent=$(awk '{print $4}' /proc/$parent/stat)
    look $parent
    look $grandparent
    [ -e '${keyFile}' ] && echo "key file still exists" >> '${report}'
    for a in "$@"; do case "$a" in -out=*) echo planned > "\${a#-out=}" ;; esac; done
    exit 2 ;;
  show) cat '${fixture("borchero-tf1.13-create.json")}' ;;
esac
`,
  );
  chmodSync(bin, 0o755);
  return bin;
}

function runCliProcess(args: string[], env: Record<string, string>): Promise<{ code: number; stderr: string; stdout: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [join(ROOT, "scripts", "run-bundled.mjs"), "automation/index.ts", ...args], { cwd: ROOT, env });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.on("close", (code) => done({ code: code ?? 1, stdout, stderr }));
  });
}

(hasProc ? describe : describe.skip)("the fingerprint key and terraform's children", () => {
  const root = mkdtempSync(join(tmpdir(), "gitops-key-"));
  mkdirSync(join(root, "bin"));
  const keyFile = join(root, "fingerprint.key");
  const report = join(root, "found.txt");
  const stub = searchingStub(join(root, "bin"), report, keyFile);
  const baseEnv = { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", TMPDIR: tmpdir(), AWS_EC2_METADATA_DISABLED: "true", CHECKPOINT_DISABLE: "1" };

  it("the stub finds a key that is in its parent's environment (the check works)", () => {
    writeFileSync(report, "");
    // `; true` keeps the shell alive as the stub's parent instead of exec'ing it.
    execFileSync("sh", ["-c", `'${stub}' plan -out=${join(root, "control.tfplan")}; true`], { env: { ...baseEnv, GITOPS_FINGERPRINT_KEY: KEY } });
    expect(readFileSync(report, "utf8")).toMatch(/^environ of \d+$/m);
  });

  it("gitops plan keeps the key out of terraform's reach: not in the CLI's environment, command line or open files, and the file is gone", async () => {
    const synth = writeSynthOutput(join(root, "cdktf.out"), { "dev-cluster": [] });
    writeFileSync(keyFile, `${KEY}\n`, { mode: 0o600 });
    writeFileSync(report, "");
    const r = await runCliProcess(["plan", "--cdktf-out", synth, "--out", join(root, "plan")], { ...baseEnv, GITOPS_TERRAFORM: stub, GITOPS_FINGERPRINT_KEY_FILE: keyFile });
    expect(r.stderr).not.toContain("error:");
    // The plan really ran with the key: its fingerprint is an HMAC.
    expect(r.stdout).toMatch(/^dev-cluster: changes hmac-sha256:[0-9a-f]{64}\n$/);
    expect(existsSync(report)).toBe(true);
    expect(readFileSync(report, "utf8")).toBe("");
  });
});
