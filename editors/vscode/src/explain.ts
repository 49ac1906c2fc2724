// The `tandem.explain` server command: its arguments and how its answer is shown.

/** The server's command (run through `workspace/executeCommand`). */
export const EXPLAIN_COMMAND = 'tandem.explain';

export interface Range {
  start: { line: number; character: number };
  end: { line: number; character: number };
}

export interface ExplainResult {
  markdown: string;
  model: string;
  route: string;
  reason: string;
  degraded: boolean;
}

/** The command's arguments: the document and, when there is one, the range to explain. */
export function explainArguments(uri: string, range?: Range): [{ uri: string; range?: Range }] {
  return [range ? { uri, range } : { uri }];
}

/** The server's answer, checked; throws when it is not one. */
export function parseExplainResult(v: unknown): ExplainResult {
  const r = typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : undefined;
  if (!r || typeof r.markdown !== 'string') {
    throw new Error(`unexpected answer from tandem.explain: ${JSON.stringify(v)}`);
  }
  const s = (x: unknown): string => (typeof x === 'string' ? x : '');
  return {
    markdown: r.markdown,
    model: s(r.model),
    route: s(r.route),
    reason: s(r.reason),
    degraded: r.degraded === true,
  };
}

/** The markdown shown in the panel: a title naming the code, the answer, where it came from. */
export function explainMarkdown(r: ExplainResult, what: string): string {
  const origin = [r.model, r.route === '' ? '' : `${r.route} model`].filter((x) => x !== '').join(', ');
  const lines = [`# ${what}`, '', r.markdown.trim(), ''];
  if (origin !== '' || r.degraded) {
    lines.push('---', '');
    let footer = origin !== '' ? `_Explained by ${origin}._` : '';
    if (r.degraded) {
      footer += ` **Degraded**${r.reason !== '' ? `: ${r.reason}` : ''}.`;
    }
    lines.push(footer.trim(), '');
  }
  return lines.join('\n');
}

/** A title for the explained code: `file.py, lines 3-7` (1-based, inclusive). */
export function describeRange(file: string, range?: Range): string {
  const name = file.split(/[\\/]/).pop() ?? file;
  if (!range) {
    return name;
  }
  const first = range.start.line + 1;
  // A selection ending at the start of a line does not include that line.
  const last = range.end.character === 0 && range.end.line > range.start.line ? range.end.line : range.end.line + 1;
  return first === last ? `${name}, line ${first}` : `${name}, lines ${first}-${last}`;
}
