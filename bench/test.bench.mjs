// The whole test suite, wall clock (type checking is `npm run typecheck`, not part of it).
export default [{ name: "npm test (whole suite)", command: ["npx", "jest", "--silent"], runs: 3 }];
