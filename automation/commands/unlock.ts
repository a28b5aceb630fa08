// `gitops unlock`: release a stack's state lock whose holder is gone (a lost runner, a timeout), with
// the exact lock ID that plan, apply or drift reported. Never guesses: terraform force-unlock with
// that ID only, in the stack's own directory and backend.
import { CommandFailure, UsageError } from "../errors";
import { readManifest } from "../manifest";
import { stackDirectory } from "../planning";
import { isLockId } from "../state-lock";
import { createLineMask, maskFromEnv } from "../mask";
import type { CommandModule } from "./types";

interface UnlockOptions {
  cdktfOut: string;
  stack: string;
  lockId: string;
  terraform?: string;
}

export const unlockCommand: CommandModule = {
  register(program, io) {
    program
      .command("unlock")
      .description("release a stale state lock of one stack (terraform force-unlock), given its exact lock ID")
      .option("--cdktf-out <dir>", "synth output with the stack", "cdktf.out")
      .requiredOption("--stack <name>", "the stack whose state is locked")
      .requiredOption("--lock-id <id>", "the lock ID that plan, apply or drift reported (Lock Info: ID)")
      .option("--terraform <path>", "terraform binary (default: GITOPS_TERRAFORM, then terraform on PATH)")
      .action(async (opts: UnlockOptions) => {
        if (!isLockId(opts.lockId)) throw new UsageError(`--lock-id ${JSON.stringify(opts.lockId)}: expected the lock ID terraform reported, e.g. 0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0`);
        const manifest = await readManifest(opts.cdktfOut, io.files);
        if (!manifest.stacks.has(opts.stack)) {
          throw new UsageError(`--stack ${JSON.stringify(opts.stack)}: not in ${opts.cdktfOut}/manifest.json (stacks: ${[...manifest.stacks.keys()].join(", ")})`);
        }
        const dir = stackDirectory(manifest, opts.stack);
        const terraform = await io.createTerraform(opts.terraform);
        const mask = createLineMask(maskFromEnv(io.env));
        const log = (line: string) => io.stderr(`[${opts.stack}] ${mask(line)}\n`);
        const init = await terraform.init(dir, log);
        if (init.exitCode !== 0) throw new CommandFailure(`${opts.stack}: terraform init failed (exit ${init.exitCode}); the lock was not touched`);
        const unlocked = await terraform.forceUnlock(dir, opts.lockId, log);
        if (unlocked.exitCode !== 0) {
          throw new CommandFailure(`${opts.stack}: terraform force-unlock ${opts.lockId} failed (exit ${unlocked.exitCode}): is that the ID of the lock that is held?`);
        }
        io.stdout(`${opts.stack}: released lock ${opts.lockId}\n`);
      });
  },
};
