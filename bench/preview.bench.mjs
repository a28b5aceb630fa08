// gitops preview of every environment of this repository (the staging image bumped), against the six
// kustomize renders a preview without reuse would run (podinfo per environment, base and head). The
// preview renders only Applications the change can affect (automation/preview/render-inputs.ts), so it
// runs two: staging's base and head. Target: < 2 s.
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const dir = mkdtempSync(join(tmpdir(), "bench-preview-"));
const base = join(dir, "base");
const head = join(dir, "head");

function setup() {
  for (const side of [base, head]) cpSync(join(root, "gitops"), join(side, "gitops"), { recursive: true });
  const file = join(head, "gitops/workloads/podinfo/overlays/staging/kustomization.yaml");
  writeFileSync(file, readFileSync(file, "utf8").replace("newTag: 6.9.2", "newTag: 6.9.3"));
}

/** Six renders: podinfo's overlay per environment, base and head. */
const renders = ["local", "production", "staging"].flatMap((env) => [base, head].map((side) => join(side, "gitops/workloads/podinfo/overlays", env)));

export default [
  {
    name: "preview: gitops preview, all environments",
    command: ["npm", "run", "--silent", "gitops", "--", "preview", "--base", base, "--head", head],
    runs: 5,
    setup,
  },
  {
    name: "preview: six kubectl kustomize renders (base and head of every environment)",
    command: ["sh", "-c", renders.map((d) => `kubectl kustomize '${d}' >/dev/null`).join(" && ")],
    runs: 5,
    setup,
  },
];
