import assert from 'node:assert/strict';
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { LambdaFunctionRef } from '../../model/lambda-arn.js';
import { eventually } from './eventually.test-support.js';
import { createLocalInvoker } from './local.js';
import { moduleLoader } from './module-loader.js';
import { asyncScope } from '../../async-scope.js';
import { functionScope } from './function-scope.js';
import { FileWatcher, ReloadWatch } from './reload.js';

const dir = mkdtempSync(join(tmpdir(), 'gatehouse-watch-'));
after(() => rmSync(dir, { recursive: true, force: true }));

// First in this file: it needs a process in which nothing has registered the module hooks yet.
describe('in-process loading with hot reload off', () => {
  it('loads a JavaScript handler that imports TypeScript in its body (./util.js naming util.ts) through the module hooks, its top level once', async () => {
    assert.equal(moduleLoader().hooked, false, 'precondition: no module hooks in this process yet');
    writeFileSync(join(dir, 'util.ts'), 'export const shout = (s: string): string => s.toUpperCase();\n');
    writeFileSync(
      join(dir, 'loud.mjs'),
      "globalThis.loudEvaluations = (globalThis.loudEvaluations ?? 0) + 1;\nexport const handler = async () => (await import('./util.js')).shout('hi');\n",
    );
    const logger = { info: () => {}, warn: () => {}, error: () => {} };
    const invoker = createLocalInvoker({ functions: { loud: './loud.mjs' }, baseDir: dir, isolation: 'inprocess', logger, reload: false });
    const ref: LambdaFunctionRef = { region: 'us-east-1', accountId: '123456789012', functionName: 'loud', functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:loud' };
    try {
      assert.equal(JSON.parse((await invoker.invoke(ref, {}, { timeoutMs: 5000, requestId: 'r' })).payload.toString()), 'HI');
      assert.equal(JSON.parse((await invoker.invoke(ref, {}, { timeoutMs: 5000, requestId: 'r' })).payload.toString()), 'HI');
      assert.equal(moduleLoader().hooked, true, 'the sources showed TypeScript: the hooks were started before the load');
      assert.equal((globalThis as { loudEvaluations?: number }).loudEvaluations, 1);
    } finally {
      await invoker.close();
    }
  });
});

describe('FileWatcher', () => {
  it('reports a write in place and a save by rename over the file (editors that write a new file), until unwatched', async () => {
    const file = join(dir, 'a.mjs');
    const other = join(dir, 'b.mjs');
    writeFileSync(file, '1');
    writeFileSync(other, '1');
    const watcher = new FileWatcher();
    let changes = 0;
    let otherChanges = 0;
    const stop = watcher.watch(file, () => changes++);
    const stopOther = watcher.watch(other, () => otherChanges++);
    writeFileSync(file, '2');
    await eventually('a change event', () => changes > 0);
    const afterWrite = changes;
    writeFileSync(join(dir, 'a.mjs.tmp'), '3');
    renameSync(join(dir, 'a.mjs.tmp'), file);
    await eventually('a rename event', () => changes > afterWrite);
    stop();
    const stopped = changes;
    writeFileSync(file, '4');
    writeFileSync(other, '2');
    // The other file's event comes through the same directory watch, after a's would have.
    await eventually('the other file', () => otherChanges > 0);
    assert.equal(changes, stopped);
    stopOther();
    watcher.close();
  });
});

describe('FileWatcher and the function scope', () => {
  it("is the gateway's: a watch made while function code runs (a module's load) reports outside the function's scope and any other", async () => {
    const outer = asyncScope<string>('gatehouse.test.handshake');
    const file = join(dir, 'scoped.mjs');
    writeFileSync(file, '1');
    const watcher = new FileWatcher();
    const seen: (string | undefined)[] = [];
    // A fresh directory: the watch on it is made now, inside the run.
    const sub = mkdtempSync(join(dir, 'scoped-'));
    const inner = join(sub, 'inner.mjs');
    writeFileSync(inner, '1');
    // A second scope of the same hook, which a load can run within: every scope's value is left behind.
    const stop = outer.run('handshake', () =>
      functionScope.run({ functionName: 'loading', env: {} }, () => watcher.watch(inner, () => seen.push(functionScope.getStore()?.functionName ?? outer.getStore()))),
    );
    writeFileSync(inner, '2');
    await eventually('a change event', () => seen.length > 0);
    assert.deepEqual(new Set(seen), new Set([undefined]));
    stop();
    watcher.close();
  });
});

describe('ReloadWatch', () => {
  it('calls onChange once per change with the file, and watches again what the next generation adds', async () => {
    const handler = join(dir, 'handler.mjs');
    const dep = join(dir, 'dep.mjs');
    writeFileSync(handler, '1');
    writeFileSync(dep, '1');
    const watcher = new FileWatcher();
    const changed: string[] = [];
    const watch = new ReloadWatch('fn', watcher, (file) => changed.push(file));
    watch.add(handler);
    watch.add(dep);
    writeFileSync(dep, '2');
    writeFileSync(handler, '2');
    await eventually('a reload', () => changed.length > 0);
    await sleep(100);
    // Both files changed, but the first change already made the function reload: one call.
    assert.deepEqual(changed, [dep]);
    watch.add(handler);
    writeFileSync(handler, '3');
    await eventually('a second reload', () => changed.length > 1);
    assert.deepEqual(changed, [dep, handler]);
    watch.close();
    watcher.close();
  });
});

describe('in-process reload of functions that share a module', () => {
  it('reloads every function importing the changed module, at one shared generation, and logs each', async () => {
    const shared = join(dir, 'shared.mjs');
    writeFileSync(shared, "export const word = 'one';\n");
    writeFileSync(join(dir, 'first.mjs'), "import { word } from './shared.mjs';\nexport const handler = async () => `first ${word}`;\n");
    writeFileSync(join(dir, 'second.mjs'), "import { word } from './shared.mjs';\nexport const handler = async () => `second ${word}`;\n");
    const logged: Record<string, unknown>[] = [];
    const logger = { info: (message: string, fields?: Record<string, unknown>) => logged.push({ message, ...fields }), warn: () => {}, error: () => {} };
    const invoker = createLocalInvoker({ functions: { first: './first.mjs', second: './second.mjs' }, baseDir: dir, isolation: 'inprocess', logger });
    const ref = (name: string): LambdaFunctionRef => ({ region: 'us-east-1', accountId: '123456789012', functionName: name, functionArn: `arn:aws:lambda:us-east-1:123456789012:function:${name}` });
    const call = async (name: string) => JSON.parse((await invoker.invoke(ref(name), {}, { timeoutMs: 5000, requestId: 'r' })).payload.toString()) as string;
    try {
      assert.deepEqual([await call('first'), await call('second')], ['first one', 'second one']);
      // The hooks report the imports asynchronously: wait until the change is seen.
      writeFileSync(shared, "export const word = 'two';\n");
      await eventually('two reloads', () => logged.length >= 2);
      assert.deepEqual([await call('first'), await call('second')], ['first two', 'second two']);
      const fields = logged.map(({ function: fn, file, isolation, generation, retainedGenerations }) => ({ fn, file, isolation, generation, retainedGenerations }));
      assert.deepEqual(fields, [
        { fn: 'first', file: shared, isolation: 'inprocess', generation: 1, retainedGenerations: 1 },
        { fn: 'second', file: shared, isolation: 'inprocess', generation: 1, retainedGenerations: 1 },
      ]);
    } finally {
      await invoker.close();
    }
  });
});

describe('worker-mode reload', () => {
  it('lets an invocation running during the change finish on the old code; the next one runs the new code', async () => {
    const file = join(dir, 'slow.mjs');
    writeFileSync(file, "export const handler = async () => { await new Promise((r) => setTimeout(r, 600)); return 'old'; };\n");
    const logged: Record<string, unknown>[] = [];
    const logger = { info: (message: string, fields?: Record<string, unknown>) => logged.push({ message, ...fields }), warn: () => {}, error: () => {} };
    const invoker = createLocalInvoker({ functions: { slow: './slow.mjs' }, baseDir: dir, isolation: 'worker', logger });
    const ref: LambdaFunctionRef = { region: 'us-east-1', accountId: '123456789012', functionName: 'slow', functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:slow' };
    const call = async () => JSON.parse((await invoker.invoke(ref, {}, { timeoutMs: 10_000, requestId: 'r' })).payload.toString()) as string;
    try {
      assert.equal(await call(), 'old');
      const running = call();
      await sleep(100);
      writeFileSync(file, "export const handler = async () => 'new';\n");
      await eventually('the reload', () => logged.length > 0);
      assert.equal(await running, 'old');
      assert.equal(await call(), 'new');
      assert.deepEqual(
        logged.map(({ function: fn, isolation, replacedWorkers }) => ({ fn, isolation, replacedWorkers })),
        [{ fn: 'slow', isolation: 'worker', replacedWorkers: 1 }],
      );
    } finally {
      await invoker.close();
    }
  });
});
