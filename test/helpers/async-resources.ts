/**
 * The async resources (promises, timers, ticks) a piece of work creates, with the stack that created
 * each: per-request counts pin what every request pays where async hooks run (the function scope's
 * hook on Node 20, src/async-scope.ts).
 */
import { createHook } from 'node:async_hooks';

export interface MadeResource {
  readonly type: string;
  /** The creating stack's frames, innermost first, without the hook's own. */
  readonly frames: readonly string[];
}

/** Every resource of `types` created while `work` runs (in this process, by anyone). */
export async function asyncResourcesDuring(types: readonly string[], work: () => Promise<unknown>): Promise<MadeResource[]> {
  const made: MadeResource[] = [];
  const hook = createHook({
    init(_id, type) {
      if (!types.includes(type)) return;
      const site: { stack?: string } = {};
      Error.captureStackTrace(site);
      const frames = (site.stack ?? '').split('\n').slice(1).map((line) => line.trim());
      made.push({ type, frames: frames.slice(frames.findIndex((f) => !f.includes('async_hooks') && !f.includes('async-resources'))) });
    },
  });
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 40;
  hook.enable();
  try {
    await work();
  } finally {
    hook.disable();
    Error.stackTraceLimit = limit;
  }
  return made;
}

/** The frame that made a resource: the first outside Node's own modules (`node:`) and anonymous builtins (a resource Node's streams make for a write of Gatehouse's is counted as Gatehouse's). */
export function creator(resource: MadeResource): string {
  return resource.frames.find((f) => !f.includes('(node:') && !f.startsWith('at node:') && !f.includes('(<anonymous>)')) ?? '';
}

/** Shown in a failed assertion: each resource's type and first frames. */
export function describeResources(made: readonly MadeResource[]): string {
  return made.map((r) => `${r.type}\n    ${r.frames.slice(0, 8).join('\n    ')}`).join('\n');
}
