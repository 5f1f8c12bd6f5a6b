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
 * value of the resource running now. One hook carries every scope of the process (the function scope, the
 * TLS listener's handshake), each in its own slot: one call per resource, however many scopes have run.
 * A resource Node initializes a second time takes the value of its new
 * creator, or loses its old one: Node does that only for `Timeout` objects (a `refresh()` of a timer that
 * has fired, an object re-armed through the deprecated `timers.enroll()`).
 *
 * Where AsyncLocalStorage needs no async hooks (Node 24, and 22.7+ with `--experimental-async-context-frame`:
 * V8 carries its context), `asyncScope` returns AsyncLocalStorage itself: a hook would bring back the cost
 * those runtimes removed.
 */
import { AsyncLocalStorage, createHook, executionAsyncResource } from 'node:async_hooks';

/** The two methods of AsyncLocalStorage that Gatehouse uses. */
export interface AsyncScope<T> {
  /** Runs `callback` with `value`: it, every async resource it creates and theirs see `value` through `getStore`. */
  run<R>(value: T, callback: () => R): R;
  /** The value of the code running now; undefined outside any `run`. */
  getStore(): T | undefined;
}

type Carrier = Record<symbol, unknown>;

/** The slots of every hook scope of the process, carried by one async hook (one hook call per resource, however many scopes). */
const slots: symbol[] = [];
let hooked = false;

/** The hook's `init`: a new resource takes each slot's value from the resource running now, if it has one. */
function carry(_asyncId: number, type: string, _triggerAsyncId: number, resource: object): void {
  const current = executionAsyncResource() as Carrier;
  for (let i = 0; i < slots.length; i++) {
    const slot = slots[i]!;
    const value = current[slot];
    if (value !== undefined) (resource as Carrier)[slot] = value;
    // A Timeout initialized again (refresh() after it fired) outside any run loses its old value.
    else if (type === 'Timeout' && (resource as Carrier)[slot] !== undefined) (resource as Carrier)[slot] = undefined;
  }
}

/** A scope carried by the async hook of this module (the module comment), enabled at the first `run` of any. */
export function hookScope<T>(name: string): AsyncScope<T> {
  // The slot of an async resource's value, present only on resources created inside a `run`.
  const slot = Symbol(name);
  let registered = false;
  return {
    run(value, callback) {
      if (!registered) {
        slots.push(slot);
        registered = true;
        // At the first run: a process that never runs one has no hook at all.
        if (!hooked) {
          createHook({ init: carry }).enable();
          hooked = true;
        }
      }
      const resource = executionAsyncResource() as Carrier;
      const outer = resource[slot];
      resource[slot] = value;
      try {
        return callback();
      } finally {
        resource[slot] = outer;
      }
    },
    getStore() {
      return registered ? ((executionAsyncResource() as Carrier)[slot] as T | undefined) : undefined;
    },
  };
}

/**
 * Whether this runtime's AsyncLocalStorage propagates through async hooks (Node 20; 22 without
 * `--experimental-async-context-frame`): that implementation hands the store on in a `_propagate` method,
 * which the one built on V8's context (Node 24) does not have.
 */
export const storageUsesAsyncHooks = typeof (AsyncLocalStorage.prototype as { _propagate?: unknown })._propagate === 'function';

/** A scope: a hook of Gatehouse's own where AsyncLocalStorage would run async hooks, AsyncLocalStorage elsewhere. */
export function asyncScope<T>(name: string): AsyncScope<T> {
  return storageUsesAsyncHooks ? hookScope<T>(name) : new AsyncLocalStorage<T>();
}
