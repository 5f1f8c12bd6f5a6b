import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Deadlines } from './deadlines.js';

test('a deadline expires after its duration unless cancelled first', async () => {
  const deadlines = new Deadlines();
  const fired: string[] = [];
  const started = performance.now();
  let firedAt = 0;
  deadlines.add(40, () => {
    fired.push('a');
    firedAt = performance.now();
  });
  const b = deadlines.add(40, () => fired.push('b'));
  deadlines.add(40, () => fired.push('c'));
  b.cancel();
  assert.equal(deadlines.pending, 2);
  await sleep(80);
  assert.deepStrictEqual(fired, ['a', 'c']);
  assert.ok(firedAt - started >= 39, `fired after ${firedAt - started} ms`);
  assert.equal(deadlines.pending, 0);
});

test('a cancelled first call does not hold back the calls behind it, nor fire early', async () => {
  const deadlines = new Deadlines();
  const fired: number[] = [];
  const first = deadlines.add(30, () => fired.push(1));
  await sleep(15);
  deadlines.add(30, () => fired.push(2));
  first.cancel();
  await sleep(20); // 35 ms: the first would have fired, the second not yet
  assert.deepStrictEqual(fired, []);
  await sleep(30);
  assert.deepStrictEqual(fired, [2]);
});

test('durations are independent, and an expiry may add deadlines of its own', async () => {
  const deadlines = new Deadlines();
  const fired: string[] = [];
  deadlines.add(60, () => fired.push('long'));
  deadlines.add(10, () => {
    fired.push('short');
    deadlines.add(10, () => fired.push('again'));
  });
  await sleep(40);
  assert.deepStrictEqual(fired, ['short', 'again']);
  await sleep(40);
  assert.deepStrictEqual(fired, ['short', 'again', 'long']);
});

test('many finished calls behind a running one are compacted', async () => {
  const deadlines = new Deadlines();
  const slow = deadlines.add(10_000, () => assert.fail('cancelled'));
  for (let i = 0; i < 5000; i++) deadlines.add(10_000, () => assert.fail('cancelled')).cancel();
  assert.equal(deadlines.pending, 1);
  assert.ok(deadlines.held <= 1 + 2 + 1024, `${deadlines.held} entries held behind one running call`);
  // Steady load: calls start and finish in order, many in flight; the queue stays at about what runs.
  const window: Array<{ cancel(): void }> = [];
  for (let i = 0; i < 20_000; i++) {
    window.push(deadlines.add(10_000, () => assert.fail('cancelled')));
    if (window.length > 50) window.shift()?.cancel();
  }
  assert.ok(deadlines.held <= 51 + 2 * 51 + 1024 + 5000, `${deadlines.held} entries held`);
  for (const d of window) d.cancel();
  deadlines.close();
  slow.cancel();
  assert.equal(deadlines.pending, 0);
});

test("a finished call is not held by the queue: what its expiry refers to is garbage at once, even queued behind a running call", async () => {
  // What an expiry refers to is the whole call (a proxied request, a Lambda invocation): held until the queue
  // dropped the entry, every one outlived the young generation under load and was promoted.
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const deadlines = new Deadlines();
  const running = deadlines.add(10_000, () => assert.fail('cancelled'));
  let call: { readonly body: number[] } | undefined = { body: new Array<number>(10_000).fill(1) };
  const collected = new WeakRef(call);
  const finished = deadlines.add(
    10_000,
    ((c) => () => assert.fail(`cancelled ${c.body.length}`))(call),
  );
  call = undefined;
  finished.cancel();
  assert.equal(deadlines.held, 2, 'the finished entry is still queued, behind the running one');
  await sleep(0); // a WeakRef keeps its target to the end of the job that made it
  gc();
  assert.equal(collected.deref(), undefined, 'the finished call was collected');
  running.cancel();
  deadlines.close();
});

test('after close, pending deadlines still expire while the process lives, but none keeps it alive, re-armed timers included', () => {
  // A child: a deadline at 50 ms (it fires while a timer keeps the child alive) and one at 5 s added after close.
  const script = `
    import { Deadlines } from ${JSON.stringify(new URL('./deadlines.js', import.meta.url).href)};
    const deadlines = new Deadlines();
    deadlines.add(5000, () => {}).cancel();
    deadlines.add(50, () => process.stdout.write('first fired\\n'));
    deadlines.close();
    // Added after close to a queue whose timer exists (the 5 s one): it must not hold the process either.
    deadlines.add(5000, () => process.stdout.write('second fired\\n'));
    setTimeout(() => {}, 200);
  `;
  const started = performance.now();
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 10_000 });
  const ms = performance.now() - started;
  assert.equal(child.stdout, 'first fired\n');
  assert.ok(ms < 3000, `the process ended after ${Math.round(ms)} ms, held by the 5 s deadline`);
});
