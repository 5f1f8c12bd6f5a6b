/**
 * Keeps the shape of Node's `process.nextTick` queue entries alive for the life of the `gatehouse serve` process.
 *
 * `process.nextTick` builds each entry as an object literal with computed keys, and V8 keeps the hidden classes
 * (maps) such an object passes through only while something holds them. A server's entries live for microseconds:
 * a full collection at a moment when none is queued frees the maps, the next entry builds new ones, and after a few
 * such collections the literal's inline caches in `nextTick` are megamorphic for good, every entry then defining its
 * properties through V8's runtime. What that cost and how it was found: README "Performance", "Runs of 2026-12-07,
 * second session". Holding one real entry keeps its maps, and the caches stay monomorphic (`tick-object-shape.test.ts`,
 * with a control, passes on Node 20 and 24).
 *
 * The entry is captured by an async hook enabled around the one `nextTick` call made here. Node switches V8's
 * promise hook off at the next microtask, so promises made synchronously until then also get their async ids set,
 * as under any hook; the hook's own callback looks at nothing else. Handlers under `--function-isolation worker` run
 * in threads of their own, which this does not cover.
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
