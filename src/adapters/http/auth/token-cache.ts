/**
 * A bounded LRU of verified tokens. A Map keeps insertion order, so re-inserting on a hit moves the
 * entry to the back and the first key is always the least recently used: no extra dependency.
 */
export class TokenCache<V> {
  private readonly entries = new Map<string, V>();

  private readonly maxEntries: number;
  constructor(maxEntries: number) {
    this.maxEntries = maxEntries;
  }

  get(token: string): V | undefined {
    const value = this.entries.get(token);
    if (value === undefined) return undefined;
    this.entries.delete(token);
    this.entries.set(token, value);
    return value;
  }

  set(token: string, value: V): void {
    if (this.maxEntries <= 0) return;
    this.entries.delete(token);
    this.entries.set(token, value);
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
  }

  delete(token: string): void {
    this.entries.delete(token);
  }

  get size(): number {
    return this.entries.size;
  }
}
