/**
 * The console's paths, apart from the console itself: the server checks them on every internal
 * request and loads the console (its page, explain and endpoints) only when one is asked for.
 */

export const CONSOLE_PATH = '/_gatehouse/console';
export const EVENTS_PATH = '/_gatehouse/events';
export const EXPLAIN_PATH = '/_gatehouse/explain';

/** True for the paths the console serves. */
export function isConsolePath(path: string): boolean {
  return path === CONSOLE_PATH || path.startsWith(`${CONSOLE_PATH}/`) || path === EVENTS_PATH || path === EXPLAIN_PATH;
}
