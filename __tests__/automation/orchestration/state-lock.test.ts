// Stale state locks: reported with their holder in our own words, released on purpose with the exact ID.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describeLockHolder, parseLockError } from "../../../automation/state-lock";
import { FakeGitHub } from "../support/fake-github";
import { FakeTerraform, writeSynthOutput } from "../support/fake-terraform";
import { runCli } from "../support/memory-io";
import { findTerraform, SAFE_ENV } from "../support/real-terraform";

const HOLDER = "6f1c2b7e-0d4a-4c1b-9e55-3a2f8d9c0b11";

/** What Terraform prints for the S3 backend (use_lockfile) when the lock object exists: Lock Info is the holder's. */
const S3_LOCKED = `
Error: Error acquiring the state lock

Error message: operation error S3: PutObject, https response error StatusCode: 412, RequestID:
ZX8Q2V1TQ3M4, HostID: x, api error PreconditionFailed: At least one of the pre-conditions you
specified did not hold
Lock Info:
  ID:        ${HOLDER}
  Path:      example-tfstate/staging/cluster.tfstate
  Operation: OperationTypeApply
  Who:       runner@fv-az1234-567
  Version:   1.13.4
  Created:   2026-12-01 09:58:11.204513 +0000 UTC
  Info:      


Terraform acquires a state lock to protect the state from being written
by multiple users at the same time. Please resolve the issue above and try
again. For most commands, you can disable locking with the "-lock=false"
flag, but this is not recommended.
`;

/** The http backend, as Terraform 1.11 prints it: the holder is in the message, Lock Info is our attempt. */
const HTTP_LOCKED = `
Error: Error acquiring the state lock

Error message: HTTP remote state already locked:
ID=${HOLDER}
Lock Info:
  ID:        bb246a62-4559-7576-0a5f-fd95e2a1fd32
  Path:      
  Operation: OperationTypePlan
  Who:       root@vm
  Version:   1.11.4
  Created:   2026-12-04 01:49:34.585778002 +0000 UTC
  Info:      
`;

describe("parseLockError", () => {
  it("takes the holder from Lock Info for S3, and from the message for http", () => {
    expect(parseLockError(S3_LOCKED)).toEqual({
      id: HOLDER,
      who: "runner@fv-az1234-567",
      operation: "OperationTypeApply",
      created: "2026-12-01 09:58:11.204513 +0000 UTC",
      path: "example-tfstate/staging/cluster.tfstate",
    });
    expect(parseLockError(HTTP_LOCKED)).toEqual({ id: HOLDER });
  });

  it("reads Terraform's framed diagnostics too, and ignores other errors", () => {
    const framed = S3_LOCKED.split("\n").map((l) => `│ ${l}`).join("\n");
    expect(parseLockError(framed)?.id).toBe(HOLDER);
    expect(parseLockError("Error: Unable to find remote state")).toBeUndefined();
  });

  it("says it in one line", () => {
    expect(describeLockHolder(parseLockError(S3_LOCKED)!)).toBe(
      `the state is locked by runner@fv-az1234-567 for apply since 2026-12-01 09:58:11.204513 +0000 UTC (lock ID ${HOLDER})`,
    );
  });
});

describe("a locked state in the review and the apply report", () => {
  const root = mkdtempSync(join(tmpdir(), "gitops-lock-"));
  const synth = writeSynthOutput(join(root, "cdktf.out"), { "staging-cluster": [] });

  it("the plan comment explains the lock and how to release it", async () => {
    const out = join(root, "plan");
    const r = await runCli(["plan", "--cdktf-out", synth, "--out", out], { terraform: new FakeTerraform({ "staging-cluster": { planExit: 1, planStderr: S3_LOCKED } }) });
    expect(r.code).toBe(1);
    const comment = readFileSync(join(out, "comment.md"), "utf8");
    expect(comment).toContain(
      `**The state is locked** (lock ID \`${HOLDER}\`, held by \`runner@fv-az1234-567\`, for \`OperationTypeApply\`, since \`2026-12-01 09:58:11.204513 +0000 UTC\`)`,
    );
    expect(comment).toContain(`\`gitops unlock --stack staging-cluster --lock-id ${HOLDER}\``);
  });

  it("the drift issue explains the lock too", async () => {
    const gh = await FakeGitHub.start();
    try {
      const both = writeSynthOutput(join(root, "drift-out"), { "staging-cluster": [], "staging-gitops": [] });
      const tf = new FakeTerraform({ "staging-cluster": { planExit: 1, planStderr: S3_LOCKED }, "staging-gitops": { plan: "tofu-eq-drift-simple.json" } });
      const r = await runCli(["drift", "--cdktf-out", both, "--env", "staging", "--repo", "acme/infra"], {
        terraform: tf,
        env: { GITHUB_API_URL: gh.url, GITHUB_TOKEN: "ghs_test" },
        github: { retryUnitMs: 1, pacing: false, requestTimeoutMs: 300, limiterId: "lock-drift" },
      });
      expect(r.code).toBe(1);
      expect(gh.issues.map((i) => i.body ?? "").join("\n")).toContain(`**The state is locked** (lock ID \`${HOLDER}\``);
    } finally {
      await gh.stop();
    }
  });

  it("unlock refuses a malformed lock ID or an unknown stack before running terraform", async () => {
    const fake = new FakeTerraform({});
    const bad = await runCli(["unlock", "--cdktf-out", synth, "--stack", "staging-cluster", "--lock-id", "latest"], { terraform: fake });
    expect(bad).toMatchObject({ code: 2 });
    expect(bad.stderr).toContain('--lock-id "latest": expected the lock ID terraform reported');
    const unknown = await runCli(["unlock", "--cdktf-out", synth, "--stack", "prod-cluster", "--lock-id", HOLDER], { terraform: fake });
    expect(unknown.stderr).toContain('--stack "prod-cluster": not in');
    const missing = await runCli(["unlock", "--cdktf-out", synth, "--stack", "staging-cluster"], { terraform: fake });
    expect(missing.code).toBe(2);
    expect(fake.calls).toEqual([]);
  });
});

const terraform = findTerraform();

/** Terraform's http backend protocol: GET/POST state, LOCK/UNLOCK with 423 and the holder's lock info. */
class StateServer {
  state: string | null = null;
  lock: string | null = null;
  readonly requests: string[] = [];
  private constructor(private readonly server: Server) {}

  static async start(heldBy?: string): Promise<StateServer> {
    const box: { self?: StateServer } = {};
    const server = createServer((req, res) => {
      let body = "";
      req.on("data", (c: Buffer) => (body += c.toString()));
      req.on("end", () => {
        const s = box.self!;
        s.requests.push(req.method ?? "");
        if (req.method === "GET") return void (s.state ? res.writeHead(200).end(s.state) : res.writeHead(404).end());
        if (req.method === "POST") return void ((s.state = body), res.writeHead(200).end());
        if (req.method === "LOCK") {
          if (s.lock) return void res.writeHead(423, { "content-type": "application/json" }).end(s.lock);
          s.lock = body;
          return void res.writeHead(200).end();
        }
        if (req.method === "UNLOCK") return void ((s.lock = null), res.writeHead(200).end());
        res.writeHead(405).end();
      });
    });
    await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
    const self = new StateServer(server);
    box.self = self;
    if (heldBy) {
      // As a run that died mid-apply leaves it.
      self.lock = JSON.stringify({ ID: heldBy, Operation: "OperationTypeApply", Info: "", Who: "runner@lost-host", Version: "1.11.4", Created: "2026-12-01T09:58:11Z", Path: "" });
    }
    return self;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/state`;
  }

  stop(): Promise<void> {
    return new Promise((done) => this.server.close(() => done()));
  }
}

(terraform ? describe : describe.skip)("real terraform against an http state backend holding a stale lock", () => {
  it("apply reports the holder's lock ID, unlock releases it, the next apply gets the lock", async () => {
    const server = await StateServer.start(HOLDER);
    try {
      const root = mkdtempSync(join(tmpdir(), "gitops-lock-real-"));
      const synth = join(root, "cdktf.out");
      writeSynthOutput(synth, { "dev-cluster": [] });
      const stackDir = join(synth, "stacks", "dev-cluster");
      mkdirSync(stackDir, { recursive: true });
      writeFileSync(
        join(stackDir, "cdk.tf.json"),
        JSON.stringify({
          terraform: { backend: { http: { address: server.url, lock_address: server.url, unlock_address: server.url } } },
          resource: { terraform_data: { marker: { input: "locked" } } },
        }),
      );
      const env = { ...SAFE_ENV, GITOPS_TERRAFORM: terraform ?? "" };
      const cli = (...args: string[]) => runCli(args, { env });

      // Review plans do not lock, so a stale lock does not stop them.
      const planned = await cli("plan", "--cdktf-out", synth, "--out", join(root, "plan"));
      expect(planned.stdout).toMatch(/^dev-cluster: changes sha256:[0-9a-f]{64}\n$/);
      const reviewed = join(root, "plan", "fingerprints.json");

      const blocked = await cli("apply", "--cdktf-out", synth, "--reviewed", reviewed, "--lock-timeout", "0s");
      expect(blocked.code).toBe(1);
      expect(blocked.stdout).toBe(
        `dev-cluster: error (planning failed: the state is locked (lock ID ${HOLDER}); if that run is gone, release it with: gitops unlock --stack dev-cluster --lock-id ${HOLDER})\n`,
      );
      expect(server.state).toBeNull();

      const unlocked = await cli("unlock", "--cdktf-out", synth, "--stack", "dev-cluster", "--lock-id", HOLDER);
      expect(unlocked).toMatchObject({ code: 0, stdout: `dev-cluster: released lock ${HOLDER}\n` });
      expect(server.lock).toBeNull();

      const applied = await cli("apply", "--cdktf-out", synth, "--reviewed", reviewed, "--lock-timeout", "0s");
      expect(applied).toMatchObject({ code: 0, stdout: "dev-cluster: applied (Plan: 1 to add, 0 to change, 0 to destroy.)\n" });
      expect(server.state).toContain('"terraform_data"');
      expect(server.lock).toBeNull();
    } finally {
      await server.stop();
    }
  });
});
