/**
 * Asserts that an SDK call fails with an exact AWS error type and message.
 */
import assert from 'node:assert/strict';

/** Awaits `promise` and checks the thrown error's name, message and HTTP status. */
export async function rejectsAws(promise: Promise<unknown>, name: string, message: string | RegExp, status?: number): Promise<Error> {
  let caught: unknown;
  try {
    await promise;
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof Error, `expected ${name}, but the call succeeded`);
  assert.equal(caught.name, name, `error name (message: ${caught.message})`);
  if (typeof message === 'string') assert.equal(caught.message, message);
  else assert.match(caught.message, message);
  if (status !== undefined) assert.equal((caught as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode, status);
  return caught;
}
