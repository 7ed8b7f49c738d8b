// A memo table that keeps at most `limit` entries, forgetting the oldest first: the scenario
// machine's and the trap builder's built guest tables, which many scenarios share, and what is
// drawn per scenario seed (the stack's bytes, the arbitrary register values).

export class BoundedCache<V, K = string> {
  private readonly entries = new Map<K, V>();

  /** @param forget called with each value the cache forgets (no caller holds it any more: the cache's own). */
  constructor(
    private readonly limit: number,
    private readonly forget?: (value: V) => void,
  ) {}

  /** The value for `key`, made by `make` (and kept) when there is none. */
  get(key: K, make: () => V): V {
    let value = this.entries.get(key);
    if (value === undefined) {
      value = make();
      if (this.entries.size >= this.limit) {
        const oldest = this.entries.keys().next();
        if (oldest.done !== true) {
          const forgotten = this.entries.get(oldest.value);
          this.entries.delete(oldest.value);
          if (forgotten !== undefined) this.forget?.(forgotten);
        }
      }
      this.entries.set(key, value);
    }
    return value;
  }
}
