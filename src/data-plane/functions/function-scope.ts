/**
 * The scope of in-process function code: everything a handler runs (its module's top level, the
 * handler call, and every timer, promise and callback they start) carries the function it belongs
 * to. The crash guard attributes an uncaught error to a function with it, and the process.env proxy
 * serves each function its own environment.
 *
 * It works as Node 20's AsyncLocalStorage does: `run` sets the scope on the async resource running
 * now; an async hook's `init` gives each new resource the scope of the resource running when it is
 * created; `getStore` reads the scope of the resource running now. One difference, for speed:
 * AsyncLocalStorage writes its slot on every async resource of the process, `undefined` on all those
 * created outside function code, and on a gateway that is nearly all of them (each request's ticks,
 * timers, sockets and promises). Node's async hooks belong to the whole process, so once a function
 * has loaded every request of every route paid for that keyed store, megamorphic across Node's
 * resource types. Here a resource gets the slot only when there is a scope to carry: 97,600 to 98,200
 * instructions per Lambda request against 102,200 to 105,600 with AsyncLocalStorage (callgrind,
 * `bench/instructions.mjs`; README "Performance").
 *
 * What that gives up: a resource object that Node initializes a second time keeps the scope it was
 * given the first time, where AsyncLocalStorage would clear it. Node does that only for objects
 * handed to the deprecated `timers.enroll()` / `timers.active()` (DEP0095), re-armed after
 * `timers.unenroll()`; Gatehouse's own code does not use them.
 *
 * Where AsyncLocalStorage needs no async hooks (Node 24, and 22.7+ with
 * `--experimental-async-context-frame`: V8 carries its context), it is used as it is: a hook of
 * Gatehouse's own would bring back the cost those runtimes removed.
 */
import { AsyncLocalStorage, createHook, executionAsyncResource } from 'node:async_hooks';

/** What in-process function code runs under. */
export interface FunctionScope {
  readonly functionName: string;
  /** The function's environment (`process.env` as the function sees it; its writes stay in it). */
  readonly env: Record<string, string>;
  /** The running invocation's `awsRequestId`; absent while the module loads. */
  readonly requestId?: string;
  /** Fails the running invocation (an uncaught error while it runs, as Lambda reports it); absent when none runs. */
  readonly fail?: (error: unknown) => void;
}

/** The two methods of AsyncLocalStorage that Gatehouse uses. */
export interface ScopeStorage {
  /** Runs `callback` in `scope`: it, every async resource it creates and theirs see `scope` through `getStore`. */
  run<R>(scope: FunctionScope, callback: () => R): R;
  /** The scope of the function code running now; undefined outside function code. */
  getStore(): FunctionScope | undefined;
}

type Scoped = Record<symbol, FunctionScope | undefined>;

/** A scope carried by an async hook of its own (the module comment), enabled at its first `run`. */
export function hookScope(): ScopeStorage {
  // The slot of an async resource's scope, present only on resources created by function code.
  const slot = Symbol('gatehouse.functionScope');
  let hooked = false;
  return {
    run(scope, callback) {
      if (!hooked) {
        // At the first call into function code: a gateway without local functions runs no hook at all.
        createHook({
          init(_asyncId, _type, _triggerAsyncId, resource) {
            const current = (executionAsyncResource() as Scoped)[slot];
            if (current !== undefined) (resource as Scoped)[slot] = current;
          },
        }).enable();
        hooked = true;
      }
      const resource = executionAsyncResource() as Scoped;
      const outer = resource[slot];
      resource[slot] = scope;
      try {
        return callback();
      } finally {
        resource[slot] = outer;
      }
    },
    getStore() {
      return hooked ? (executionAsyncResource() as Scoped)[slot] : undefined;
    },
  };
}

/**
 * Whether this runtime's AsyncLocalStorage propagates through async hooks (Node 20; 22 without
 * `--experimental-async-context-frame`): that implementation hands the store on in a `_propagate`
 * method, which the one built on V8's context (Node 24) does not have.
 */
export const storageUsesAsyncHooks = typeof (AsyncLocalStorage.prototype as { _propagate?: unknown })._propagate === 'function';

/** The scope of function code: a hook of Gatehouse's own where AsyncLocalStorage would run async hooks, AsyncLocalStorage elsewhere. */
export const functionScope: ScopeStorage = storageUsesAsyncHooks ? hookScope() : new AsyncLocalStorage<FunctionScope>();
