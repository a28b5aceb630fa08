/**
 * Tests run through @swc/jest (no type checking: `npm run typecheck` does that).
 * @octokit packages are ESM-only, so they are transformed too.
 * @type {import('jest').Config}
 */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/__tests__"],
  testMatch: ["**/*.test.ts"],
  transform: {
    "^.+\\.(t|j)s$": ["@swc/jest", { jsc: { parser: { syntax: "typescript" }, target: "es2022" }, module: { type: "commonjs" } }],
  },
  transformIgnorePatterns: ["/node_modules/(?!(@octokit|universal-user-agent|before-after-hook|universal-github-app-jwt|content-type|json-with-bigint)/)"],
  setupFilesAfterEnv: ["<rootDir>/__tests__/setup.ts"],
  globalSetup: "<rootDir>/__tests__/global-setup.js",
  globalTeardown: "<rootDir>/__tests__/global-teardown.js",
  testTimeout: 30000,
  // Jest's default is one worker on a 2-core machine; the suite is dominated by per-file module
  // loading (cdktf, Octokit), which two workers overlap (~24 s serial → ~16 s wall here).
  maxWorkers: 2,
};
