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

/** The settings `serve` applies for `config` in a process started with `execArgv` and `nodeOptions`. */
export function heapSettings(
  config: { readonly semiSpaceMb: number; readonly heapGrowingPercent: number; readonly functionIsolation: string },
  execArgv: readonly string[],
  nodeOptions: string | undefined,
): HeapSettings {
  const held = (value: number, nodeFlag: RegExp) => value !== 0 && config.functionIsolation !== 'worker' && !nodeFlagGiven(nodeFlag, execArgv, nodeOptions);
  return {
    ...(held(config.semiSpaceMb, YOUNG_GENERATION_FLAGS) ? { semiSpaceMb: config.semiSpaceMb } : {}),
    ...(held(config.heapGrowingPercent, OLD_GENERATION_FLAGS) ? { heapGrowingPercent: config.heapGrowingPercent } : {}),
  };
}

/** Applies `heapSettings(...)` to this process and returns them. */
export function holdHeap(config: Parameters<typeof heapSettings>[0], execArgv: readonly string[], nodeOptions: string | undefined): HeapSettings {
  const settings = heapSettings(config, execArgv, nodeOptions);
  if (settings.semiSpaceMb !== undefined) holdYoungGeneration(settings.semiSpaceMb);
  if (settings.heapGrowingPercent !== undefined) holdOldGeneration(settings.heapGrowingPercent);
  return settings;
}

/**
 * One line for each setting changed from its default that `serve` does not apply, with the reason, for the
 * server log: a value someone asked for is not dropped silently. Defaults left aside under worker isolation
 * are not reported (README); 0 asks for V8's own and is never reported.
 */
export function heapSettingsNotApplied(config: Parameters<typeof heapSettings>[0], applied: HeapSettings, execArgv: readonly string[], nodeOptions: string | undefined): string[] {
  const why = (flag: RegExp) =>
    config.functionIsolation === 'worker'
      ? 'under --function-isolation worker (its handler workers would be held too, and start without the code cache)'
      : `node was started with its own ${nodeFlag(flag, execArgv, nodeOptions) ?? 'flag'}`;
  const lines: string[] = [];
  const check = (name: 'semiSpaceSize' | 'heapGrowingPercent', value: number, applied: number | undefined, flag: RegExp) => {
    if (value !== 0 && applied === undefined && String(value) !== SETTINGS[name].default) lines.push(`${SETTINGS[name].flag} ${value} is not applied: ${why(flag)}`);
  };
  check('semiSpaceSize', config.semiSpaceMb, applied.semiSpaceMb, YOUNG_GENERATION_FLAGS);
  check('heapGrowingPercent', config.heapGrowingPercent, applied.heapGrowingPercent, OLD_GENERATION_FLAGS);
  return lines;
}
