// Every temporary directory the tests create (os.tmpdir(), also for the terraform and node processes
// they start) lands in one directory that is removed after the run, so a test run leaves /tmp as it
// found it. Workers start after this and inherit TMPDIR. The original base is kept for the next run
// of `jest --watch`, whose setup runs again in this same process.
const { mkdtempSync } = require("node:fs");
const { tmpdir } = require("node:os");
const { join } = require("node:path");

module.exports = async () => {
  process.env.GITOPS_TESTS_BASE_TMPDIR ??= tmpdir();
  const dir = mkdtempSync(join(process.env.GITOPS_TESTS_BASE_TMPDIR, "gitops-tests-"));
  process.env.GITOPS_TESTS_TMPDIR = dir;
  process.env.TMPDIR = dir;
};
