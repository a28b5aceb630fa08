// Synth fast path: the esbuild bundle of main.ts run by node, all stacks of all environments.


export default [
  {
    name: "synth: npm run synth (warm bundle, all environments)",
    command: ["npm", "run", "--silent", "synth"],
    runs: 7,
  },
  {
    name: "synth: cold bundle + synth (after a source change)",
    command: ["node", "-e", "require('fs').rmSync('.build/main.js',{force:true}); require('child_process').execFileSync(process.execPath,['scripts/run-bundled.mjs','main.ts'],{stdio:'ignore'})"],
    runs: 5,
  },
  {
    name: "baseline: node -e 0",
    command: ["node", "-e", "0"],
    runs: 7,
  },
];

