import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const MODULE = fileURLToPath(new URL('./young-generation.js', import.meta.url));
// Through serve's own entry (holdHeap), so the test also fails if serve's settings stopped reaching V8.
const HEAP_SETTINGS = fileURLToPath(new URL('./heap-settings.js', import.meta.url));
const ASYNC_SCOPE = fileURLToPath(new URL('../async-scope.js', import.meta.url));
const V8_MAJOR = Number(process.versions.v8.split('.')[0]);

/**
 * A process whose objects outlive scavenges (a ring of 50,000 live objects, rewritten in steps of 2,000 between
 * event-loop turns, as a server's requests are): V8 doubles its semi-spaces to their 16 MB ceiling within a second.
 * Prints the largest young generation seen, in MB.
 */
const WORKLOAD = `
const mod = await import(${JSON.stringify(MODULE)});
const semiSpaceMb = Number(process.argv[1]);
(await import(${JSON.stringify(HEAP_SETTINGS)})).holdHeap({ semiSpaceMb, heapGrowingPercent: 0, functionIsolation: 'inprocess' }, process.execArgv, process.env.NODE_OPTIONS);
const ring = new Array(50_000);
let i = 0, max = 0;
const end = Date.now() + 1500;
(function step() {
  for (let k = 0; k < 2_000; k++) ring[i++ % ring.length] = { a: i, b: [i, i + 1], c: 'x' + i };
  max = Math.max(max, mod.youngGenerationBytes());
  if (Date.now() < end) setImmediate(step);
  else console.log(max / 1048576);
})();
`;

async function largestYoungGeneration(semiSpaceMb: number, nodeArgs: string[] = []): Promise<number> {
  const { stdout } = await run(process.execPath, [...nodeArgs, '--input-type=module', '-e', WORKLOAD, String(semiSpaceMb)], { timeout: 20_000 });
  return Number(stdout.trim());
}

describe('young generation ceiling', { timeout: 30_000 }, () => {
  it('V8 alone grows the young generation past 4 MB under this load; held at 2 MB semi-spaces it stays at 4 MB (Node 20 and 22)', async () => {
    // The control shows the workload does make V8 grow it, so the held run's size is the ceiling at work.
    const own = await largestYoungGeneration(0);
    assert.ok(own > 4);
    const held = await largestYoungGeneration(2);
    if (V8_MAJOR <= 12) {
      // Node 20's and 22's V8s (11.3, 12.4) grow the young generation by the growth factor alone: held, it
      // stays at 4 MB, and node's own ceiling of 2 MB semi-spaces gives the same (the units agree).
      assert.ok(held <= 4);
      assert.equal(held, await largestYoungGeneration(0, ['--max-semi-space-size=2']));
    } else {
      // Node 24's V8 (13.6) also adds 256 KB pages past it: held at 2 MB, 13 to 14 MB after this load
      // against 128 MB unheld and 6 MB with node's own ceiling. A best effort there (README, --semi-space-size).
      assert.ok(held <= 20 && held < own / 4, `held ${held} MB, unheld ${own} MB`);
    }
  });

  it('once held, no longer looks after each scavenge: scavenges then cost it nothing', async () => {
    // The young generation's size is given (size): 5 MB is past the 4 MB of two 2 MB semi-spaces. Looked at once a
    // minute once held, so every later look would be a scavenge's.
    const script = `
      const { PerformanceObserver } = await import('node:perf_hooks');
      const mod = await import(${JSON.stringify(MODULE)});
      let looks = 0;
      const hold = mod.holdYoungGeneration(2, { size: () => (looks++, 5 << 20), recheckMs: 60_000 });
      let scavenges = 0;
      new PerformanceObserver((list) => { scavenges += list.getEntries().length; }).observe({ entryTypes: ['gc'] });
      const before = looks;
      let sink;
      // About 160 MB of small objects: 8 to 14 scavenges, as V8 grows the young generation by its own measure (the
      // size above is the test's). Four are enough to show that none of them was looked at; the check asked for more
      // than 10 until a busy host gave 8.
      for (let turn = 0; turn < 200; turn++) {
        for (let k = 0; k < 20000; k++) sink = { k, a: [k] };
        await new Promise((r) => setImmediate(r));
      }
      console.log(JSON.stringify({ held: !hold.observing, before, looksSince: looks - before, manyScavenges: scavenges >= 4 }));
      process.exit(0);
    `;
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { timeout: 20_000 });
    // One look at start (it holds at once), none for the scavenges after.
    assert.deepEqual(JSON.parse(stdout), { held: true, before: 1, looksSince: 0, manyScavenges: true });
  });

  it('a held young generation is looked at once per period: when V8 shrank it, growth and the scavenge observer come back', async () => {
    // Looks counted after the shrink was seen: the period's timer is gone then, so each is a scavenge's.
    const script = `
      const mod = await import(${JSON.stringify(MODULE)});
      let size = 5 << 20;
      let looks = 0;
      const hold = mod.holdYoungGeneration(2, { size: () => (looks++, size), recheckMs: 20 });
      const seen = [hold.observing];
      size = 1 << 20;
      await new Promise((r) => setTimeout(r, 200));
      seen.push(hold.observing);
      const before = looks;
      let sink;
      for (let turn = 0; turn < 200; turn++) {
        for (let k = 0; k < 20000; k++) sink = { k, a: [k] };
        await new Promise((r) => setImmediate(r));
      }
      console.log(JSON.stringify({ seen, scavengesLooked: looks > before }));
      process.exit(0);
    `;
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { timeout: 20_000 });
    assert.deepEqual(JSON.parse(stdout), { seen: [false, true], scavengesLooked: true });
  });

  it("its timer is made outside every scope: a hold that starts inside a function's run leaves no hook running", async () => {
    // Observers are told from wherever a collection came, maybe function code; a timer carrying a value would keep
    // the function scope's hook on for good (src/async-scope.ts). Here the hold starts inside a run.
    const script = `
      const mod = await import(${JSON.stringify(MODULE)});
      const scopes = await import(${JSON.stringify(ASYNC_SCOPE)});
      const scope = scopes.asyncScope('test');
      scope.run(1, () => mod.holdYoungGeneration(2, { size: () => 5 << 20, recheckMs: 20 }));
      const until = Date.now() + 8000;
      while (scopes.hookScopesRunning() && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
      console.log(JSON.stringify({ running: scopes.hookScopesRunning() }));
      process.exit(0);
    `;
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { timeout: 20_000 });
    assert.deepEqual(JSON.parse(stdout), { running: false });
  });
});
