/**
 * No handler can take the gateway down (README "Local functions"):
 *
 * - In-process mode, `guardProcess` installs `uncaughtException` and `unhandledRejection` listeners
 *   while local functions run in this process. An error thrown or rejected by function code (a
 *   `throw` in a timer, a promise nobody awaited; attributed through `functionScope`) is logged
 *   with the function's name and its crash count, fails the invocation still running in that
 *   scope, if any, and the gateway keeps serving.
 * - Errors not from function code keep Node's default: the stack on stderr and exit code 1, unless
 *   another listener (a test runner, an embedding program) handles them.
 * - In-process mode, `process.exit` called by function code does not end the gateway: it is logged
 *   as the function's crash, fails the running invocation as Lambda reports an exited runtime
 *   (`Runtime.ExitError`, "Runtime exited with error: exit status 3"), and throws that error so the
 *   code after the call does not run (process.exit never returns). Called outside function code it
 *   exits as always. `process.abort()`, `process.kill(process.pid)` and `process.exitCode` set by
 *   a handler are not intercepted: use worker mode for code you do not control.
 * - Worker mode: a worker that crashed (uncaught error, unhandled rejection, `process.exit`) is
 *   reported through the same reporter; local.ts discards it and the next call starts a fresh one.
 *
 * A function that keeps crashing is reported with its count on every crash; it is never fatal.
 */
import { syncBuiltinESMExports } from 'node:module';
import type { Logger } from '../../logger.js';
import { functionScope } from './function-scope.js';

/** How a function crashed. */
export type CrashKind = 'uncaught exception' | 'unhandled rejection' | 'process.exit' | 'worker exited' | 'worker crashed';

/** Lambda's reason for a runtime that exited with `code`. */
export function exitReason(code: unknown): string {
  const status = code === undefined || code === null || code === '' ? 0 : Number(code);
  return status === 0 ? 'Runtime exited without providing a reason' : `Runtime exited with error: exit status ${Number.isNaN(status) ? String(code) : status}`;
}

/** Errors thrown by the intercepted process.exit: already reported when they surface again as uncaught. */
const exitErrors = new WeakSet<object>();

/** Counts and logs crashes per function. */
export interface CrashReporter {
  /** Logs the crash of `functionName` (with its count) and returns the count. */
  report(functionName: string, kind: CrashKind, error: unknown, requestId?: string): number;
}

const describe = (error: unknown): { message: string; stack?: string } => {
  if (error instanceof Error) return { message: `${error.name}: ${error.message}`, ...(error.stack ? { stack: error.stack } : {}) };
  try {
    return { message: String(error) };
  } catch {
    return { message: Object.prototype.toString.call(error) };
  }
};

/** A reporter logging to `logger`. */
export function createCrashReporter(logger: Logger): CrashReporter {
  const counts = new Map<string, number>();
  return {
    report(functionName, kind, error, requestId) {
      const crashes = (counts.get(functionName) ?? 0) + 1;
      counts.set(functionName, crashes);
      const { message, stack } = describe(error);
      logger.error(`function ${functionName} crashed (${kind}): ${message}`, {
        function: functionName,
        crashes,
        ...(requestId ? { requestId } : {}),
        outcome: kind.startsWith('worker') ? 'worker replaced; the gateway keeps serving' : 'the gateway keeps serving',
        ...(stack ? { stack } : {}),
      });
      return crashes;
    },
  };
}

let installed: { reporter: CrashReporter; users: number; release: () => void } | undefined;

/**
 * Installs the process-level guards (once per process, however many invokers ask); the returned
 * function releases this caller's hold and removes the listeners when nobody holds them.
 */
export function guardProcess(reporter: CrashReporter): () => void {
  if (!installed) {
    const onError = (kind: CrashKind) => (error: unknown) => {
      const scope = functionScope.getStore();
      if (scope) {
        // The error the intercepted process.exit threw, escaping the handler: reported already.
        if (typeof error === 'object' && error !== null && exitErrors.has(error)) return;
        (installed?.reporter ?? reporter).report(scope.functionName, kind, error, scope.requestId);
        scope.fail?.(error);
        return;
      }
      // Not function code: what Node does without listeners, unless someone else listens too.
      if (process.listenerCount(kind === 'unhandled rejection' ? 'unhandledRejection' : 'uncaughtException') > 1) return;
      process.stderr.write(`${describe(error).stack ?? describe(error).message}\n\nNode.js ${process.version}\n`);
      process.exit(1);
    };
    const uncaught = onError('uncaught exception');
    const rejection = onError('unhandled rejection');
    process.on('uncaughtException', uncaught);
    process.on('unhandledRejection', rejection);
    const nodeExit = process.exit;
    const guarded = function exit(this: unknown, code?: string | number | null): never {
      const scope = functionScope.getStore();
      if (!scope) return nodeExit.call(process, code);
      const reason = exitReason(code);
      (installed?.reporter ?? reporter).report(scope.functionName, 'process.exit', new Error(reason), scope.requestId);
      const error = Object.assign(new Error(`RequestId: ${scope.requestId ?? ''} Error: ${reason}`), { name: 'Runtime.ExitError' });
      exitErrors.add(error);
      scope.fail?.(error);
      throw error;
    };
    process.exit = guarded;
    syncBuiltinESMExports();
    installed = {
      reporter,
      users: 0,
      release: () => {
        process.off('uncaughtException', uncaught);
        process.off('unhandledRejection', rejection);
        if (process.exit === guarded) {
          process.exit = nodeExit;
          syncBuiltinESMExports();
        }
      },
    };
  }
  const guard = installed;
  guard.users++;
  let released = false;
  return () => {
    if (released) return;
    released = true;
    if (--guard.users === 0 && installed === guard) {
      guard.release();
      installed = undefined;
    }
  };
}
