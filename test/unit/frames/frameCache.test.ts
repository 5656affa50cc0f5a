import assert from 'node:assert/strict';
import { LruByteCache } from '../../../src/frames/frameCache';

describe('frames: the LRU bounded in bytes', () => {
  const cache = () => new LruByteCache<string, Uint8Array>(100, (v) => v.byteLength);

  it('evicts the least recently used values to stay within its budget', () => {
    const c = cache();
    c.set('a', new Uint8Array(40));
    c.set('b', new Uint8Array(40));
    assert.ok(c.get('a'), 'a is now the most recently used');
    c.set('c', new Uint8Array(40));
    assert.deepEqual([c.has('a'), c.has('b'), c.has('c')], [true, false, true]);
    assert.deepEqual([c.size, c.bytes], [2, 80]);
  });

  it('replaces a value, keeps nothing larger than the budget, deletes and clears', () => {
    const c = cache();
    c.set('a', new Uint8Array(60));
    c.set('a', new Uint8Array(10));
    assert.equal(c.bytes, 10);
    assert.equal(c.set('huge', new Uint8Array(101)), false);
    assert.equal(c.has('huge'), false);
    assert.equal(c.bytes, 10);
    c.set('b', new Uint8Array(90));
    assert.deepEqual([c.has('a'), c.bytes], [true, 100]);
    assert.equal(c.delete('b'), true);
    assert.equal(c.delete('b'), false);
    assert.equal(c.get('missing'), undefined);
    c.clear();
    assert.deepEqual([c.size, c.bytes], [0, 0]);
  });
});
