// Small helpers over plain JSON values: type guards, structural equality, JSON pointers,
// UTF-8 sizes. No I/O.

export type JsonObject = Record<string, unknown>;

export function isObject(v: unknown): v is JsonObject {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

const hasOwnProperty = Object.prototype.hasOwnProperty;

export function hasOwn(o: object, key: string): boolean {
  return hasOwnProperty.call(o, key);
}

/** Sets an own property, also for the key "__proto__" (which plain assignment would not create). */
export function setOwn(o: JsonObject, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
  else o[key] = value;
}

/** A shallow copy that keeps "__proto__" keys as data. */
export function copyObject(o: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const k in o) if (hasOwnProperty.call(o, k)) setOwn(out, k, o[k]);
  return out;
}

/** Structural equality of JSON values; object key order does not matter. */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  const aArray = Array.isArray(a);
  if (aArray !== Array.isArray(b)) return false;
  if (aArray) {
    const x = a as unknown[];
    const y = b as unknown[];
    if (x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) if (!sameJson(x[i], y[i])) return false;
    return true;
  }
  // Hot path (every unchanged instance goes through here): JSON values are never undefined,
  // so a missing key reads as undefined; only "__proto__" needs an own-property check.
  const x = a as JsonObject;
  const y = b as JsonObject;
  let count = 0;
  for (const k in x) {
    const yv = y[k];
    if (yv === undefined || (k === '__proto__' && !hasOwnProperty.call(y, k)) || !sameJson(x[k], yv)) return false;
    count++;
  }
  for (const k in y) { void k; count--; }
  return count === 0;
}

/** Number of own enumerable keys. */
export function keyCount(o: JsonObject): number {
  let n = 0;
  for (const k in o) if (hasOwnProperty.call(o, k)) n++;
  return n;
}

/** RFC 6901 pointer from path segments: ["Study", "a/b"] -> "/Study/a~1b". */
export function toPointer(segments: readonly string[]): string {
  let out = '';
  for (const s of segments) out += '/' + s.replace(/~/g, '~0').replace(/\//g, '~1');
  return out;
}

/** Path segments from an RFC 6901 pointer; undefined when it is not a valid pointer. */
export function fromPointer(pointer: string): string[] | undefined {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) return undefined;
  return pointer.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/**
 * The value at an RFC 6901 pointer, or undefined when any step is missing (own keys only, so
 * "__proto__" and "constructor" are ordinary keys). Throws for a string that is not a pointer.
 */
export function valueAtPointer(document: unknown, pointer: string): unknown {
  const segments = fromPointer(pointer);
  if (segments === undefined) throw new Error(`not a JSON pointer: "${pointer}"`);
  let current: unknown = document;
  for (const segment of segments) {
    if (Array.isArray(current)) {
      if (!/^(0|[1-9]\d*)$/.test(segment)) return undefined;
      current = current[Number(segment)];
    } else if (isObject(current) && hasOwnProperty.call(current, segment)) {
      current = current[segment];
    } else {
      return undefined;
    }
  }
  return current;
}

/** UTF-8 byte length of a string (lone surrogates count as the 3 bytes of U+FFFD). */
export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/** UTF-8 byte length of JSON.stringify(value). */
export function jsonByteLength(value: unknown): number {
  return utf8Length(JSON.stringify(value));
}
