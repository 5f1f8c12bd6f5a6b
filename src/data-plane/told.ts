/**
 * Outcomes told to a callback instead of a promise, on the Lambda and proxy paths: on Node 20 every promise
 * also runs the function scope's async hooks (functions/function-scope.ts). Function invokers
 * (`InvokeDone`) and integrations (`IntegrationDone`) tell theirs this way.
 */

/** How a call ends, told once: `error` undefined and its value, or what its promise would reject with. */
export type Told<T> = (error: unknown, value?: T) => void;

/** A call that tells its outcome, as a promise (the promise form of such a call). */
export function promiseOf<T>(call: (done: Told<T>) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => call((error, value) => (error === undefined ? resolve(value as T) : reject(error))));
}
