/**
 * A trie of contexts (most recent symbol first) with per-context postfix counts, the data structure
 * behind the MultiMMC (§6.3.9) and LZ78Y (§6.3.10) predictors on non-binary symbols. A node at depth
 * d is the context (S[i−1], …, S[i−d]); `present` marks contexts that are in the predictor's dictionary
 * (a node can exist only as the ancestor of a longer context). Each present context predicts its most
 * frequent postfix, ties going to the larger symbol, as the reference tool's PostfixDictionary does.
 * Keys are node·256 + symbol in open-addressing hash tables of typed arrays.
 */
class IntMap {
  keys: Int32Array;
  vals: Int32Array;
  size = 0;
  mask: number;
  shift: number;
  constructor(capacity = 1 << 16) {
    this.keys = new Int32Array(capacity).fill(-1);
    this.vals = new Int32Array(capacity);
    this.mask = capacity - 1;
    this.shift = 32 - Math.log2(capacity);
  }
  /** Slot of key k (occupied by k, or the empty slot where it would go). Fibonacci hashing: top bits. */
  slot(k: number): number {
    let h = Math.imul(k, 0x9e3779b1) >>> this.shift;
    const keys = this.keys;
    while (keys[h] !== -1 && keys[h] !== k) h = (h + 1) & this.mask;
    return h;
  }
  get(k: number): number {
    const h = this.slot(k);
    return this.keys[h] === k ? this.vals[h] : -1;
  }
  /** Inserts k → v at the empty slot h found by slot(k); grows when half full. */
  insertAt(h: number, k: number, v: number): void {
    this.keys[h] = k;
    this.vals[h] = v;
    if (++this.size * 2 > this.keys.length) this.grow();
  }
  private grow(): void {
    const oldK = this.keys;
    const oldV = this.vals;
    this.keys = new Int32Array(oldK.length * 2).fill(-1);
    this.vals = new Int32Array(oldK.length * 2);
    this.mask = this.keys.length - 1;
    this.shift = 32 - Math.log2(this.keys.length);
    for (let i = 0; i < oldK.length; i++) {
      if (oldK[i] === -1) continue;
      const h = this.slot(oldK[i]);
      this.keys[h] = oldK[i];
      this.vals[h] = oldV[i];
    }
  }
}

export class ContextTrie {
  private readonly children = new IntMap();
  private readonly postfix = new IntMap();
  present = new Uint8Array(1 << 16);
  best = new Int32Array(1 << 16);
  prediction = new Uint8Array(1 << 16);
  nodes = 1; // node 0 is the root (the empty context)

  private newNode(): number {
    const id = this.nodes++;
    if (id >= this.present.length) {
      const grow = <T extends Uint8Array | Int32Array>(a: T): T => {
        const b = new (a.constructor as { new (n: number): T })(a.length * 2);
        b.set(a);
        return b;
      };
      this.present = grow(this.present);
      this.best = grow(this.best);
      this.prediction = grow(this.prediction);
    }
    return id;
  }

  /** Child of `node` along `sym`, or −1. */
  child(node: number, sym: number): number {
    return this.children.get(node * 256 + sym);
  }

  /** The node of context S[end−len..end−1] (walked from S[end−1] backwards), created as needed. */
  path(S: Uint8Array, end: number, len: number): number {
    let node = 0;
    for (let d = 1; d <= len; d++) {
      const key = node * 256 + S[end - d];
      const h = this.children.slot(key);
      if (this.children.keys[h] === key) node = this.children.vals[h];
      else {
        const id = this.newNode();
        this.children.insertAt(h, key, id);
        node = id;
      }
    }
    return node;
  }

  /**
   * Counts postfix y after context `node`; creates the (context, y) entry only when `makeNew`.
   * Returns whether a new entry was created.
   */
  increment(node: number, y: number, makeNew: boolean): boolean {
    const key = node * 256 + y;
    const h = this.postfix.slot(key);
    let count: number;
    let created = false;
    if (this.postfix.keys[h] === key) count = ++this.postfix.vals[h];
    else if (makeNew) {
      this.postfix.insertAt(h, key, 1);
      count = 1;
      created = true;
    } else return false;
    if (count > this.best[node] || (count === this.best[node] && y > this.prediction[node])) {
      this.prediction[node] = y;
      this.best[node] = count;
    }
    return created;
  }
}
