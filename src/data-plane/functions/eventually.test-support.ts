import { setTimeout as sleep } from 'node:timers/promises';

/** Resolves once `probe` holds, failing after 5 s (file events arrive asynchronously). */
export async function eventually(what: string, probe: () => boolean): Promise<void> {
  const end = Date.now() + 5000;
  while (!probe()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}
