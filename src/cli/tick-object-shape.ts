/**
 * Keeps the shape of Node's `process.nextTick` queue entries alive for the life of the `gatehouse serve` process.
 *
 * `process.nextTick` builds each entry as an object literal with computed keys (`{ [async_id_symbol],
 * [trigger_async_id_symbol], callback, args }`, and a fifth field on Node 24). V8 keeps the hidden classes (maps)
 * such an object passes through only while something holds them, and a server's tick entries live for
 * microseconds. A full garbage collection at a moment when none is queued frees those maps; the next entry builds
 * new ones, and after a few such collections the literal's inline caches in `nextTick` are megamorphic for good.
 * From then on every entry defines its properties through V8's runtime (`Runtime_DefineKeyedOwnPropertyInLiteral`)
 * instead of in optimized code: `nextTick` went from 0.8% to 8.2% of a Lambda route's CPU profile, and a request
 * makes 9 to 11 ticks in Node's HTTP server alone. Whether a process falls into it depends on when its first full
 * collections come: one JWT-authorized request before any load did it every time on Node 20 (the Lambda route
 * then cost 1.38 to 1.43 times as much CPU per request, `bench/ab.mjs --base . --warm-candidate jwt`).
 *
 * Holding one real entry keeps its maps, so the caches stay monomorphic. The entry is captured with an async hook
 * enabled for the one `nextTick` call made here and disabled at once: nothing else runs under it. Node 20 and 24
 * (V8 11.3 and 13.6) both show the fall and both are kept from it (`tick-object-shape.test.ts`).
 */
import { createHook } from 'node:async_hooks';

let held: object | undefined;

/** Holds one `process.nextTick` entry (and so its maps) for the life of the process; returns it. Idempotent. */
export function holdTickObjectShape(): object | undefined {
  if (held !== undefined) return held;
  const hook = createHook({
    init(_asyncId, type, _triggerAsyncId, resource) {
      if (type === 'TickObject' && held === undefined) held = resource as object;
    },
  });
  hook.enable();
  try {
    process.nextTick(noop);
  } finally {
    hook.disable();
  }
  return held;
}

function noop(): void {}
