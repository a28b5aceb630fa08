// Removes the run's temporary directory and points TMPDIR back at the original base (see global-setup.js).
const { rmSync } = require("node:fs");

module.exports = async () => {
  const dir = process.env.GITOPS_TESTS_TMPDIR;
  if (dir) rmSync(dir, { recursive: true, force: true });
  if (process.env.GITOPS_TESTS_BASE_TMPDIR) process.env.TMPDIR = process.env.GITOPS_TESTS_BASE_TMPDIR;
};
