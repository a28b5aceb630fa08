// Structural checks on rendered markdown, as GitHub would parse it: what is code, what is HTML.

/** The markdown with fenced code blocks and inline code spans removed (what GitHub treats as text/HTML). */
export function outsideCode(markdown: string): string {
  const lines = markdown.split("\n");
  const kept: string[] = [];
  let fence: string | null = null;
  for (const line of lines) {
    const m = /^ {0,3}(`{3,}|~{3,})/.exec(line);
    if (fence === null && m?.[1]) {
      fence = m[1];
      continue;
    }
    if (fence !== null) {
      if (new RegExp(`^ {0,3}${fence[0]}{${fence.length},}\\s*$`).test(line)) fence = null;
      continue;
    }
    kept.push(stripCodeSpans(line));
  }
  if (fence !== null) throw new Error(`unclosed code fence ${fence}`);
  return kept.join("\n");
}

/** Removes inline code spans: a run of N backticks up to the next run of exactly N. */
function stripCodeSpans(line: string): string {
  let out = "";
  let i = 0;
  while (i < line.length) {
    if (line[i] !== "`") {
      out += line[i];
      i++;
      continue;
    }
    let n = 0;
    while (line[i + n] === "`") n++;
    const opener = "`".repeat(n);
    let j = i + n;
    let close = -1;
    while (j < line.length) {
      const k = line.indexOf(opener, j);
      if (k === -1) break;
      let m = 0;
      while (line[k + m] === "`") m++;
      if (m === n) {
        close = k;
        break;
      }
      j = k + m;
    }
    if (close === -1) {
      out += opener;
      i += n;
    } else {
      out += "CODE";
      i = close + n;
    }
  }
  return out;
}

/** Throws unless <details>/<summary> nest properly and fences are closed; returns the text outside code. */
export function assertWellFormed(markdown: string): string {
  const text = outsideCode(markdown);
  const stack: string[] = [];
  for (const m of text.matchAll(/<(\/?)(details|summary)>/g)) {
    const [, closing, tag] = m;
    if (!closing) stack.push(tag!);
    else if (stack.pop() !== tag) throw new Error(`unbalanced </${tag}> at ${m.index}`);
  }
  if (stack.length > 0) throw new Error(`unclosed <${stack.join(">, <")}>`);
  return text;
}

/** HTML tags outside code that are not the ones we emit on purpose. */
export function unexpectedTags(markdown: string): string[] {
  const text = outsideCode(markdown);
  return [...text.matchAll(/<\/?([A-Za-z][A-Za-z0-9-]*)[^>]*>/g)].map((m) => m[0]).filter((t) => !/^<\/?(details|summary)>$/.test(t));
}

/** `@name` outside code that GitHub would turn into a mention. */
export function liveMentions(markdown: string): string[] {
  return [...outsideCode(markdown).matchAll(/(^|[^\w`])@([A-Za-z0-9][\w-]*)/g)].map((m) => `@${m[2]}`);
}
