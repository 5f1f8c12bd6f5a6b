/**
 * What every management-API handler receives, and what it returns.
 */
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import type { AccountRegion } from '../model/account-region.js';
import type { Clock, IdGenerator } from '../model/ids.js';
import type { Store } from '../store/store.js';
import type { Input } from './input.js';

/** Where clients reach this server's data plane. */
export interface Endpoints {
  /** `http://{apiId}.execute-api.{host}:{port}` (`ws://` for WebSocket APIs). */
  apiEndpoint(apiId: string, protocolType: string): string;
}

/** The server-wide dependencies of the handlers. */
export interface ControlPlaneDeps {
  readonly store: Store;
  readonly config: Config;
  readonly ids: IdGenerator;
  readonly clock: Clock;
  readonly endpoints: Endpoints;
  readonly logger: Logger;
}

/** What a handler receives: the dependencies and the caller's account and region. */
export interface ControlPlaneContext extends ControlPlaneDeps {
  /** Where every resource the request names lives (src/model/account-region.ts). */
  readonly caller: AccountRegion;
  /** The store scope of the caller's top-level resources (APIs, domain names, VPC links). */
  readonly scope: string;
}

/** A handler's raw result; the dispatcher shapes `body` to the operation's output. */
export interface HandlerResult {
  readonly body?: Record<string, unknown> | Buffer;
  readonly contentType?: string;
  /** Creation time of the resource returned, for the envelope format. */
  readonly createdAt?: string;
  /** Creation time of each listed item, for the envelope format. */
  readonly itemsCreatedAt?: readonly (string | undefined)[];
}

/** Implements one operation of the model, named after it in camelCase (`createRoute`). */
export type OperationHandler = (input: Input, ctx: ControlPlaneContext) => Promise<HandlerResult | void>;
