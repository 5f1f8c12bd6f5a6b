/**
 * undici's dispatchers, loaded when the first upstream call is made (an HTTP proxy, a Lambda Invoke API call, a
 * service integration, a JWKS fetch), not at start-up, where they took ~180 ms of a cold start.
 *
 * Only what Gatehouse calls is loaded: `Agent` and `Pool` (with the `Client` and HTTP/1 parser under them), the
 * request API on every dispatcher, and `util`. undici's package entry (`require('undici')`) also loads its fetch,
 * WebSocket, EventSource, cache, cookie and mock implementations and, through them, Node's web streams, zlib,
 * worker_threads and Node's own bundled copy of undici: 3 MB more of old generation and about 8 MB more resident
 * memory for code a gateway never runs (README "Performance"). These are undici's own module files (its package has
 * no exports map), the ones its entry re-exports; `undici.test.ts` checks each against the entry's export. An undici
 * release that moves one (the dependency is a `^7` range) makes Gatehouse fall back to the package entry: more
 * memory, the same behaviour.
 *
 * The entry also installs one of its Agents as the process's global dispatcher (the slot Node's own `fetch` reads);
 * without it, `fetch` in in-process functions uses Node's bundled undici, and `own-endpoints.ts` routes either.
 */
import { createRequire } from 'node:module';
import type * as Undici from 'undici';

/** The parts of undici Gatehouse uses. */
export interface UndiciParts {
  readonly Agent: typeof Undici.Agent;
  readonly Pool: typeof Undici.Pool;
  readonly util: typeof Undici.util;
  /** A request to `url` (http or https) through `options.dispatcher`: undici's `request(url, options)` with the method and dispatcher always given. */
  readonly request: (url: string | URL, options: RequestOptions) => Promise<Undici.Dispatcher.ResponseData>;
}

type RequestOptions = Omit<Undici.Dispatcher.RequestOptions, 'origin' | 'path' | 'method'> & {
  readonly dispatcher: Undici.Dispatcher;
  readonly method: Undici.Dispatcher.HttpMethod;
};

/** The module files, relative to the package, of what `UndiciParts` holds. */
const UNDICI_FILES = {
  Agent: 'undici/lib/dispatcher/agent.js',
  Pool: 'undici/lib/dispatcher/pool.js',
  util: 'undici/lib/core/util.js',
  Dispatcher: 'undici/lib/dispatcher/dispatcher.js',
  api: 'undici/lib/api/index.js',
} as const;

let loaded: UndiciParts | undefined;

type Require = (id: string) => unknown;

/** The parts, from undici's module files, or from its package entry when a file is not where it was. */
export function loadUndici(require: Require): UndiciParts {
  let parts: Pick<UndiciParts, 'Agent' | 'Pool' | 'util'>;
  try {
    // What undici's entry does first: every dispatcher gets request, stream, pipeline, connect and upgrade.
    const Dispatcher = require(UNDICI_FILES.Dispatcher) as { prototype: object };
    Object.assign(Dispatcher.prototype, require(UNDICI_FILES.api) as object);
    parts = {
      Agent: require(UNDICI_FILES.Agent) as typeof Undici.Agent,
      Pool: require(UNDICI_FILES.Pool) as typeof Undici.Pool,
      util: require(UNDICI_FILES.util) as typeof Undici.util,
    };
  } catch (error) {
    if ((error as { code?: string }).code !== 'MODULE_NOT_FOUND') throw error;
    parts = require('undici') as typeof Undici;
  }
  return {
    ...parts,
    request: (url, { dispatcher, ...options }) => {
      const target = typeof url === 'string' ? new URL(url) : url;
      return dispatcher.request({ ...options, origin: target.origin, path: `${target.pathname}${target.search}` });
    },
  };
}

export const undici = (): UndiciParts => (loaded ??= loadUndici(createRequire(import.meta.url)));
