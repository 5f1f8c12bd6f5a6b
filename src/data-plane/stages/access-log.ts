/**
 * access-log: one line per request in the stage's `accessLogSettings.format` (always runs,
 * also for gateway errors; nothing is logged when no stage was resolved, as on AWS).
 */
import type { Invocation } from '../invocation.js';

/** Receives access log lines with the log group they belong to. */
export type AccessLogSink = (destinationArn: string, line: string) => void;

/** Writes the invocation's access log line, if its stage has access logging. */
export function writeAccessLog(inv: Invocation, sink: AccessLogSink): void {
  const log = inv.stage?.accessLog;
  if (log) sink(log.destinationArn, log.render(inv));
}
