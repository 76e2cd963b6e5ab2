import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DueQueue, type Due } from '../src/replay/delivery/due-queue.js';
import { Prng } from '../src/prng.js';

interface Item extends Due {
  readonly name: string;
}

const item = (name: string, dueAt: number, order: number): Item => ({ name, dueAt, order });

function popAll(queue: DueQueue<Item>): string[] {
  const out: string[] = [];
  for (let next = queue.pop(); next !== undefined; next = queue.pop()) out.push(next.name);
  return out;
}

test('requests leave earliest due first, whatever order they were pushed in (--pace original logs need not be sorted)', () => {
  const queue = new DueQueue<Item>();
  queue.push(item('c', 30, 0));
  queue.push(item('a', 10, 1));
  queue.push(item('d', 40, 2));
  queue.push(item('b', 20, 3));
  assert.equal(queue.size, 4);
  assert.equal(queue.peek()?.name, 'a', 'peek shows the next due without taking it');
  assert.equal(queue.size, 4);
  assert.deepEqual(popAll(queue), ['a', 'b', 'c', 'd']);
  assert.equal(queue.size, 0);
});

test('requests due at the same time leave in input order', () => {
  const queue = new DueQueue<Item>();
  for (let order = 0; order < 20; order++) queue.push(item(`r${order}`, 5, order));
  assert.deepEqual(popAll(queue), Array.from({ length: 20 }, (_, i) => `r${i}`));
});

test('an empty queue has nothing to peek or pop', () => {
  const queue = new DueQueue<Item>();
  assert.equal(queue.peek(), undefined);
  assert.equal(queue.pop(), undefined);
  queue.push(item('only', 1, 0));
  assert.equal(queue.pop()?.name, 'only');
  assert.equal(queue.pop(), undefined);
  assert.equal(queue.size, 0);
});

test('a thousand shuffled requests, pushed and popped interleaved, still leave by (due time, input order)', () => {
  // A seeded sequence: the same shuffle on every run.
  const prng = new Prng(12345);
  const next = () => prng.int(0, 49);
  const queue = new DueQueue<Item>();
  const all: Item[] = [];
  const popped: Item[] = [];
  for (let order = 0; order < 1000; order++) {
    const it = item(`r${order}`, next(), order);
    all.push(it);
    queue.push(it);
    if (order % 3 === 2) popped.push(queue.pop()!);
  }
  // What is popped mid-way is the minimum at that moment; checking the rest fully sorted is the contract.
  const rest: Item[] = [];
  for (let it = queue.pop(); it !== undefined; it = queue.pop()) rest.push(it);
  const sorted = [...rest].sort((a, b) => a.dueAt - b.dueAt || a.order - b.order);
  assert.deepEqual(rest.map((i) => i.name), sorted.map((i) => i.name));
  assert.equal(popped.length + rest.length, all.length, 'nothing lost, nothing twice');
  assert.equal(new Set([...popped, ...rest]).size, all.length);
});

test('drain empties the queue and hands back everything still waiting (the run stopped: those are unsent)', () => {
  const queue = new DueQueue<Item>();
  for (let order = 0; order < 5; order++) queue.push(item(`r${order}`, 100 - order, order));
  queue.pop();
  const left = queue.drain();
  assert.deepEqual(left.map((i) => i.name).sort(), ['r0', 'r1', 'r2', 'r3']);
  assert.equal(queue.size, 0);
  assert.equal(queue.pop(), undefined);
});
