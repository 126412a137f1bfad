/**
 * A table of entries keyed by integer id, for entries that come and go fast (calls in flight): an array indexed by
 * the id's low bits, kept at most half full, that grows by doubling and, once large, shrinks back when it empties.
 *
 * Why not a `Map`: a long-lived `Map` that churns short-lived values made every value it ever held survive the
 * young-generation garbage collections (measured with `--trace-gc-nvp`: about 1 MB promoted per scavenge at
 * 180,000 calls/s, and scavenges ten times longer), because its backing store ages into the old generation while
 * the values are young. A slot of this array is cleared when its entry goes, and nothing else refers to it.
 */
const INITIAL_CAPACITY = 64;

/** A table this large or larger goes back to the initial capacity when it empties (after a burst of calls). */
const SHRINK_FROM = 1024;

export class IdTable<T> {
  #slots: (T | undefined)[] = new Array<T | undefined>(INITIAL_CAPACITY);
  #ids: number[] = new Array<number>(INITIAL_CAPACITY).fill(-1);
  #mask = INITIAL_CAPACITY - 1;
  #size = 0;

  get size(): number {
    return this.#size;
  }

  /** The entry of `id`, or undefined. */
  get(id: number): T | undefined {
    const slot = id & this.#mask;
    return this.#ids[slot] === id ? this.#slots[slot] : undefined;
  }

  /** True when `id` could be added now: its slot is free. Ids are chosen by the caller, skipping taken ones. */
  isFree(id: number): boolean {
    if (this.#size + 1 > (this.#mask + 1) / 2) this.#grow();
    return this.#ids[id & this.#mask] === -1;
  }

  /** Adds the entry of `id`, whose slot must be free (`isFree()`). */
  add(id: number, entry: T): void {
    const slot = id & this.#mask;
    this.#ids[slot] = id;
    this.#slots[slot] = entry;
    this.#size++;
  }

  /** Removes the entry of `id` and returns it, or undefined when there is none. */
  delete(id: number): T | undefined {
    const slot = id & this.#mask;
    if (this.#ids[slot] !== id) return undefined;
    const entry = this.#slots[slot];
    this.#ids[slot] = -1;
    this.#slots[slot] = undefined;
    if (--this.#size === 0 && this.#mask + 1 >= SHRINK_FROM) this.#reset(INITIAL_CAPACITY);
    return entry;
  }

  /** The entries, in no particular order; a copy, so the table may change while the caller goes through it. */
  values(): T[] {
    const out: T[] = [];
    for (let i = 0; i <= this.#mask; i++) if (this.#ids[i] !== -1) out.push(this.#slots[i] as T);
    return out;
  }

  #grow(): void {
    const slots = this.#slots;
    const ids = this.#ids;
    this.#reset((this.#mask + 1) * 2);
    // Distinct slots under the old mask stay distinct under the wider one.
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i] as number;
      if (id === -1) continue;
      const slot = id & this.#mask;
      this.#ids[slot] = id;
      this.#slots[slot] = slots[i];
    }
  }

  #reset(capacity: number): void {
    this.#slots = new Array<T | undefined>(capacity);
    this.#ids = new Array<number>(capacity).fill(-1);
    this.#mask = capacity - 1;
  }
}
