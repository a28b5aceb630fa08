// A config directory with one AWS account per environment, made from the shipped configs: staging in
// 111111111111 (bucket staging-tfstate), production in 222222222222 (bucket production-tfstate).
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const CONFIG_DIR = join(__dirname, "..", "..", "config");
export const ACCOUNTS = { staging: "111111111111", production: "222222222222" } as const;

/** `edit` may change any file (path relative to the config dir) before it is written. */
export function multiAccountConfigDir(edit: (files: Map<string, string>) => void = () => undefined): string {
  const dir = join(mkdtempSync(join(tmpdir(), "multi-account-")), "config");
  cpSync(CONFIG_DIR, dir, { recursive: true });
  rmSync(join(dir, "bootstrap.yaml"));
  mkdirSync(join(dir, "bootstrap"));
  const bootstrap = readFileSync(join(CONFIG_DIR, "bootstrap.yaml"), "utf8");
  const files = new Map<string, string>();
  for (const [env, account] of Object.entries(ACCOUNTS)) {
    const moved = (text: string) => text.replaceAll("123456789012", account).replace("bucket: example-tfstate", `bucket: ${env}-tfstate`);
    files.set(`${env}.yaml`, moved(readFileSync(join(CONFIG_DIR, `${env}.yaml`), "utf8")));
    files.set(`bootstrap/${env}-account.yaml`, moved(bootstrap).replace("environments: [production, staging]", `environments: [${env}]`));
  }
  edit(files);
  for (const [name, text] of files) writeFileSync(join(dir, name), text);
  return dir;
}
