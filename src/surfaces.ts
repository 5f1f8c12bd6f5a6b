/**
 * Which face of the server a request is for (DESIGN.md "Surfaces and addresses"):
 * `Host: {apiId}.execute-api.*` or path `/_aws/execute-api/...` -> data plane; path
 * `/_gatehouse/...` -> the server's own endpoints; anything else -> the control plane.
 */

/** The face a request goes to. */
export type Surface = 'data-plane' | 'internal' | 'control-plane';

const EXECUTE_API_HOST = /^([a-z0-9]{1,64})\.execute-api\./i;
const PATH_STYLE_PREFIX = '/_aws/execute-api/';
const INTERNAL_PREFIX = '/_gatehouse/';

/** Host header → API id (null: not an execute-api name). Clients send the same few hosts again and again. */
const apiIdsByHost = new Map<string, string | null>();
const MAX_CACHED_HOSTS = 1024;

/** The API id named by an execute-api host name, if it is one. */
export function apiIdFromHost(host: string | undefined): string | undefined {
  if (!host) return undefined;
  let apiId = apiIdsByHost.get(host);
  if (apiId === undefined) {
    apiId = EXECUTE_API_HOST.exec(host)?.[1]?.toLowerCase() ?? null;
    // Bounded: a client inventing host names gets the regular expression, not a growing map.
    if (apiIdsByHost.size >= MAX_CACHED_HOSTS) apiIdsByHost.clear();
    apiIdsByHost.set(host, apiId);
  }
  return apiId ?? undefined;
}

/** Classifies a request by its Host header and raw path. */
export function surfaceOf(host: string | undefined, rawPath: string): Surface {
  if (apiIdFromHost(host) !== undefined || rawPath.startsWith(PATH_STYLE_PREFIX)) return 'data-plane';
  if (rawPath.startsWith(INTERNAL_PREFIX)) return 'internal';
  return 'control-plane';
}
