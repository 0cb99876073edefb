// A bounded least-recently-used map: a hit moves the entry to the back, a set beyond the bound
// drops the entry used longest ago. Map keeps insertion order, which is all this needs.

export class Lru<K, V> {
  readonly max: number;
  #map = new Map<K, V>();
  hits = 0;
  misses = 0;
  evictions = 0;

  constructor(max: number) {
    if (!Number.isInteger(max) || max < 1) throw new Error(`Lru: max must be a positive integer, not ${max}`);
    this.max = max;
  }

  get size(): number {
    return this.#map.size;
  }

  get(key: K): V | undefined {
    const value = this.#map.get(key);
    if (value === undefined) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    this.#map.delete(key);
    this.#map.set(key, value);
    return value;
  }

  has(key: K): boolean {
    return this.#map.has(key);
  }

  set(key: K, value: V): void {
    if (this.#map.has(key)) this.#map.delete(key);
    else if (this.#map.size >= this.max) {
      this.#map.delete(this.#map.keys().next().value as K);
      this.evictions++;
    }
    this.#map.set(key, value);
  }

  clear(): void {
    this.#map.clear();
  }
}
