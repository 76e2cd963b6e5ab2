/**
 * Requests waiting for their due time, earliest first; equal due times leave in the order
 * they came (input order). A binary heap: constant and linear pacing submit in due order
 * already, but `--pace original` follows the log's clock, which need not be sorted.
 */
export interface Due {
  /** When it is due, on the dispatcher's clock (ms). */
  readonly dueAt: number;
  /** Submission order, the tie-breaker. */
  readonly order: number;
}

export class DueQueue<T extends Due> {
  readonly #heap: T[] = [];

  get size(): number {
    return this.#heap.length;
  }

  peek(): T | undefined {
    return this.#heap[0];
  }

  push(item: T): void {
    const heap = this.#heap;
    heap.push(item);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(item, heap[parent]!)) break;
      heap[i] = heap[parent]!;
      i = parent;
    }
    heap[i] = item;
  }

  pop(): T | undefined {
    const heap = this.#heap;
    const top = heap[0];
    const last = heap.pop();
    if (heap.length === 0 || last === undefined) return top;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= heap.length) break;
      const right = left + 1;
      const child = right < heap.length && before(heap[right]!, heap[left]!) ? right : left;
      if (!before(heap[child]!, last)) break;
      heap[i] = heap[child]!;
      i = child;
    }
    heap[i] = last;
    return top;
  }

  /** Everything still waiting, emptied, in no particular order. */
  drain(): T[] {
    return this.#heap.splice(0);
  }
}

function before(a: Due, b: Due): boolean {
  return a.dueAt < b.dueAt || (a.dueAt === b.dueAt && a.order < b.order);
}
