// Credentials in Terraform's error output never reach a plan comment, an apply report, a drift issue,
// the review files or the CLI's own output.
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLineMask, createMask, MASKED, parseMaskPatterns, sensitiveValuesOf } from "../../automation/mask";
import { parsePlanJson } from "../../automation/plan/plan-json";
import { FakeGitHub } from "./support/fake-github";
import { FakeTerraform, writeSynthOutput } from "./support/fake-terraform";
import { runCli } from "./support/memory-io";
import { fixture } from "./support/paths";

// Planted values, in the shapes providers really print them.
const ACCESS_KEY_ID = "AKIAPLANTEDKEYID0001";
const SECRET_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYPLANTED0ab";
const KEY_BODY = "MIIEpAIBAAKCAQEAplantedKEYmaterialLINE1";
const URL_PASSWORD = "s3cr3tPLANTEDpw";
const SESSION_JWT = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJwbGFudGVkIn0.cGxhbnRlZHNpZ25hdHVyZQ";
const PLANTED = [ACCESS_KEY_ID, SECRET_KEY, KEY_BODY, URL_PASSWORD, SESSION_JWT];

/**
 * Error output as the AWS provider, the S3 backend (SignatureDoesNotMatch echoes the access key id in
 * its XML body), the Helm provider (repository URLs with user info) and an `external` data source
 * print it, with the planted values above.
 */
const STDERR = [
  "Error: error loading state: SignatureDoesNotMatch: The request signature we calculated does not match the signature you provided. Check your key and signing method.",
  `\tstatus code: 403, request id: 7Q3ZB5V1Y0, host id: x; <Error><Code>SignatureDoesNotMatch</Code><AWSAccessKeyId>${ACCESS_KEY_ID}</AWSAccessKeyId></Error>`,
  "",
  `Error: looks like "https://deploy:${URL_PASSWORD}@charts.example.com" is not a valid chart repository or cannot be reached: failed to fetch https://deploy:${URL_PASSWORD}@charts.example.com/index.yaml : 401 Unauthorized`,
  "",
  'Error: External Program Execution Failed',
  `  with data.external.creds, program output: aws_secret_access_key=${SECRET_KEY} Authorization: Bearer ${SESSION_JWT}`,
  "-----BEGIN RSA PRIVATE KEY-----",
  KEY_BODY,
  "-----END RSA PRIVATE KEY-----",
  "",
].join("\n");

function leaks(text: string): string[] {
  return PLANTED.filter((value) => text.includes(value));
}

function allFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? allFiles(path) : [path];
  });
}

describe("mask", () => {
  const mask = createMask();

  it("masks every planted credential and keeps the words that explain the error", () => {
    const masked = mask(STDERR);
    expect(leaks(masked)).toEqual([]);
    expect(masked).toContain("SignatureDoesNotMatch: The request signature we calculated does not match");
    expect(masked).toContain(`https://${MASKED}@charts.example.com/index.yaml : 401 Unauthorized`);
    expect(masked).toContain(`-----BEGIN RSA PRIVATE KEY----- ${MASKED} -----END RSA PRIVATE KEY-----`);
  });

  it("leaves ordinary error text alone: git SHAs, ARNs, request ids, 'security token included'", () => {
    const text = [
      "InvalidClientTokenId: The security token included in the request is invalid.",
      "commit 0123456789abcdef0123456789abcdef01234567",
      "arn:aws:iam::123456789012:role/gitops-plan",
      "ssh git@github.com:acme/infra.git",
    ].join("\n");
    expect(mask(text)).toBe(text);
  });

  it("masks a private key block that arrives line by line, and one that was cut off", () => {
    const lineMask = createLineMask(mask);
    const lines = ["Error: bad key", "-----BEGIN OPENSSH PRIVATE KEY-----", KEY_BODY, "b3BlbnNzaC1rZXktdjE", "-----END OPENSSH PRIVATE KEY-----", "next error"];
    expect(lines.map(lineMask)).toEqual(["Error: bad key", "-----BEGIN OPENSSH PRIVATE KEY-----", MASKED, MASKED, MASKED, "next error"]);
    expect(mask(`-----BEGIN EC PRIVATE KEY-----\n${KEY_BODY}`)).not.toContain(KEY_BODY);
  });

  it("takes extra patterns from GITOPS_MASKS and refuses a bad one without repeating it", () => {
    const extra = createMask(parseMaskPatterns("internal-[0-9]{4}\n\n  \nacme_[a-z]+_token"));
    expect(extra("id internal-1234 and acme_ci_token here")).toBe(`id ${MASKED} and ${MASKED} here`);
    expect(() => parseMaskPatterns("ok\n(unclosed-secret")).toThrow("GITOPS_MASKS: line 2 is not a valid regular expression (the pattern is not shown: it may be secret)");
    try {
      parseMaskPatterns("(unclosed-secret");
    } catch (error) {
      expect(String(error)).not.toContain("unclosed-secret");
    }
  });

  it("collects the values a plan marks sensitive, on both sides, and masks them", () => {
    const plan = parsePlanJson(readFileSync(fixture("derived-sensitive-attributes.json"), "utf8"), "derived-sensitive-attributes.json");
    const values = sensitiveValuesOf(plan);
    expect(values.length).toBeGreaterThan(0);
    const masked = createMask([], values)(`Error: rejected ${values.join(" and ")}`);
    for (const value of values.filter((v) => v.length >= 6)) expect(masked).not.toContain(value);
  });
});

describe("credentials in terraform's errors never leave the CLI", () => {
  const root = mkdtempSync(join(tmpdir(), "gitops-mask-"));
  const synth = writeSynthOutput(join(root, "cdktf.out"), { "dev-cluster": [], "dev-gitops": ["dev-cluster"] });

  it("plan: comment.md, section.json, stderr.txt, stdout, stderr and the job summary", async () => {
    const out = join(root, "plan");
    const summary = join(root, "plan-summary.md");
    writeFileSync(summary, "");
    const tf = new FakeTerraform({ "dev-cluster": { planExit: 1, planStderr: STDERR }, "dev-gitops": { initExit: 0 } });
    const r = await runCli(["plan", "--cdktf-out", synth, "--out", out], { terraform: tf, env: { GITHUB_STEP_SUMMARY: summary } });
    expect(r.code).toBe(1);
    const comment = readFileSync(join(out, "comment.md"), "utf8");
    expect(comment).toContain("SignatureDoesNotMatch");
    for (const file of [...allFiles(out), summary]) expect({ file, leaks: leaks(readFileSync(file, "utf8")) }).toEqual({ file, leaks: [] });
    expect(leaks(r.stdout + r.stderr)).toEqual([]);
  });

  it("apply: the report and the job summary", async () => {
    const reviewed = join(root, "reviewed.json");
    writeFileSync(reviewed, "{}");
    const summary = join(root, "apply-summary.md");
    writeFileSync(summary, "");
    const tf = new FakeTerraform({ "dev-cluster": { planExit: 1, planStderr: STDERR } });
    const r = await runCli(["apply", "--cdktf-out", synth, "--reviewed", reviewed, "--env", "dev"], { terraform: tf, env: { GITHUB_STEP_SUMMARY: summary } });
    expect(r.code).toBe(1);
    expect(readFileSync(summary, "utf8")).toContain("SignatureDoesNotMatch");
    expect(leaks(readFileSync(summary, "utf8") + r.stdout + r.stderr)).toEqual([]);
  });

  it("apply: a failed terraform apply's error", async () => {
    const plans = join(root, "reviewed-plans");
    const tf = new FakeTerraform({ "dev-cluster": { plan: "borchero-tf1.13-create.json", applyExit: 1, applyStderr: STDERR } });
    expect((await runCli(["plan", "--cdktf-out", synth, "--stacks", "dev-cluster", "--out", plans], { terraform: tf })).code).toBe(0);
    const summary = join(root, "apply-failed-summary.md");
    writeFileSync(summary, "");
    const r = await runCli(["apply", "--cdktf-out", synth, "--reviewed", join(plans, "fingerprints.json"), "--env", "dev"], { terraform: tf, env: { GITHUB_STEP_SUMMARY: summary } });
    expect(r.stdout).toContain("dev-cluster: failed");
    expect(readFileSync(summary, "utf8")).toContain("SignatureDoesNotMatch");
    expect(leaks(readFileSync(summary, "utf8") + r.stdout + r.stderr)).toEqual([]);
  });

  it("drift: the issue body", async () => {
    const gh = await FakeGitHub.start();
    try {
      const tf = new FakeTerraform({ "dev-cluster": { plan: "tofu-eq-drift-simple.json" }, "dev-gitops": { planExit: 1, planStderr: STDERR } });
      const r = await runCli(["drift", "--cdktf-out", synth, "--env", "dev", "--repo", "acme/infra"], {
        terraform: tf,
        env: { GITHUB_API_URL: gh.url, GITHUB_TOKEN: "ghs_test" },
        github: { retryUnitMs: 1, pacing: false, requestTimeoutMs: 300, limiterId: "mask-drift" },
      });
      expect(r.code).toBe(1);
      const bodies = gh.issues.map((i) => i.body ?? "").join("\n");
      expect(bodies).toContain("SignatureDoesNotMatch");
      expect(leaks(bodies + r.stdout + r.stderr)).toEqual([]);
    } finally {
      await gh.stop();
    }
  });
});
