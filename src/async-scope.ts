/**
 * A value carried along asynchronous work, as AsyncLocalStorage carries it, at less cost on Node 20.
 *
 * Node 20's AsyncLocalStorage propagates through an async hook that writes its slot onto every async
 * resource the process creates, `undefined` on all those created outside a `run`. On a gateway that is
 * nearly all of them (each request's ticks, timers, sockets and promises), and Node's async hooks belong to
 * the whole process: once one `run` has happened, every request of every route pays for that keyed store,
 * megamorphic across Node's resource types. `hookScope` gives a resource the slot only when there is a value
 * to carry: for the function scope of in-process Lambda functions, a median of 98,700 instructions per
 * Lambda request against 102,500 with AsyncLocalStorage (callgrind, `bench/instructions.mjs`; README
 * "Performance", "Runs of 2026-12-07, fourth session").
 *
 * It behaves as AsyncLocalStorage does: `run` sets the value on the async resource running now; the hook's
 * `init` gives each new resource the value of the resource running when it is created; `getStore` reads the
 * value of the resource running now; `exit` runs code with no value. One hook carries every scope of the
 * process (today only the function scope), each in its own slot: one call per resource,
 * however many scopes have run. A resource Node initializes a second time takes the value of its new
 * creator, or loses its old one: Node does that only for `Timeout` objects (a `refresh()` of a timer that
 * has fired, an object re-armed through the deprecated `timers.enroll()`).
 *
 * The hook runs only while a value can still reach code (`joinEpoch`): a server that ran functions and then
 * serves other routes stops paying for it once the functions' work is garbage.
 *
 * Where AsyncLocalStorage needs no async hooks (Node 24, and 22.7+ with `--experimental-async-context-frame`:
 * V8 carries its context), `asyncScope` returns AsyncLocalStorage itself: a hook would bring back the cost
 * those runtimes removed.
 */
import { AsyncLocalStorage, createHook, executionAsyncResource } from 'node:async_hooks';
import { performance } from 'node:perf_hooks';
import { promiseHooks, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** The methods of AsyncLocalStorage that Gatehouse uses. */
export interface AsyncScope<T> {
  /** Runs `callback` with `value`: it, every async resource it creates and theirs see `value` through `getStore`. */
  run<R>(value: T, callback: () => R): R;
  /** Runs `callback` with no value: it and the resources it creates see undefined. */
  exit<R>(callback: () => R): R;
  /** The value of the code running now; undefined outside any `run`. */
  getStore(): T | undefined;
}

/**
 * What a resource's slot holds: the value, and the epoch of the run that set it (`joinEpoch`). A settled
 * promise holds its `settled` twin, which has no epoch (`unpin`).
 */
class Carried {
  #settled: Carried | undefined;
  constructor(
    readonly value: unknown,
    readonly epoch: object | undefined,
  ) {}

  get settled(): Carried {
    return (this.#settled ??= new Carried(this.value, undefined));
  }
}

type Carrier = Record<symbol, Carried | undefined>;

/** The slots of every hook scope of the process, carried by one async hook (one hook call per resource, however many scopes). */
const slots: symbol[] = [];

/**
 * The hook's `init`: a new resource takes each slot's value from the resource running now, if it has one. Code
 * that runs as a settled promise (Node's `unhandledRejection` listeners) holds a value without an epoch (`unpin`):
 * what it starts joins the current epoch, so that the hook keeps running for it.
 */
function carry(_asyncId: number, type: string, _triggerAsyncId: number, resource: object): void {
  const current = executionAsyncResource() as Carrier;
  for (let i = 0; i < slots.length; i++) {
    const slot = slots[i]!;
    const carried = current[slot];
    if (carried !== undefined) (resource as Carrier)[slot] = carried.epoch === undefined ? new Carried(carried.value, joinEpoch()) : carried;
    // A Timeout initialized again (refresh() after it fired) outside any run loses its old value.
    else if (type === 'Timeout' && (resource as Carrier)[slot] !== undefined) (resource as Carrier)[slot] = undefined;
  }
}

/**
 * A settled promise no longer holds its run's epoch. Its value is never handed on again: a reaction runs as the
 * promise `then` or `await` made, which took the value of the code that called them. Node reads it once more
 * for an unhandled rejection (it runs the `unhandledRejection` listeners as the rejected promise: the crash
 * guard attributes the rejection through it), so the value stays, without the epoch.
 */
function unpin(promise: Promise<unknown>): void {
  for (let i = 0; i < slots.length; i++) {
    const slot = slots[i]!;
    const carried = (promise as unknown as Carrier)[slot];
    if (carried?.epoch !== undefined) (promise as unknown as Carrier)[slot] = carried.settled;
  }
}

const hook = createHook({ init: carry });
let hookOn = false;
let stopUnpinning: (() => void) | undefined;

/**
 * The hook runs only while some run's epoch lives. Each value a run sets refers to the epoch of the run: an
 * empty object that only values refer to, so it is garbage once every resource that carries a value of it is
 * (a timer that fired or was cleared, a socket closed, a promise settled: `unpin`). No callback of that epoch
 * can run again then. The registry counts the epochs alive; when none is, and the current epoch has ended (runs
 * join one for `EPOCH_MS`), the hook and the settle hook are disabled: Node's per-resource work for async hooks
 * stops (its init calls, and the trampoline of every native callback). The next run enables them again.
 *
 * What keeps them on is function code's own work: a timer, a socket or a pending promise it made, for as long
 * as they live. Gatehouse's own long-lived resources are made outside any run (`exit`).
 *
 * V8 tells a FinalizationRegistry that an epoch died only in a full collection, and an epoch lives a second, long
 * enough to be in the old generation: a heap serving other routes may not need a full collection for a minute,
 * and every request pays the hook meanwhile (about 3 µs, 5%, of a proxied request on the benchmark's host). So
 * when a whole epoch's time passes after the last epoch ended with no run, one full collection is asked for
 * (`collectIfIdle`), at most one per `COLLECTION_INTERVAL_MS`.
 */
let liveEpochs = 0;
let epoch: object | undefined;
const epochs = new FinalizationRegistry<undefined>(() => {
  liveEpochs--;
  settle();
});
/** How long runs join the same epoch: one registration and one timer per period, not per run. */
const EPOCH_MS = 1_000;

function settle(): void {
  if (hookOn && liveEpochs === 0 && epoch === undefined) {
    hook.disable();
    stopUnpinning?.();
    stopUnpinning = undefined;
    hookOn = false;
    collectionInterval = COLLECTION_INTERVAL_MS;
  }
}

function endEpoch(): void {
  epoch = undefined;
  epochEndedAt = performance.now();
  settle();
  if (hookOn) scheduleCollection(EPOCH_MS);
}

/** The least time between two collections asked for by `collectIfIdle`; doubled, up to the maximum, while they leave the hook on. */
const COLLECTION_INTERVAL_MS = 10_000;
const MAX_COLLECTION_INTERVAL_MS = 300_000;
let collectionInterval = COLLECTION_INTERVAL_MS;
let lastCollection = -Infinity;
/** When the hook was last switched on: a collection since then that left it on found function code's work still alive. */
let hookOnSince = 0;
/** When the last epoch ended: a collection asked for before then would find nothing new. */
let epochEndedAt = 0;
/** Whether a `collectIfIdle` is due: one timer at most. */
let collectionScheduled = false;
let collector: (() => void) | undefined;

function scheduleCollection(ms: number): void {
  if (collectionScheduled) return;
  collectionScheduled = true;
  // Made outside every scope: a timer carrying a value would keep its epoch, and the hook, alive through the collection.
  outsideScopes(() => setTimeout(collectIfIdle, ms).unref());
}

/**
 * No run for a whole epoch's time since the last epoch ended, and the hook still on: one full collection finds
 * the epochs that are garbage (and the registry's callbacks then stop the hook). It pauses the process (about
 * 15 ms on the benchmark's heap), once when functions go quiet. When function code still holds a timer or a
 * socket it finds nothing to free; another is asked for only after another epoch has ended, and each one that
 * leaves the hook on doubles the least time to the next (10 s, then 20, 40, ... 5 min).
 */
function collectIfIdle(): void {
  collectionScheduled = false;
  if (!hookOn || epoch !== undefined || liveEpochs === 0 || epochEndedAt < lastCollection) return;
  const now = performance.now();
  const wait = Math.max(epochEndedAt + EPOCH_MS - now, lastCollection + collectionInterval - now);
  if (wait > 0) return scheduleCollection(wait);
  if (lastCollection > hookOnSince) collectionInterval = Math.min(2 * collectionInterval, MAX_COLLECTION_INTERVAL_MS);
  lastCollection = now;
  (collector ??= fullCollector())();
}

/** V8's `gc`: the global one when node runs with --expose-gc, else that of a context made while the flag is on. */
function fullCollector(): () => void {
  const exposed = (globalThis as { gc?: unknown }).gc;
  if (typeof exposed === 'function') return exposed as () => void;
  setFlagsFromString('--expose-gc');
  try {
    return runInNewContext('gc') as () => void;
  } finally {
    setFlagsFromString('--no-expose-gc');
  }
}

/** The epoch a run joins: the current one, or a new one (the hook enabled) once the last has ended. */
function joinEpoch(): object {
  if (epoch === undefined) {
    if (!hookOn) {
      hook.enable();
      stopUnpinning = promiseHooks.onSettled(unpin) as () => void;
      hookOn = true;
      hookOnSince = performance.now();
    }
    epoch = {};
    liveEpochs++;
    epochs.register(epoch, undefined);
    setTimeout(endEpoch, EPOCH_MS).unref();
  }
  return epoch;
}

/** Whether the hook of the hook scopes runs now (`joinEpoch`). */
export function hookScopesRunning(): boolean {
  return hookOn;
}

/** A scope carried by the async hook of this module (the module comment), enabled while a value of any scope may reach code. */
export function hookScope<T>(name: string): AsyncScope<T> {
  // The slot of an async resource's value, present only on resources created inside a `run`.
  const slot = Symbol(name);
  let registered = false;
  /** Runs `callback` with `carried` in the slot of the resource running now, then puts back what was there. */
  const within = <R>(carried: Carried | undefined, callback: () => R): R => {
    const resource = executionAsyncResource() as Carrier;
    const outer = resource[slot];
    resource[slot] = carried;
    try {
      return callback();
    } finally {
      resource[slot] = outer;
    }
  };
  return {
    run(value, callback) {
      if (!registered) {
        slots.push(slot);
        registered = true;
      }
      return within(new Carried(value, joinEpoch()), callback);
    },
    exit(callback) {
      return registered ? within(undefined, callback) : callback();
    },
    getStore() {
      return registered ? ((executionAsyncResource() as Carrier)[slot]?.value as T | undefined) : undefined;
    },
  };
}

/**
 * Whether this runtime's AsyncLocalStorage propagates through async hooks (Node 20; 22 without
 * `--experimental-async-context-frame`): that implementation hands the store on in a `_propagate` method,
 * which the one built on V8's context (Node 24) does not have.
 */
export const storageUsesAsyncHooks = typeof (AsyncLocalStorage.prototype as { _propagate?: unknown })._propagate === 'function';

/** Every scope `asyncScope` made (`outsideScopes`). */
const scopes: AsyncScope<unknown>[] = [];

/** A scope: a hook of Gatehouse's own where AsyncLocalStorage would run async hooks, AsyncLocalStorage elsewhere. */
export function asyncScope<T>(name: string): AsyncScope<T> {
  const scope = storageUsesAsyncHooks ? hookScope<T>(name) : new AsyncLocalStorage<T>();
  scopes.push(scope as AsyncScope<unknown>);
  return scope;
}

/**
 * Runs `callback` outside every scope of the process (each one's `exit`): for the gateway's own long-lived
 * resources made while some scope's code runs (a file watcher made while a function's module loads). They carry
 * no value, and keep no hook running.
 */
export function outsideScopes<R>(callback: () => R): R {
  let run = callback;
  for (const scope of scopes) {
    const inner = run;
    run = () => scope.exit(inner);
  }
  return run();
}
