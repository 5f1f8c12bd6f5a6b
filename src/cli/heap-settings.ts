/**
 * The V8 heap settings `gatehouse serve` holds for its own process: the young generation's ceiling
 * (young-generation.ts) and the old generation's growth (old-generation.ts). Applied once at start-up; the
 * start-up event (`--log-format json`) lists those applied as `heap`.
 */
import { heapGrowingPercent, holdOldGeneration } from './old-generation.js';
import { holdYoungGeneration, semiSpaceCeiling } from './young-generation.js';

/** What was applied: absent fields are left to V8 (set to 0, under worker isolation, or node's own flags). */
export interface HeapSettings {
  readonly semiSpaceMb?: number;
  readonly heapGrowingPercent?: number;
}

/** Applies the settings `config` asks for, unless node's own flags set them; returns those applied. */
export function holdHeap(
  config: { readonly semiSpaceMb: number; readonly heapGrowingPercent: number; readonly functionIsolation: string },
  execArgv: readonly string[],
  nodeOptions: string | undefined,
): HeapSettings {
  const semiSpaceMb = semiSpaceCeiling(config, execArgv, nodeOptions);
  if (semiSpaceMb !== undefined) holdYoungGeneration(semiSpaceMb);
  const growing = heapGrowingPercent(config, execArgv, nodeOptions);
  if (growing !== undefined) holdOldGeneration(growing);
  return { ...(semiSpaceMb !== undefined ? { semiSpaceMb } : {}), ...(growing !== undefined ? { heapGrowingPercent: growing } : {}) };
}
