// Every CLI command. Add a command by adding a file here and one line to this list.
import { allowDestroyCommand } from "./allow-destroy";
import { applyCommand } from "./apply";
import { changedCommand } from "./changed";
import { commentCommand } from "./comment";
import { diffCommand } from "./diff";
import { driftCommand } from "./drift";
import { planCommand } from "./plan";
import { planRoleCommand } from "./plan-role";
import { previewCommand } from "./preview";
import { renderCommand } from "./render";
import { summarizeCommand } from "./summarize";
import type { CommandModule } from "./types";
import { unlockCommand } from "./unlock";

export const commands: readonly CommandModule[] = [changedCommand, summarizeCommand, renderCommand, commentCommand, planCommand, applyCommand, diffCommand, driftCommand, unlockCommand, allowDestroyCommand, previewCommand, planRoleCommand];
