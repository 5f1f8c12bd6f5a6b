/**
 * The backends of HTTP proxy integrations: one undici `Agent` (keep-alive pools per origin) per
 * dispatcher option set, shared by every compiled snapshot, so a redeployment keeps its connections.
 */
import type { Agent, Dispatcher } from 'undici';
import { undici } from '../../undici.js';

/** Options for the dispatcher of one backend origin. */
export interface DispatcherOptions {
  /** `tlsConfig.serverNameToVerify`: the SNI name (and certificate name) for the TLS handshake. */
  readonly servername?: string;
}

/** Supplies the dispatcher for a backend origin (`https://host:port`); called once per origin per compiled integration. */
export type DispatcherFactory = (origin: string, options: DispatcherOptions) => Dispatcher;

/**
 * The upstream connections of the HTTP proxy integrations: undici's own `Agent` (one keep-alive pool
 * per origin inside it), one Agent per SNI name an integration asks for (`tlsConfig.serverNameToVerify`),
 * created on first use and kept until `close()`.
 */
export class HttpProxyPools {
  readonly #agents = new Map<string, Agent>();

  constructor(readonly options: Agent.Options = {}) {}

  /** The dispatcher for `origin` (the Agent of its SNI name; requests name their origin); a `DispatcherFactory`. */
  readonly dispatcherFor: DispatcherFactory = (_origin, { servername }) => {
    const key = servername ?? '';
    let agent = this.#agents.get(key);
    if (agent === undefined) {
      const base = this.options.connect;
      // A custom connector function owns TLS itself; otherwise the SNI name joins the connect options.
      const connect = servername === undefined || typeof base === 'function' ? base : { ...base, servername };
      agent = new (undici().Agent)({ ...this.options, ...(connect === undefined ? {} : { connect }) });
      this.#agents.set(key, agent);
    }
    return agent;
  };

  /** Closes every connection, letting in-flight requests finish (a streaming response keeps it waiting: see `destroy`). */
  async close(): Promise<void> {
    const agents = [...this.#agents.values()];
    this.#agents.clear();
    await Promise.all(agents.map((a) => a.close()));
  }

  /** Closes every connection now, failing in-flight requests (their client responses end abruptly). */
  async destroy(): Promise<void> {
    const agents = [...this.#agents.values()];
    this.#agents.clear();
    await Promise.all(agents.map((a) => a.destroy()));
  }
}

let defaultPools: HttpProxyPools | undefined;

/** The process-wide dispatcher of integrations compiled without `deps.dispatcherFor` (closed by `closeHttpProxyPools()`). */
export const defaultDispatcherFor: DispatcherFactory = (origin, options) => (defaultPools ??= new HttpProxyPools()).dispatcherFor(origin, options);

/** Closes the pools used by integrations compiled without `deps.dispatcherFor`. */
export async function closeHttpProxyPools(): Promise<void> {
  const pools = defaultPools;
  defaultPools = undefined;
  await pools?.close();
}
