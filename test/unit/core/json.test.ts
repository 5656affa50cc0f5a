import * as assert from 'node:assert/strict';
import { fromPointer, sameJson, toPointer, valueAtPointer } from '../../../src/core/json';

describe('core/json', () => {
  it('resolves JSON pointers with escapes and array indexes', () => {
    const doc = { 'a/b': { '~x': [10, { y: 2 }] } };
    assert.equal(valueAtPointer(doc, '/a~1b/~0x/1/y'), 2);
    assert.equal(valueAtPointer(doc, '/a~1b/~0x/01'), undefined);
    assert.equal(valueAtPointer(doc, '/missing/x'), undefined);
    assert.deepEqual(valueAtPointer(doc, ''), doc);
    assert.throws(() => valueAtPointer(doc, 'a'), /not a JSON pointer: "a"/);
  });

  it('writes and reads pointers as each other\'s inverse', () => {
    const segments = ['Study', 'a/b', '~x', '', '__proto__'];
    assert.equal(toPointer(segments), '/Study/a~1b/~0x//__proto__');
    assert.deepEqual(fromPointer(toPointer(segments)), segments);
    assert.equal(fromPointer('Study'), undefined);
  });

  it('treats keys named like Object.prototype members as ordinary keys', () => {
    const doc = JSON.parse('{"__proto__": {"x": 1}, "constructor": 2}') as unknown;
    assert.deepEqual(valueAtPointer(doc, '/__proto__/x'), 1);
    assert.equal(valueAtPointer(doc, '/constructor'), 2);
    assert.equal(valueAtPointer({}, '/constructor'), undefined);
    assert.equal(valueAtPointer({}, '/__proto__'), undefined);
    assert.equal(valueAtPointer({}, '/toString'), undefined);
    assert.ok(sameJson(JSON.parse('{"__proto__": 1}'), JSON.parse('{"__proto__": 1}')));
    assert.ok(!sameJson(JSON.parse('{"__proto__": 1}'), JSON.parse('{"__proto__": 2}')));
    assert.ok(!sameJson(JSON.parse('{"__proto__": {}}'), {}));
    assert.ok(!sameJson({}, JSON.parse('{"__proto__": {}}')));
    assert.ok(!sameJson({ toString: 1 }, { valueOf: 1 }));
  });
});
