// Escaping for text that comes from a plan (addresses, values, error output) so it can neither break
// the comment's markdown/HTML structure nor notify anyone on GitHub.

const ZERO_WIDTH_SPACE = "\u200b";

/**
 * Inline code for untrusted text. GitHub renders no mentions, links or HTML inside code spans; the
 * fence is longer than any backtick run in the text, and line breaks are shown as `⏎` because a
 * newline would let a following `</details>` line start an HTML block.
 */
export function codeSpan(text: string): string {
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  const oneLine = text.replace(/\r\n|\r|\n/g, "⏎").replace(/[\u0000-\u001f\u007f]/g, "�");
  const fence = "`".repeat(longestRun(oneLine, "`") + 1);
  const pad = oneLine.startsWith("`") || oneLine.endsWith("`") || /^ .* $/.test(oneLine) ? " " : "";
  return `${fence}${pad}${oneLine}${pad}${fence}`;
}

/** Fenced code block for untrusted multi-line text (terraform's stderr). Blank lines around it are the caller's. */
export function codeBlock(text: string): string {
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  const body = text.replace(/\r\n?/g, "\n").replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, "�").replace(/\n+$/, "");
  const fence = "`".repeat(Math.max(3, longestRun(body, "`") + 1));
  return `${fence}text\n${body}\n${fence}`;
}

/**
 * Text inside an HTML element such as <summary>, where markdown escapes are not processed: one line,
 * HTML-escaped, and `@` followed by a zero-width space so `@team` cannot ping.
 */
export function htmlText(text: string): string {
  return text
    .replace(/[\r\n]+/g, " ")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/@/g, `@${ZERO_WIDTH_SPACE}`);
}

/**
 * Plain text placed in markdown (not inside an HTML element): htmlText, then markdown punctuation
 * backslash-escaped. Escaping after htmlText is safe: it adds only `&`, `;`, letters and a zero-width
 * space, none of which is markdown punctuation.
 */
export function plainText(text: string): string {
  return htmlText(text).replace(/([\\`*_[\]|~])/g, "\\$1");
}

function longestRun(text: string, ch: string): number {
  let longest = 0;
  let run = 0;
  for (const c of text) {
    run = c === ch ? run + 1 : 0;
    if (run > longest) longest = run;
  }
  return longest;
}

export function formatNumber(n: number): string {
  return n.toLocaleString("en-US");
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${formatNumber(n)} ${n === 1 ? one : many}`;
}
