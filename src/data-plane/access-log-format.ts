/**
 * Compiles a stage's `accessLogSettings.format` (a single-line template with `$context.*`
 * variables, SPEC §E.9) into a renderer: literal parts and variable accessors resolved once.
 * Unknown or absent variables render as `-`.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-logging-variables.html
 */
import type { StageRecord } from '../model/resources.js';
import { compileContextVariable } from './context-variables.js';
import type { CompiledAccessLog, Invocation } from './invocation.js';

const VARIABLE = /\$context\.([A-Za-z0-9_]+(?:\.[A-Za-z0-9_-]+)*)/g;

/** Compiles a format into a line renderer. */
export function compileAccessLogFormat(format: string): (inv: Invocation) => string {
  const parts: ((inv: Invocation) => string)[] = [];
  let last = 0;
  for (const m of format.matchAll(VARIABLE)) {
    const literal = format.slice(last, m.index);
    if (literal) parts.push(() => literal);
    const accessor = compileContextVariable(m[1] as string);
    parts.push((inv) => accessor(inv) ?? '-');
    last = (m.index ?? 0) + m[0].length;
  }
  const tail = format.slice(last);
  if (tail) parts.push(() => tail);
  return (inv) => {
    let line = '';
    for (const part of parts) line += part(inv);
    return line;
  };
}

/** The stage's access log, or undefined when it has none. */
export function compileAccessLog(stage: StageRecord): CompiledAccessLog | undefined {
  const settings = stage.accessLogSettings;
  if (!settings?.format || !settings.destinationArn) return undefined;
  return { destinationArn: settings.destinationArn, render: compileAccessLogFormat(settings.format) };
}
