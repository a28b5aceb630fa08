// The preview as one sticky PR comment (key gitops-preview): per environment, in order, a summary line
// and the deletions first, then findings, Applications and rendered objects. Every value from the
// manifests goes through codeSpan/codeBlock; Secrets never carry values this far.
import { commentMarker, GITHUB_COMMENT_LIMIT } from "../render/comment";
import { codeBlock, codeSpan, plainText, plural } from "../render/markdown";
import { type EnvironmentPreview, hasChanges } from "./preview";

export const PREVIEW_KEY = "gitops-preview";

function summaryLine(p: EnvironmentPreview): string {
  if (!hasChanges(p)) return `✅ ${codeSpan(p.env)}: no changes`;
  const count = (status: string) => p.apps.filter((a) => a.status === status).length;
  const objects = (pick: (d: NonNullable<(typeof p.apps)[number]["objects"]>) => readonly unknown[]) => p.apps.reduce((n, a) => n + (a.objects ? pick(a.objects).length : 0), 0);
  const errors = p.findings.filter((f) => f.severity === "error").length;
  const parts = [
    count("added") ? `${plural(count("added"), "Application or project", "Applications or projects")} added` : "",
    count("removed") ? `${count("removed")} removed` : "",
    count("changed") ? `${count("changed")} changed` : "",
    objects((d) => d.added) ? `${plural(objects((d) => d.added), "object")} added` : "",
    objects((d) => d.removed) ? `${plural(objects((d) => d.removed), "object")} removed` : "",
    objects((d) => d.changed) ? `${plural(objects((d) => d.changed), "object")} changed` : "",
    p.deletions.length ? plural(p.deletions.length, "deletion") : "",
    errors ? plural(errors, "error") : "",
  ].filter(Boolean);
  const icon = p.deletions.length > 0 || errors > 0 ? "⚠️" : "📝";
  return `${icon} ${codeSpan(p.env)}: ${parts.join(", ")}`;
}

function changeLines(changes: readonly { path: string; before: string; after: string }[], limit: number): string {
  const lines = changes.slice(0, limit).map((c) => `${c.path}: ${c.before} → ${c.after}`);
  if (changes.length > limit) lines.push(`… ${changes.length - limit} more`);
  return codeBlock(lines.join("\n"));
}

function environmentSection(p: EnvironmentPreview, detail: number): string {
  const parts = [`### ${summaryLine(p)}`];
  if (p.deletions.length > 0) parts.push(`> [!WARNING]\n> **Deletions:**\n${p.deletions.map((d) => `> - ${plainText(d)}`).join("\n")}`);
  if (p.findings.length > 0) parts.push(`**Findings:**\n${p.findings.map((f) => `- ${f.severity === "error" ? "❌" : "⚠️"} ${codeSpan(f.object)}: ${plainText(f.message)}`).join("\n")}`);
  for (const app of p.apps) {
    const objects = app.objects;
    const objectCount = objects ? objects.added.length + objects.removed.length + objects.changed.length : 0;
    if (app.status === "unchanged" && objectCount === 0) continue;
    const lines = [`**${app.kind} ${codeSpan(app.name)}**: ${app.status}`];
    if (app.fields.length > 0 && detail > 0) lines.push(changeLines(app.fields, detail));
    if (app.notRendered) lines.push(`_${plainText(app.notRendered)}._`);
    if (objects) {
      for (const key of objects.added) lines.push(`- ➕ ${codeSpan(key)}`);
      for (const key of objects.removed) lines.push(`- ➖ ${codeSpan(key)}`);
      for (const c of objects.changed) {
        lines.push(`- 📝 ${codeSpan(c.key)}${detail > 0 ? `\n\n${changeLines(c.changes, detail)}` : ` (${plural(c.changes.length, "field")})`}`);
      }
    }
    parts.push(lines.join("\n"));
  }
  return parts.join("\n\n");
}

export function renderPreviewComment(previews: readonly EnvironmentPreview[], maxChars = GITHUB_COMMENT_LIMIT): string {
  const head = [commentMarker(PREVIEW_KEY), "## Argo CD preview", previews.map(summaryLine).map((l) => `- ${l}`).join("\n")].join("\n\n");
  // Less detail until it fits: field lines per object, then none; the summary lines and deletions stay.
  for (const detail of [40, 10, 3, 0]) {
    const body = `${head}\n\n${previews.filter(hasChanges).map((p) => environmentSection(p, detail)).join("\n\n")}\n`;
    if (body.length <= maxChars) return body;
  }
  const warnings = previews.filter((p) => p.deletions.length > 0).map((p) => `### ${summaryLine(p)}\n\n${p.deletions.map((d) => `- ${plainText(d)}`).join("\n")}`);
  const note = "\n\n_The details do not fit in one comment; run `npm run --silent gitops -- preview` locally for all of them._\n";
  return `${head}\n\n${warnings.join("\n\n")}${note}`.slice(0, maxChars);
}
