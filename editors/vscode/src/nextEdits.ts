// Next edits: once an edit settles, the server proposes the other edits it implies (a renamed
// identifier's other uses, a changed signature's calls, the same change on sibling lines or
// where the old text repeats), through `tandem/nextEdits`. This file holds what needs no
// editor: reading the answer, keeping a proposal's range in step with edits around it, the text
// shown after its line, and where "jump" and "accept" go.

/** The server's request. */
export const NEXT_EDITS_METHOD = 'tandem/nextEdits';

export interface Pos {
  line: number;
  character: number;
}

export interface LspRange {
  start: Pos;
  end: Pos;
}

/** A proposal of the server: replace `range` of `uri` (in its current text) with `newText`. */
export interface NextEdit {
  id: number;
  uri: string;
  range: LspRange;
  newText: string;
  kind: string;
  reason: string;
  confidence?: number;
}

/** A place in a document (`uri` as the editor spells it) and the range it covers. */
export interface Place {
  uri: string;
  range: LspRange;
}

function isPos(v: unknown): v is Pos {
  const p = v as Pos | undefined;
  return typeof p === 'object' && p !== null && Number.isInteger(p.line) && Number.isInteger(p.character);
}

/** Whether `a` comes before `b`. */
function before(a: Pos, b: Pos): boolean {
  return a.line < b.line || (a.line === b.line && a.character < b.character);
}

/** The proposals of a `tandem/nextEdits` answer, in its order (best first), malformed ones left out. */
export function parseNextEdits(result: unknown): NextEdit[] {
  const edits = (result as { edits?: unknown } | null | undefined)?.edits;
  if (!Array.isArray(edits)) {
    return [];
  }
  const out: NextEdit[] = [];
  for (const e of edits as Record<string, unknown>[]) {
    const r = e?.range as { start?: unknown; end?: unknown } | undefined;
    if (
      typeof e !== 'object' ||
      e === null ||
      typeof e.id !== 'number' ||
      typeof e.uri !== 'string' ||
      typeof e.newText !== 'string' ||
      !isPos(r?.start) ||
      !isPos(r?.end) ||
      before(r.end, r.start)
    ) {
      continue;
    }
    const edit: NextEdit = {
      id: e.id,
      uri: e.uri,
      range: { start: { ...r.start }, end: { ...r.end } },
      newText: e.newText,
      kind: typeof e.kind === 'string' ? e.kind : '',
      reason: typeof e.reason === 'string' ? e.reason : '',
    };
    if (typeof e.confidence === 'number') {
      edit.confidence = e.confidence;
    }
    out.push(edit);
  }
  return out;
}

/** What is shown after a proposal's line: `→ ` and the replacement (line breaks as `⏎`), cut to `width` characters. */
export function label(newText: string, width = 40): string {
  if (newText === '') {
    return '→ (delete)';
  }
  const chars = [...newText.replace(/\r?\n/g, '⏎')];
  return '→ ' + (chars.length > width ? chars.slice(0, width - 1).join('') + '…' : chars.join(''));
}

/** The hint after the proposal Tab acts on: accept it when the cursor is on it, else jump to it. */
export function hint(atCursor: boolean): string {
  return atCursor ? 'Tab to accept' : 'Tab to jump';
}

/**
 * `range` after an edit of its document that replaced `change.range` with `change.text`: moved
 * along when the edit was before it, the same when after it, undefined (the proposal is stale)
 * when the edit overlapped it.
 */
export function shiftRange(range: LspRange, change: { range: LspRange; text: string }): LspRange | undefined {
  const c = change.range;
  if (before(range.start, c.end)) {
    // The edit ends inside or after the range's start: the range stays where it is when the
    // edit starts at or after its end, and is stale when the two overlap.
    return before(c.start, range.end) ? undefined : range;
  }
  const lines = change.text.split(/\r\n|\r|\n/);
  const last = lines[lines.length - 1].length;
  const move = (p: Pos): Pos => {
    if (p.line !== c.end.line) {
      return { line: p.line + lines.length - 1 - (c.end.line - c.start.line), character: p.character };
    }
    const line = c.start.line + lines.length - 1;
    const base = lines.length === 1 ? c.start.character + last : last;
    return { line, character: base + p.character - c.end.character };
  };
  return { start: move(range.start), end: move(range.end) };
}

/**
 * Where "jump" goes from `here` among `places` (best first): the next place after the cursor in
 * its document, else the best place in another document, else the first of this document
 * (wrapping around). Its index, or undefined when there is none.
 */
export function nextPlace(places: Place[], here: { uri: string; position: Pos }): number | undefined {
  let ahead: number | undefined;
  let elsewhere: number | undefined;
  let first: number | undefined;
  places.forEach((p, i) => {
    if (p.uri === here.uri) {
      if (before(here.position, p.range.start) && (ahead === undefined || before(p.range.start, places[ahead].range.start))) {
        ahead = i;
      }
      if (first === undefined || before(p.range.start, places[first].range.start)) {
        first = i;
      }
    } else if (elsewhere === undefined) {
      elsewhere = i;
    }
  });
  return ahead ?? elsewhere ?? first;
}

/** The place the cursor (`here`) is on, from its start to its end inclusive: its index, or undefined. */
export function placeAt(places: Place[], here: { uri: string; position: Pos }): number | undefined {
  const i = places.findIndex(
    (p) => p.uri === here.uri && !before(here.position, p.range.start) && !before(p.range.end, here.position),
  );
  return i < 0 ? undefined : i;
}

/** The place "accept" takes at `here`: the one the cursor is on, else the nearest on its line. */
export function placeToAccept(places: Place[], here: { uri: string; position: Pos }): number | undefined {
  const on = placeAt(places, here);
  if (on !== undefined) {
    return on;
  }
  let nearest: number | undefined;
  let distance = Infinity;
  places.forEach((p, i) => {
    if (p.uri !== here.uri || (p.range.start.line !== here.position.line && p.range.end.line !== here.position.line)) {
      return;
    }
    const d = Math.min(
      Math.abs(p.range.start.character - here.position.character),
      Math.abs(p.range.end.character - here.position.character),
    );
    if (d < distance) {
      nearest = i;
      distance = d;
    }
  });
  return nearest;
}
