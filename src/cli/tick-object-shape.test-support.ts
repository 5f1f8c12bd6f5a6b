/**
 * Script text for the tick-object-shape tests, run in a process of its own with `--allow-natives-syntax --expose-gc`:
 * ten rounds of a few ticks, an empty queue and a full collection (what a server's quiet moments do), then V8's view
 * of `process.nextTick` (`%DebugPrint`: its feedback vector) on stdout.
 */
export const QUIET_COLLECTIONS = `
  const noop = () => {};
  for (let round = 0; round < 10; round++) {
    for (let i = 0; i < 20; i++) process.nextTick(noop, i);
    await new Promise((resolve) => setTimeout(resolve, 1));
    globalThis.gc();
  }
  new Function('f', '%DebugPrint(f)')(process.nextTick);
`;

/** The states V8 printed for the inline caches that define the tick entry's properties (one per property). */
export function literalCacheStates(debugPrint: string): string[] {
  return [...debugPrint.matchAll(/DefineKeyedOwnPropertyInLiteral (\w+)/g)].map((m) => m[1] as string);
}
