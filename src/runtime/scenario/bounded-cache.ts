// A memo table that keeps at most `limit` entries, forgetting the oldest first: the scenario
// machine's and the trap builder's built guest tables, which many scenarios share.

export class BoundedCache<V> {
  private readonly entries = new Map<string, V>();

  constructor(private readonly limit: number) {}

  /** The value for `key`, made by `make` (and kept) when there is none. */
  get(key: string, make: () => V): V {
    let value = this.entries.get(key);
    if (value === undefined) {
      value = make();
      if (this.entries.size >= this.limit) {
        const oldest = this.entries.keys().next();
        if (oldest.done !== true) this.entries.delete(oldest.value);
      }
      this.entries.set(key, value);
    }
    return value;
  }
}
