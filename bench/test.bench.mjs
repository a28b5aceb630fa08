// The whole test suite, wall clock, as users run it: `npm test` (type checking is `npm run typecheck`,
// not part of it). Five runs: on 2 cores a run varies by a second or more.
export default [{ name: "npm test (whole suite)", command: ["npm", "test", "--silent"], runs: 5 }];
