/**
 * The stage compilers the server uses: integrations by protocol and type (the registry in
 * integrations/index.ts), authorizers, CORS and access logs. What Gatehouse cannot serve is compiled into a
 * part that answers 500 and says why in the log and `$context.integration.error`: never skipped.
 */
import type { AuthorizerRecord, IntegrationRecord, RouteRecord, StageRecord } from '../model/resources.js';
import type { Logger } from '../logger.js';
import { compileAccessLog } from './access-log-format.js';
import { compileCors } from './cors.js';
import { internalServerError } from './errors.js';
import type { FunctionInvoker } from './functions/invoker.js';
import type { HttpProxyDeps } from './integrations/http-proxy.js';
import { INTEGRATIONS } from './integrations/index.js';
import type { CompiledAuthorizer, CompiledIntegration } from './invocation.js';
import type { StageCompilers } from './snapshot.js';
import type { AwsServiceDeps } from './integrations/aws-service.js';

/** What the compilers need. */
export interface CompilerDeps {
  readonly invoker: FunctionInvoker;
  readonly logger: Logger;
  readonly httpProxy?: HttpProxyDeps;
  /** AWS service integrations (`integrationSubtype`); without it they answer 500. */
  readonly awsServices?: AwsServiceDeps;
  /** Compiles a route's authorizer; defaults to one that refuses every request. */
  readonly authorizer?: (route: RouteRecord, record: AuthorizerRecord | undefined, stage: StageRecord) => CompiledAuthorizer | undefined;
  /** Route throttles shared by a cluster (`--redis`); default: node-local token buckets. */
  readonly throttle?: StageCompilers['throttle'];
}

/** An integration Gatehouse cannot call: every request answers 500 with the reason. */
function unsupportedIntegration(record: IntegrationRecord, reason: string, logger: Logger): CompiledIntegration {
  logger.warn('data plane: integration cannot be served', { integrationId: record.integrationId, reason });
  return {
    invoke(inv) {
      inv.integration = { error: reason };
      return Promise.reject(internalServerError(reason));
    },
  };
}

/** Refuses requests on routes whose authorization Gatehouse cannot enforce. */
function refusingAuthorizer(route: RouteRecord, logger: Logger): CompiledAuthorizer | undefined {
  if (route.authorizationType === 'NONE') return undefined;
  const reason = `authorization type ${route.authorizationType} is not enforced by this Gatehouse build; the route refuses every request`;
  logger.warn('data plane: route authorization cannot be enforced', { routeKey: route.routeKey, reason });
  return {
    authorize: () => Promise.reject(internalServerError(reason, 'AUTHORIZER_FAILURE')),
  };
}

/** Builds the stage compilers. */
export function createStageCompilers(deps: CompilerDeps): StageCompilers {
  return {
    integration(record, snapshot) {
      const protocol = snapshot.api.protocolType;
      // TODO(parity): VPC links need AWS itself.
      const refusal = record.connectionType === 'VPC_LINK' ? 'private integrations through a VPC link are not supported by Gatehouse' : undefined;
      const factory = refusal === undefined ? INTEGRATIONS[protocol][record.integrationType] : undefined;
      if (!factory) return unsupportedIntegration(record, refusal ?? `integration type ${record.integrationType} is not served on ${protocol === 'HTTP' ? 'HTTP' : 'WebSocket'} APIs`, deps.logger);
      try {
        return factory(record, snapshot, {
          invoker: deps.invoker,
          ...(deps.httpProxy ? { httpProxy: deps.httpProxy } : {}),
          ...(deps.awsServices ? { awsServices: deps.awsServices } : {}),
        });
      } catch (err) {
        // One bad integration answers 500 on its routes; it must not stop the rest of the API.
        return unsupportedIntegration(record, err instanceof Error ? err.message : String(err), deps.logger);
      }
    },
    authorizer: deps.authorizer ?? ((route) => refusingAuthorizer(route, deps.logger)),
    cors: (snapshot) => (snapshot.api.protocolType === 'HTTP' ? compileCors(snapshot.api.corsConfiguration) : undefined),
    accessLog: compileAccessLog,
    ...(deps.throttle ? { throttle: deps.throttle } : {}),
  };
}
