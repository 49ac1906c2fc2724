import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type Place, hint, label, nextPlace, parseNextEdits, placeAt, placeToAccept, shiftRange } from '../nextEdits';

const range = { start: { line: 1, character: 11 }, end: { line: 1, character: 16 } };
const r = (l1: number, c1: number, l2: number, c2: number) => ({
  start: { line: l1, character: c1 },
  end: { line: l2, character: c2 },
});

test('answers: the proposals in order, malformed ones left out', () => {
  const edit = { id: 3, uri: 'file:///w/a.py', range, newText: 'w', kind: 'rename', reason: 'width was renamed', confidence: 0.9 };
  assert.deepEqual(parseNextEdits({ edits: [edit, { ...edit, id: 4, kind: undefined, reason: 7, confidence: 'high' }] }), [
    edit,
    { id: 4, uri: 'file:///w/a.py', range, newText: 'w', kind: '', reason: '' },
  ]);
  assert.deepEqual(parseNextEdits({ edits: [{ ...edit, id: '3' }] }), []);
  assert.deepEqual(parseNextEdits({ edits: [{ ...edit, range: { start: { line: 1 } } }] }), []);
  assert.deepEqual(parseNextEdits({ edits: [{ ...edit, range: r(2, 0, 1, 0) }] }), [], 'an end before the start');
  assert.deepEqual(parseNextEdits({ edits: [{ ...edit, newText: null }] }), []);
  assert.deepEqual(parseNextEdits({ edits: [null, 3] }), []);
  assert.deepEqual(parseNextEdits({ edits: [] }), []);
  assert.deepEqual(parseNextEdits(null), []);
  assert.deepEqual(parseNextEdits({}), []);
});

test('the text after the line: the replacement, cut', () => {
  assert.equal(label('w'), '→ w');
  assert.equal(label(''), '→ (delete)');
  assert.equal(label('a\nb'), '→ a⏎b');
  assert.equal(label('abcdefgh', 5), '→ abcd…');
  assert.equal(label('😀😀😀', 2), '→ 😀…', 'cut by characters');
  assert.equal(hint(true), 'Tab to accept');
  assert.equal(hint(false), 'Tab to jump');
});

test('ranges follow edits before them, stay for edits after them, go stale for edits over them', () => {
  // Before, on the same line: moves by the change in length.
  assert.deepEqual(shiftRange(range, { range: r(1, 4, 1, 10), text: 'x' }), r(1, 6, 1, 11));
  // An insertion where it starts: moves.
  assert.deepEqual(shiftRange(range, { range: r(1, 11, 1, 11), text: 'ab' }), r(1, 13, 1, 18));
  // A deletion that ends where it starts: moves.
  assert.deepEqual(shiftRange(range, { range: r(1, 0, 1, 11), text: '' }), r(1, 0, 1, 5));
  // Lines before: moves down or up.
  assert.deepEqual(shiftRange(range, { range: r(0, 3, 0, 3), text: '\n\n' }), r(3, 11, 3, 16));
  assert.deepEqual(shiftRange(r(4, 2, 4, 7), { range: r(1, 0, 3, 0), text: '' }), r(2, 2, 2, 7));
  // A line break inserted before it on its line.
  assert.deepEqual(shiftRange(range, { range: r(1, 4, 1, 4), text: 'a\nbc' }), r(2, 9, 2, 14));
  // Joining its line to the one above.
  assert.deepEqual(shiftRange(range, { range: r(0, 20, 1, 4), text: ' ' }), r(0, 28, 0, 33));
  // After it, or an insertion where it ends: the same.
  assert.deepEqual(shiftRange(range, { range: r(1, 16, 1, 16), text: 'z' }), range);
  assert.deepEqual(shiftRange(range, { range: r(2, 0, 5, 0), text: '' }), range);
  // Over it: stale.
  assert.equal(shiftRange(range, { range: r(1, 12, 1, 13), text: '' }), undefined);
  assert.equal(shiftRange(range, { range: r(1, 10, 1, 12), text: 'q' }), undefined);
  assert.equal(shiftRange(range, { range: r(0, 0, 2, 0), text: '' }), undefined);
  // An empty range (an insertion): moves with text inserted where it is, not with text after it.
  const at = r(1, 4, 1, 4);
  assert.deepEqual(shiftRange(at, { range: r(1, 4, 1, 4), text: 'x' }), r(1, 5, 1, 5));
  assert.deepEqual(shiftRange(at, { range: r(1, 4, 1, 6), text: '' }), at);
});

const places: Place[] = [
  { uri: 'a', range: r(1, 11, 1, 16) },
  { uri: 'b', range: r(0, 0, 0, 5) },
  { uri: 'a', range: r(3, 4, 3, 9) },
  { uri: 'a', range: r(1, 2, 1, 7) },
];
const at = (uri: string, line: number, character: number) => ({ uri, position: { line, character } });

test('jump: the next place in the document, then the best in another, then around', () => {
  assert.equal(nextPlace(places, at('a', 0, 0)), 3);
  assert.equal(nextPlace(places, at('a', 1, 2)), 0, 'from a place to the next');
  assert.equal(nextPlace(places, at('a', 1, 12)), 2, 'from inside a place');
  assert.equal(nextPlace(places, at('a', 3, 4)), 1, 'then another document');
  assert.equal(nextPlace(places, at('b', 0, 0)), 0, 'back to the best place of the other document');
  assert.equal(nextPlace([places[0], places[3]], at('a', 2, 0)), 1, 'around');
  assert.equal(nextPlace([places[1]], at('b', 0, 0)), 0, 'the only place');
  assert.equal(nextPlace([], at('a', 0, 0)), undefined);
});

test('accept: the place the cursor is on, else the nearest on its line', () => {
  assert.equal(placeAt(places, at('a', 1, 11)), 0, 'at the start');
  assert.equal(placeAt(places, at('a', 1, 16)), 0, 'at the end');
  assert.equal(placeAt(places, at('a', 1, 8)), undefined, 'between two');
  assert.equal(placeToAccept(places, at('a', 1, 8)), 3, 'the nearest on the line');
  assert.equal(placeToAccept(places, at('a', 3, 0)), 2);
  assert.equal(placeToAccept(places, at('a', 2, 0)), undefined, 'not on another line');
  assert.equal(placeToAccept(places, at('c', 1, 11)), undefined, 'not in another document');
});
