import assert from 'node:assert/strict';
import { AsyncLocalStorage, AsyncResource } from 'node:async_hooks';
import { EventEmitter, once } from 'node:events';
import { readFile } from 'node:fs';
import { createServer, connect, type AddressInfo, type Socket } from 'node:net';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { spawnSync } from 'node:child_process';
import { asyncScope, hookScope, hookScopesRunning, outsideScopes, storageUsesAsyncHooks, type AsyncScope } from './async-scope.js';
import { eventually } from './data-plane/functions/eventually.test-support.js';
import { functionScope } from './data-plane/functions/function-scope.js';

/** What the scope carries in these tests. */
interface FunctionScope {
  readonly functionName: string;
}

const scopeOf = (functionName: string): FunctionScope => ({ functionName });

// A full collection on demand: whether the hook stops depends on what the garbage collector finds.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Collects until the hook scopes' hook has stopped (their epochs last 1 s), failing after 5 s. */
const hookStops = () =>
  eventually('the hook scopes to stop', () => {
    gc();
    return !hookScopesRunning();
  });

describe('asyncScope', () => {
  it("is Gatehouse's own hook where AsyncLocalStorage runs async hooks (Node 20), AsyncLocalStorage elsewhere", () => {
    assert.equal(asyncScope('x') instanceof AsyncLocalStorage, !storageUsesAsyncHooks);
    assert.equal(functionScope instanceof AsyncLocalStorage, !storageUsesAsyncHooks, 'the function scope is one');
    if (process.versions.node.startsWith('20.')) assert.equal(storageUsesAsyncHooks, true);
  });

  it('leaves resources created outside any run untouched: the slot goes only where there is a value', async () => {
    const scope = hookScope<FunctionScope>('gatehouse.test.untouched');
    const slots = (o: object) => Object.getOwnPropertySymbols(o).filter((s) => s.description === 'gatehouse.test.untouched');
    let inside: NodeJS.Timeout | undefined;
    scope.run(scopeOf('a'), () => (inside = setTimeout(() => undefined, 1)));
    const outside = setTimeout(() => undefined, 1);
    assert.equal(slots(inside!).length, 1, 'a timer made in a run carries the value');
    assert.equal(slots(outside).length, 0, 'a timer made outside gets no slot at all');
    await sleep(5);
  });
});

// The same cases for both implementations: the hook of Gatehouse's own must behave as AsyncLocalStorage does.
for (const [name, storage] of [
  ['hookScope', hookScope<FunctionScope>('gatehouse.test')],
  ['AsyncLocalStorage', new AsyncLocalStorage<FunctionScope>()],
] as [string, AsyncScope<FunctionScope>][]) {
  const current = () => storage.getStore()?.functionName;

  /** What `current()` says in a callback of the kind `schedule` starts, started inside `run(a)`. */
  function seenFrom(schedule: (report: () => void) => void): Promise<string | undefined> {
    return new Promise((resolve) => storage.run(scopeOf('a'), () => schedule(() => resolve(current()))));
  }

  describe(`scope: ${name}`, () => {
    it('is undefined outside run, the scope inside it, and the outer scope again after a nested run or a throw', () => {
      assert.equal(current(), undefined);
      storage.run(scopeOf('outer'), () => {
        assert.equal(current(), 'outer');
        storage.run(scopeOf('inner'), () => assert.equal(current(), 'inner'));
        assert.equal(current(), 'outer');
        assert.throws(() => storage.run(scopeOf('thrower'), () => {
          throw new Error('boom');
        }));
        assert.equal(current(), 'outer');
      });
      assert.equal(current(), undefined);
      assert.equal(storage.run(scopeOf('x'), () => 42), 42, 'run returns what the callback returns');
    });

    it('reaches every kind of callback the function code starts', async () => {
      assert.equal(await seenFrom((report) => setTimeout(report, 1)), 'a', 'setTimeout');
      assert.equal(await seenFrom((report) => setImmediate(report)), 'a', 'setImmediate');
      assert.equal(await seenFrom((report) => process.nextTick(report)), 'a', 'process.nextTick');
      assert.equal(await seenFrom((report) => queueMicrotask(report)), 'a', 'queueMicrotask');
      assert.equal(await seenFrom((report) => void Promise.resolve().then(report)), 'a', 'a promise reaction');
      assert.equal(
        await seenFrom((report) => void (async () => {
          await sleep(1);
          await null;
          report();
        })()),
        'a',
        'after awaits',
      );
      assert.equal(await seenFrom((report) => readFile(import.meta.filename ?? new URL(import.meta.url).pathname, () => report())), 'a', 'an fs callback');
      // An AsyncResource made in function code and run from elsewhere (what pools and emitters do).
      let resource: AsyncResource | undefined;
      storage.run(scopeOf('a'), () => (resource = new AsyncResource('test')));
      assert.equal(resource!.runInAsyncScope(current), 'a', 'an AsyncResource');
      // Nested: a timer set from a tick set from a promise reaction.
      assert.equal(await seenFrom((report) => void Promise.resolve().then(() => process.nextTick(() => setTimeout(report, 1)))), 'a', 'nested');
    });

    it('reaches a socket the function code opened, whenever its data arrives', async () => {
      const server = createServer((socket) => socket.end('hello'));
      server.listen(0, '127.0.0.1');
      await once(server, 'listening');
      try {
        const seen = await new Promise<string | undefined>((resolve, reject) => {
          storage.run(scopeOf('client'), () => {
            const socket: Socket = connect((server.address() as AddressInfo).port, '127.0.0.1');
            socket.on('error', reject);
            socket.once('data', () => resolve(current()));
          });
        });
        assert.equal(seen, 'client');
      } finally {
        server.close();
      }
    });

    it('keeps concurrent scopes apart, and leaves code outside function code without one', async () => {
      const trace: string[] = [];
      const task = (name: string, waits: number[]) =>
        storage.run(scopeOf(name), async () => {
          for (const ms of waits) {
            await sleep(ms);
            trace.push(`${name}:${current()}`);
          }
        });
      await Promise.all([task('a', [5, 1, 5]), task('b', [1, 5, 1])]);
      assert.deepEqual(trace.filter((t) => t.startsWith('a:')), ['a:a', 'a:a', 'a:a']);
      assert.deepEqual(trace.filter((t) => t.startsWith('b:')), ['b:b', 'b:b', 'b:b']);

      // An emitter created outside, its listener called from function code: the caller's scope, as with AsyncLocalStorage.
      const emitter = new EventEmitter();
      let heard: string | undefined = 'unset';
      emitter.on('x', () => (heard = current()));
      storage.run(scopeOf('emitting'), () => emitter.emit('x'));
      assert.equal(heard, 'emitting');

      // A timer created outside function code, after a run, has no scope.
      assert.equal(await new Promise((resolve) => setTimeout(() => resolve(current()), 1)), undefined);
      // A promise made outside and settled from function code: its reaction runs in the scope of the code that
      // called then(), not of the code that resolved it.
      let settle!: () => void;
      const outside = new Promise<void>((resolve) => (settle = resolve));
      const reaction = outside.then(current);
      storage.run(scopeOf('settler'), () => settle());
      assert.equal(await reaction, undefined);
    });

    it('exit runs code with no value, and what it starts has none; the value is back after it', async () => {
      const seen = await new Promise<(string | undefined)[]>((resolve) =>
        storage.run(scopeOf('a'), () => {
          const inside = storage.exit(() => {
            const now = current();
            return new Promise<(string | undefined)[]>((done) => setTimeout(() => done([now, current()]), 1));
          });
          const after = current();
          void inside.then((both) => resolve([...both, after]));
        }),
      );
      assert.deepEqual(seen, [undefined, undefined, 'a']);
      assert.equal(storage.exit(() => 42), 42, 'exit returns what the callback returns');
    });

    it('gives each resource made in one callback the value of the moment it was made, around runs and exits', async () => {
      // One callback, so one execution context for every tick below: a run or an exit changes the value of the
      // resource running now, and each tick takes the value of the moment it was made.
      const seen = await new Promise<[string, string | undefined][]>((resolve) =>
        setImmediate(() => {
          const report = (label: string) => new Promise<[string, string | undefined]>((done) => process.nextTick(() => done([label, current()])));
          const made = [
            report('before'),
            report('before, again'),
            storage.run(scopeOf('a'), () => report('in a')),
            report('after a'),
            storage.run(scopeOf('b'), () => [report('in b'), storage.exit(() => report('exit in b')), report('in b, after the exit')]),
            report('after b'),
          ].flat();
          void Promise.all(made).then(resolve);
        }),
      );
      assert.deepEqual(seen, [
        ['before', undefined],
        ['before, again', undefined],
        ['in a', 'a'],
        ['after a', undefined],
        ['in b', 'b'],
        ['exit in b', undefined],
        ['in b, after the exit', 'b'],
        ['after b', undefined],
      ]);
    });

    it('gives a timer refreshed after it fired the scope of the code that refreshed it', async () => {
      const seen: (string | undefined)[] = [];
      let timer!: NodeJS.Timeout;
      storage.run(scopeOf('a'), () => (timer = setTimeout(() => seen.push(current()), 1)));
      await sleep(10);
      timer.refresh(); // outside any run: Node initializes the fired Timeout again
      await sleep(10);
      storage.run(scopeOf('b'), () => timer.refresh());
      await sleep(10);
      assert.deepEqual(seen, ['a', undefined, 'b']);
    });
  });
}

describe('outsideScopes', () => {
  it('runs code outside every scope asyncScope made, and what it starts too; each value is back after it', async () => {
    const first = asyncScope<string>('gatehouse.test.first');
    const second = asyncScope<string>('gatehouse.test.second');
    const both = () => [first.getStore(), second.getStore()];
    const seen = await new Promise<(string | undefined)[][]>((resolve) =>
      first.run('one', () =>
        second.run('two', () => {
          const inside = outsideScopes(() => {
            const now = both();
            return new Promise<(string | undefined)[][]>((done) => setTimeout(() => done([now, both()]), 1));
          });
          const after = both();
          void inside.then((pair) => resolve([...pair, after]));
        }),
      ),
    );
    assert.deepEqual(seen, [[undefined, undefined], [undefined, undefined], ['one', 'two']]);
  });
});

describe('hookScope: its hook runs only while a value can still reach code', () => {
  const scope = hookScope<FunctionScope>('gatehouse.test.epochs');
  const current = () => scope.getStore()?.functionName;

  it('stops once what a run made is garbage, and starts again at the next run, which carries its value as before', async () => {
    scope.run(scopeOf('a'), () => setTimeout(() => undefined, 1));
    assert.equal(hookScopesRunning(), true, 'a run starts it');
    await hookStops();
    const seen = await new Promise<string | undefined>((resolve) =>
      scope.run(scopeOf('b'), () => setTimeout(() => void Promise.resolve().then(() => process.nextTick(() => resolve(current()))), 1)),
    );
    assert.equal(hookScopesRunning(), true, 'the next run starts it again');
    assert.equal(seen, 'b', 'a timer, a promise reaction and a tick of the new run');
    await hookStops();
  });

  it('keeps running while a resource a run made lives: what that resource starts much later still has the value', async () => {
    let ticks = 0;
    const seen: (string | undefined)[] = [];
    let interval: NodeJS.Timeout | undefined;
    scope.run(scopeOf('interval'), () => {
      interval = setInterval(() => {
        ticks++;
        void Promise.resolve().then(() => seen.push(current()));
      }, 300);
    });
    // Past the run's epoch (1 s), with collections: the interval keeps its value and the hook alive.
    for (let i = 0; i < 5; i++) {
      gc();
      await sleep(300);
    }
    assert.equal(hookScopesRunning(), true);
    assert.ok(ticks >= 3, `the interval ran (${ticks})`);
    assert.deepEqual(new Set(seen), new Set(['interval']), 'every reaction its callbacks started saw the value');
    clearInterval(interval);
    // Held, even cleared, the timer keeps its value and the hook (what a destroy hook could tell costs every promise).
    interval = undefined;
    await hookStops();
  });

  it('a settled promise a run made does not keep it running, though it is still referenced', async () => {
    const settled = scope.run(scopeOf('p'), () => Promise.resolve(1));
    assert.equal(await settled, 1);
    await hookStops();
    assert.equal(await settled, 1, 'the promise is still there');
  });
});

describe('hookScope: an unhandled rejection of function code', () => {
  // In a process of its own: the rejection must stay unhandled, and the collections are forced.
  it("keeps its value for Node's unhandledRejection listeners, and what a listener starts keeps it and the hook", () => {
    const script = `
      import { hookScope, hookScopesRunning } from ${JSON.stringify(new URL('./async-scope.js', import.meta.url).href)};
      const scope = hookScope('gatehouse.test.rejection');
      const seen = [];
      process.on('unhandledRejection', () => {
        seen.push(scope.getStore());
        setTimeout(async () => {
          seen.push(scope.getStore(), hookScopesRunning());
          await null;
          seen.push(scope.getStore());
          console.log(JSON.stringify(seen));
        }, 1500);
      });
      scope.run('fn-a', () => void Promise.reject(new Error('nobody awaits this')));
      const collect = setInterval(() => gc(), 100);
      setTimeout(() => clearInterval(collect), 1400);
    `;
    const r = spawnSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 10_000 });
    assert.equal(r.status, 0, r.stderr);
    // The listener runs as the rejected (settled) promise; its timer, made past the run's 1 s epoch, joined a new one.
    assert.deepEqual(JSON.parse(r.stdout.trim()), ['fn-a', 'fn-a', true, 'fn-a']);
  });
});

describe('hookScope: the collection asked for once runs stop', () => {
  // In a process of its own, without --expose-gc and with no collection from the test: what stops the hook is the
  // collection the module asks for. Node reports it as a forced one (`gc` performance entries).
  it('stops the hook about two epochs after the last run, with one forced collection, and none while runs come', () => {
    const script = `
      import { PerformanceObserver, constants } from 'node:perf_hooks';
      import { hookScope, hookScopesRunning } from ${JSON.stringify(new URL('./async-scope.js', import.meta.url).href)};
      let forced = 0;
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) if (e.detail.flags & constants.NODE_PERFORMANCE_GC_FLAGS_FORCED) forced++;
      }).observe({ entryTypes: ['gc'] });
      const scope = hookScope('gatehouse.test.idle');
      const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
      // A run every 200 ms for 3 s: three epochs end, each with a run soon after.
      for (let i = 0; i < 15; i++) {
        scope.run('fn', () => setTimeout(() => undefined, 1));
        await sleep(200);
      }
      const during = { on: hookScopesRunning(), forced };
      const quiet = Date.now();
      while (hookScopesRunning() && Date.now() - quiet < 5000) await sleep(20);
      const stoppedAfterMs = Date.now() - quiet;
      const afterStop = forced;
      // Quiet again within the interval: the next collection waits (10 s after the first), so the hook stays on.
      scope.run('fn', () => setTimeout(() => undefined, 1));
      await sleep(3000);
      console.log(JSON.stringify({ during, stoppedAfterMs, afterStop, second: { on: hookScopesRunning(), forced } }));
    `;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 15_000 });
    assert.equal(r.status, 0, r.stderr);
    const seen = JSON.parse(r.stdout.trim()) as { during: { on: boolean; forced: number }; stoppedAfterMs: number; afterStop: number; second: { on: boolean; forced: number } };
    assert.deepEqual(seen.during, { on: true, forced: 0 }, 'runs keep coming: no collection is asked for');
    // The current epoch ends within 1 s of the last run, the collection comes 1 s later.
    assert.ok(seen.stoppedAfterMs < 2_900, `stopped ${seen.stoppedAfterMs} ms after the last run`);
    assert.equal(seen.afterStop, 1, 'one collection');
    assert.deepEqual(seen.second, { on: true, forced: 1 }, 'none again within 10 s');
  });
});

describe('hookScope: collections while function code keeps something alive', () => {
  // In a process of its own: a function's interval that is never cleared keeps the hook on for good. Runs 2.5 s
  // apart each leave a quiet second after their epoch; the collections that find nothing must not pile up.
  it('asks for one after the first quiet second, one more after the interval, then none until another epoch ends', () => {
    const script = `
      import { PerformanceObserver, constants } from 'node:perf_hooks';
      import { hookScope, hookScopesRunning } from ${JSON.stringify(new URL('./async-scope.js', import.meta.url).href)};
      const forcedAt = [];
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) if (e.detail.flags & constants.NODE_PERFORMANCE_GC_FLAGS_FORCED) forcedAt.push(Math.round(e.startTime));
      }).observe({ entryTypes: ['gc'] });
      const scope = hookScope('gatehouse.test.held');
      const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
      const held = [];
      for (let i = 0; i < 4; i++) {
        scope.run('fn', () => held.push(setInterval(() => undefined, 60_000)));
        await sleep(2_500);
      }
      await sleep(16_000);
      console.log(JSON.stringify({ forcedAt, on: hookScopesRunning() }));
      for (const interval of held) clearInterval(interval);
    `;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 40_000 });
    assert.equal(r.status, 0, r.stderr);
    const seen = JSON.parse(r.stdout.trim()) as { forcedAt: number[]; on: boolean };
    assert.equal(seen.on, true, 'the intervals keep the hook on');
    // About 2 s (the first quiet second) and 12 s (the interval): the later quiet seconds wait for that one, and
    // after it no epoch ends, so none follows (before one timer per ended epoch made a collection every 10 s).
    assert.equal(seen.forcedAt.length, 2, `forced collections at ${seen.forcedAt.join(', ')} ms`);
    assert.ok(seen.forcedAt[1]! - seen.forcedAt[0]! >= 9_900, `10 s apart at least: ${seen.forcedAt.join(', ')} ms`);
  });
});
