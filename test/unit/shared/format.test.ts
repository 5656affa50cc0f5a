import * as assert from 'node:assert/strict';
import { detailLines, errorText, formatTime, listItems, plural, shortId } from '../../../src/shared/format';

describe('shared/format', () => {
  it('shortens only long ids', () => {
    assert.equal(shortId('0123456789abcdef0123456789abcdef'), '01234567…');
    assert.equal(shortId('short-id'), 'short-id');
  });

  it('counts with the right plural', () => {
    assert.equal(plural(0, 'request'), '0 requests');
    assert.equal(plural(1, 'request'), '1 request');
    assert.equal(plural(2, 'request'), '2 requests');
  });

  it('names a few items in a line and counts the rest', () => {
    assert.equal(listItems(['a', 'b']), 'a; b');
    assert.equal(listItems(['a', 'b', 'c', 'd', 'e', 'f', 'g']), 'a; b; c; d; e (and 2 more)');
    assert.equal(listItems(['a', 'b', 'c'], 1), 'a (and 2 more)');
  });

  it('caps a dialog detail and counts the rest', () => {
    assert.equal(detailLines(['a', 'b']), 'a\nb');
    assert.equal(detailLines(['a', 'b', 'c'], 2), 'a\nb\n… and 1 more');
  });

  it('writes times in UTC to the second', () => {
    assert.equal(formatTime(new Date(Date.UTC(2026, 0, 30, 14, 5, 9, 123))), '2026-01-30 14:05:09Z');
    assert.equal(formatTime(undefined), undefined);
  });

  it('takes the text of anything thrown', () => {
    assert.equal(errorText(new Error('it broke')), 'it broke');
    assert.equal(errorText('plain'), 'plain');
    assert.equal(errorText(42), '42');
  });
});
