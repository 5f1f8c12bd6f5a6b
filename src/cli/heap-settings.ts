/**
 * The V8 heap settings `gatehouse serve` holds for its own process: the young generation's ceiling
 * (young-generation.ts) and the old generation's growth (old-generation.ts). Both follow one rule: a setting
 * of 0 leaves V8 its own; neither is applied under `--function-isolation worker` (handler workers start at any
 * time and would be held and slowed too), nor when node was started with its own flag for it. Applied once at
 * start-up; the start-up event (`--log-format json`) lists those applied as `heap`.
 */
import { SETTINGS } from '../config.js';
import { holdOldGeneration, OLD_GENERATION_FLAGS } from './old-generation.js';
import { holdYoungGeneration, YOUNG_GENERATION_FLAGS } from './young-generation.js';

/** What is applied: absent fields are left to V8 (set to 0, under worker isolation, or node's own flags). */
export interface HeapSettings {
  readonly semiSpaceMb?: number;
  readonly heapGrowingPercent?: number;
}

/** The flag node was started with that matches `flag` (on its command line or in NODE_OPTIONS), if any. */
function nodeFlag(flag: RegExp, execArgv: readonly string[], nodeOptions: string | undefined): string | undefined {
  return [...execArgv, ...(nodeOptions ?? '').split(/\s+/)].find((f) => flag.test(f));
}

/** Whether node was started with a flag matching `flag`. */
export function nodeFlagGiven(flag: RegExp, execArgv: readonly string[], nodeOptions: string | undefined): boolean {
  return nodeFlag(flag, execArgv, nodeOptions) !== undefined;
}

/** Why a setting under worker isolation is left aside. */
const UNDER_WORKERS = 'under --function-isolation worker (its handler workers would be held too, and start without the code cache)';

/**
 * What `serve` applies for `config` in a process started with `execArgv` and `nodeOptions`, and a line for each
 * setting changed from its default that it leaves aside, with the reason, for the server log: a value someone
 * asked for is not dropped silently. Defaults left aside under worker isolation are not reported (README); 0 asks
 * for V8's own and is never reported.
 */
export function heapSettings(
  config: { readonly semiSpaceMb: number; readonly heapGrowingPercent: number; readonly functionIsolation: string },
  execArgv: readonly string[],
  nodeOptions: string | undefined,
): { readonly applied: HeapSettings; readonly notApplied: readonly string[] } {
  const applied: { semiSpaceMb?: number; heapGrowingPercent?: number } = {};
  const notApplied: string[] = [];
  const decide = (setting: 'semiSpaceSize' | 'heapGrowingPercent', field: keyof HeapSettings, flags: RegExp) => {
    const value = config[field];
    if (value === 0) return;
    const given = nodeFlag(flags, execArgv, nodeOptions);
    const reason = config.functionIsolation === 'worker' ? UNDER_WORKERS : given !== undefined ? `node was started with its own ${given}` : undefined;
    if (reason === undefined) applied[field] = value;
    else if (String(value) !== SETTINGS[setting].default) notApplied.push(`${SETTINGS[setting].flag} ${value} is not applied: ${reason}`);
  };
  decide('semiSpaceSize', 'semiSpaceMb', YOUNG_GENERATION_FLAGS);
  decide('heapGrowingPercent', 'heapGrowingPercent', OLD_GENERATION_FLAGS);
  return { applied, notApplied };
}

/** Applies `heapSettings(...)` to this process and returns what it decided. */
export function holdHeap(config: Parameters<typeof heapSettings>[0], execArgv: readonly string[], nodeOptions: string | undefined): ReturnType<typeof heapSettings> {
  const decided = heapSettings(config, execArgv, nodeOptions);
  if (decided.applied.semiSpaceMb !== undefined) holdYoungGeneration(decided.applied.semiSpaceMb);
  if (decided.applied.heapGrowingPercent !== undefined) holdOldGeneration(decided.applied.heapGrowingPercent);
  return decided;
}
