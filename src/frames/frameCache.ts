// The frames the panels fetched, kept in memory for when they are shown again: a least-recently-used cache
// bounded by the total size of its values in bytes. Nothing is written to disk. No vscode import: unit
// tests run it in plain Node.

export class LruByteCache<K, V> {
  private readonly entries = new Map<K, { value: V; size: number }>();
  private total = 0;

  constructor(readonly maxBytes: number, private readonly sizeOf: (value: V) => number) {}

  /** The value, now the most recently used one. */
  get(key: K): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.value;
  }

  has(key: K): boolean {
    return this.entries.has(key);
  }

  /** Adds or replaces a value, evicting the least recently used ones to stay within maxBytes. A value larger
   *  than the whole budget is not kept (false). */
  set(key: K, value: V): boolean {
    this.delete(key);
    const size = this.sizeOf(value);
    if (size > this.maxBytes) return false;
    for (const [oldest, entry] of this.entries) {
      if (this.total + size <= this.maxBytes) break;
      this.entries.delete(oldest);
      this.total -= entry.size;
    }
    this.entries.set(key, { value, size });
    this.total += size;
    return true;
  }

  delete(key: K): boolean {
    const entry = this.entries.get(key);
    if (!entry) return false;
    this.entries.delete(key);
    this.total -= entry.size;
    return true;
  }

  clear(): void {
    this.entries.clear();
    this.total = 0;
  }

  /** Number of values. */
  get size(): number {
    return this.entries.size;
  }

  /** Total size of the values, in bytes. */
  get bytes(): number {
    return this.total;
  }
}
