// Selecting the best rows of a score array without sorting it or allocating per row: a bounded
// min-heap over one pass, so a query over 100,000 states costs a linear scan and k log k, whatever
// the ties (many consecutive states share a problem text and so a BM25 score).

/** Rows that may be returned (1) or not (0); absent: every row. */
export type RowMask = Uint8Array | undefined;

/** Reusable heap storage for topRows (one per searcher: queries run one at a time). */
export class TopK {
  private rows: Int32Array;
  private scores: Float32Array;

  constructor(capacity: number) {
    this.rows = new Int32Array(capacity);
    this.scores = new Float32Array(capacity);
  }

  /**
   * The `k` best rows of `scores[0..n)` allowed by `mask` (and above 0 when `positiveOnly`), best
   * first; equal scores: lower row first. Rows are scanned in increasing order, so a later row equal
   * to the heap's worst is worse than it and is skipped: the result is exactly a stable sort's prefix.
   */
  select(scores: Float32Array, n: number, k: number, mask: RowMask, positiveOnly: boolean): Int32Array {
    if (k > this.rows.length) {
      this.rows = new Int32Array(k);
      this.scores = new Float32Array(k);
    }
    const rows = this.rows;
    const heap = this.scores;
    let size = 0;
    for (let row = 0; row < n; row++) {
      const s = scores[row];
      if (positiveOnly && !(s > 0)) continue;
      if (size === k && !(s > heap[0])) continue;
      if (mask && !mask[row]) continue;
      if (size < k) {
        siftUp(heap, rows, size++, s, row);
      } else {
        siftDown(heap, rows, size, s, row);
      }
    }
    const order = Array.from({ length: size }, (_, i) => i);
    order.sort((a, b) => heap[b] - heap[a] || rows[a] - rows[b]);
    return Int32Array.from(order, (i) => rows[i]);
  }
}

/** Heap order: the root is the worst entry (lowest score; among equal scores the highest row). */
function worse(heap: Float32Array, rows: Int32Array, i: number, s: number, row: number): boolean {
  return heap[i] < s || (heap[i] === s && rows[i] > row);
}

function siftUp(heap: Float32Array, rows: Int32Array, at: number, s: number, row: number): void {
  let i = at;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    // Stop when the parent is already worse than the new entry.
    if (worse(heap, rows, parent, s, row)) break;
    heap[i] = heap[parent];
    rows[i] = rows[parent];
    i = parent;
  }
  heap[i] = s;
  rows[i] = row;
}

/** Replaces the root (the worst entry) by a better one and restores the heap. */
function siftDown(heap: Float32Array, rows: Int32Array, size: number, s: number, row: number): void {
  let i = 0;
  for (;;) {
    const left = 2 * i + 1;
    if (left >= size) break;
    const right = left + 1;
    const child = right < size && worse(heap, rows, right, heap[left], rows[left]) ? right : left;
    // Stop when the new entry is worse than (or as bad as) the worse child.
    if (!worse(heap, rows, child, s, row)) break;
    heap[i] = heap[child];
    rows[i] = rows[child];
    i = child;
  }
  heap[i] = s;
  rows[i] = row;
}
