/**
 * A ceiling on V8's young generation for the `gatehouse serve` process.
 *
 * V8 starts each of the young generation's two semi-spaces at 1 MB and doubles them, up to 16 MB each on
 * 64-bit Node 20, while many objects outlive a scavenge: under a gateway's load (50 keep-alive clients, each
 * request's objects alive across a backend's round trip) they reach the 16 MB within seconds, and the process
 * keeps 32 MB of young generation. Held at 8 MB each it keeps 16 MB (a 10 s proxy load ended at 96 MB resident
 * instead of 108) for about 10% more scavenging time (285 against 255 ms per 10 s of load; README "Performance").
 * Node sets the ceiling only at start-up (`node --max-semi-space-size=8`), which a command run as
 * `node dist/bundle/cli/main.js` or `npm start` does not get. V8 reads its growth factor each time it grows
 * the young generation, so this keeps the factor at V8's default (2) below the ceiling and at 1 (no growth)
 * from there, looked at after each scavenge (Node's `gc` performance entries, delivered between event-loop
 * tasks: a long synchronous task may grow past the ceiling before it is looked at; a best effort). Once held,
 * V8 cannot grow it, so the entries are no longer observed: Node builds each with deprecated accessors, tens of
 * µs per scavenge (about 0.2% of the Lambda route's CPU at the benchmark's 39 scavenges a second). A timer
 * looks once a second instead, to notice V8 shrinking it after a quiet spell.
 *
 * V8's flags belong to the whole process, and a flag set at run time has two costs, both paid only once the
 * ceiling is reached: every isolate of the process (worker threads too) is held at its size then, and V8
 * rejects Node's code cache for what is compiled afterwards (a built-in module loaded later compiles from its
 * source, about twice as slowly; with old-generation.ts's default that second cost starts at start-up). So
 * `serve` does not hold it under `--function-isolation worker`, whose handlers run in worker threads started at
 * any time (heap-settings.ts decides).
 *
 * A `--max-semi-space-size` or `--semi-space-growth-factor` the process was started with (on node's command
 * line or in NODE_OPTIONS) wins: the ceiling is then left alone.
 */
import { constants, PerformanceObserver } from 'node:perf_hooks';
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';
import { outsideScopes } from '../async-scope.js';

const MB = 1024 * 1024;

/** Node's own flags for the young generation's size: when node was started with one, the ceiling is left alone. */
export const YOUNG_GENERATION_FLAGS = /^--(max[-_]semi[-_]space[-_]size|semi[-_]space[-_]growth[-_]factor)(=|$)/;

/** The size of the young generation (both semi-spaces) now, in bytes. */
export function youngGenerationBytes(): number {
  for (const space of getHeapSpaceStatistics()) if (space.space_name === 'new_space') return space.space_size;
  return 0;
}

/** A running hold: whether it looks after every scavenge now (while the young generation may still grow). */
export interface YoungGenerationHold {
  readonly observing: boolean;
}

/**
 * Holds each semi-space at `semiSpaceMb` (a power of two, 1 to 16): growth stops once the young generation
 * (two semi-spaces) reaches twice that, and starts again if V8 shrinks it below (after a quiet spell). `size`
 * and `recheckMs` are the young generation's size and how often a held one is looked at (tests).
 */
export function holdYoungGeneration(semiSpaceMb: number, { size = youngGenerationBytes, recheckMs = 1_000 }: { size?: () => number; recheckMs?: number } = {}): YoungGenerationHold {
  const limit = 2 * semiSpaceMb * MB;
  /** Set while held: the timer that looks once a period instead of the observer. */
  let recheck: NodeJS.Timeout | undefined;
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      if ((entry as { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MINOR) return check();
    }
  });
  const check = (): void => {
    const hold = size() >= limit;
    if (hold === (recheck !== undefined)) return;
    setFlagsFromString(`--semi-space-growth-factor=${hold ? 1 : 2}`);
    if (hold) {
      observer.disconnect();
      // Made outside every scope: observers are told from wherever the collection came, maybe function code, and a
      // timer carrying its value would keep the function scope's hook on for good (async-scope.ts).
      recheck = outsideScopes(() => setInterval(check, recheckMs).unref());
    } else {
      clearInterval(recheck);
      recheck = undefined;
      observer.observe({ entryTypes: ['gc'] });
    }
  };
  observer.observe({ entryTypes: ['gc'] });
  check();
  return {
    get observing() {
      return recheck === undefined;
    },
  };
}
