/**
 * undici's dispatchers, loaded when the first upstream call is made (an HTTP proxy, a Lambda Invoke API call, a
 * service integration, a JWKS fetch), not at start-up, where they took ~180 ms of a cold start.
 *
 * Only what Gatehouse calls is loaded: `Agent` and `Pool` (with the `Client` and HTTP/1 parser under them), the
 * request API on every dispatcher, and `util`. undici's package entry (`require('undici')`) also loads its fetch,
 * WebSocket, EventSource, cache, cookie and mock implementations and, through them, Node's web streams, zlib,
 * worker_threads and Node's own bundled copy of undici: 3 MB more of old generation and about 8 MB more resident
 * memory for code a gateway never runs (README "Performance"). These are undici's own module files (its package has
 * no exports map), the ones its entry re-exports: `undici.test.ts` checks each against the entry's export, so an
 * undici release that moves one fails the tests, not a request.
 */
import { createRequire } from 'node:module';
import type * as Undici from 'undici';

/** The parts of undici Gatehouse uses. */
export interface UndiciParts {
  readonly Agent: typeof Undici.Agent;
  readonly Pool: typeof Undici.Pool;
  readonly util: typeof Undici.util;
  /** undici's `request(url, options)`, always with a `dispatcher` (never undici's global one). */
  readonly request: (url: string | URL, options: RequestOptions) => Promise<Undici.Dispatcher.ResponseData>;
}

export type RequestOptions = Omit<Undici.Dispatcher.RequestOptions, 'origin' | 'path' | 'method'> & {
  readonly dispatcher: Undici.Dispatcher;
  readonly method?: Undici.Dispatcher.HttpMethod;
};

/** The module files, relative to the package, of what `UndiciParts` holds. */
export const UNDICI_FILES = {
  Agent: 'undici/lib/dispatcher/agent.js',
  Pool: 'undici/lib/dispatcher/pool.js',
  util: 'undici/lib/core/util.js',
  Dispatcher: 'undici/lib/dispatcher/dispatcher.js',
  api: 'undici/lib/api/index.js',
} as const;

let loaded: UndiciParts | undefined;

function load(): UndiciParts {
  const require = createRequire(import.meta.url);
  // What undici's entry does first: every dispatcher gets request, stream, pipeline, connect and upgrade.
  const Dispatcher = require(UNDICI_FILES.Dispatcher) as { prototype: object };
  Object.assign(Dispatcher.prototype, require(UNDICI_FILES.api) as object);
  return {
    Agent: require(UNDICI_FILES.Agent) as typeof Undici.Agent,
    Pool: require(UNDICI_FILES.Pool) as typeof Undici.Pool,
    util: require(UNDICI_FILES.util) as typeof Undici.util,
    request: (url, { dispatcher, ...options }) => {
      const target = typeof url === 'string' ? new URL(url) : url;
      return dispatcher.request({ ...options, origin: target.origin, path: `${target.pathname}${target.search}`, method: options.method ?? 'GET' });
    },
  };
}

export const undici = (): UndiciParts => (loaded ??= load());
