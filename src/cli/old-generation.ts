/**
 * How far V8 lets the old generation of the `gatehouse serve` process grow past its live size before the
 * next full (mark-compact) collection.
 *
 * After each full collection V8 sets the next one's trigger at the live size times a factor it derives from
 * how fast it collects against how fast the program allocates; for a gateway's small heap, which it collects
 * quickly, that factor is large: 15.7 MB live grew to 71.6 MB of old generation before the next collection
 * on Node 20 (53.4 MB on Node 24; the test's workload). A gateway under load promotes a steady trickle of
 * objects that outlive two scavenges: under proxy load about 40 bytes per request, about half of them undici's
 * per-connection request queues, whose backing arrays live about a second each (0.3 MB/s in the benchmark). That
 * garbage stays resident until the trigger, so the resident size climbed by about 5 MB per 14 s of the
 * benchmark's proxy and Lambda rows and never came down.
 *
 * V8's `--heap-growing-percent` replaces the factor with 1 + percent / 100 (V8 still leaves at least 8 MB plus
 * the young generation, and its concurrent marking runs behind the program): at 10, the test's workload stays
 * within 27-28 MB, 11 to 12 MB above its live size (8 full collections where V8 alone made one), and
 * the benchmark's Gatehouse process ended three rounds of proxy and Lambda load at 102 MB resident instead of
 * 112, at the same CPU per request (`bench/ab.mjs`: 1.011 on the proxy route, 1.015 on the Lambda route).
 * It applies from the first full collection after it is set; V8's first one comes at its own initial limit
 * (about 64 MB of old generation on Node 20) unless the program's start-up needed one before.
 *
 * Set once, at start-up, after the configuration is read. A V8 flag changed at run time makes V8 reject Node's
 * code cache for built-in modules compiled afterwards (they compile from source, about twice as slowly). The
 * modules `serve` always loads are loaded by then: start-up to health with an in-process function measured the
 * same with and without it (medians of 9, 318 and 323 ms). A worker thread started afterwards bootstraps
 * without the cache: about 30 ms longer (107 against 77 ms for one that loads six built-in modules), once for
 * the TypeScript module hooks of in-process functions, and for each worker a handler starts. Not set under
 * `--function-isolation worker`, whose handler workers start at any time, nor when node was started with its
 * own `--heap-growing-percent` (node's command line: NODE_OPTIONS does not accept that flag).
 */
import { setFlagsFromString } from 'node:v8';

/** Node's own flag for it: when node was started with it, `serve` leaves it alone (heap-settings.ts decides). */
export const OLD_GENERATION_FLAGS = /^--heap[-_]growing[-_]percent(=|$)/;

/** From the next full collection on, V8 lets the old generation grow by `percent` of its live size (at least 8 MB). */
export function holdOldGeneration(percent: number): void {
  setFlagsFromString(`--heap-growing-percent=${percent}`);
}
