/**
 * The integration registry: one table keyed by protocol and integration type (as LocalStack keys its
 * integrations), read by the stage compiler for HTTP and WebSocket APIs alike.
 *
 *   HTTP       AWS_PROXY (Lambda, payload 1.0/2.0; AWS services by integrationSubtype) · HTTP_PROXY
 *   WEBSOCKET  AWS_PROXY · AWS (Lambda, non-proxy) · HTTP_PROXY · HTTP (non-proxy) · MOCK
 */
import type { DeploymentSnapshot, IntegrationRecord } from '../../model/resources.js';
import { parseLambdaUri } from '../../model/lambda-arn.js';
import type { FunctionInvoker } from '../functions/invoker.js';
import type { CompiledIntegration } from '../invocation.js';
import { compileHttpProxyIntegration, defaultDispatcherFor, type DispatcherFactory, type HttpProxyDeps } from './http-proxy.js';
import type { AwsServiceDeps } from './aws-service.js';
import { compileAwsServiceIntegration } from './aws-service.js';
import { compileLambdaIntegration } from './lambda.js';
import { compileMockIntegration } from './mock.js';
import { compileWebSocketHttp, compileWebSocketHttpProxy } from './websocket-http.js';
import { compileWebSocketLambda, compileWebSocketLambdaProxy } from './websocket-lambda.js';

/** What integrations need; one object per server. */
export interface IntegrationDeps {
  readonly invoker: FunctionInvoker;
  readonly httpProxy?: HttpProxyDeps;
  /** AWS service integrations (`integrationSubtype`): where they call and with which credentials. */
  readonly awsServices?: AwsServiceDeps;
}

/** Compiles one integration of a type; throws (with the reason) when it cannot be served. */
type Factory = (record: IntegrationRecord, snapshot: DeploymentSnapshot, deps: IntegrationDeps) => CompiledIntegration;

const dispatcherOf = (deps: IntegrationDeps): DispatcherFactory => deps.httpProxy?.dispatcherFor ?? defaultDispatcherFor;
const responsesOf = (record: IntegrationRecord, snapshot: DeploymentSnapshot) => snapshot.integrationResponses[record.integrationId] ?? [];

/** The registry. */
export const INTEGRATIONS: Readonly<Record<'HTTP' | 'WEBSOCKET', Readonly<Partial<Record<string, Factory>>>>> = {
  HTTP: {
    AWS_PROXY: (record, _snapshot, deps) => {
      if (record.integrationSubtype === undefined) return compileLambdaIntegration(record, { invoker: deps.invoker });
      if (!deps.awsServices) throw new Error(`AWS service integrations (${record.integrationSubtype}) are not served by this Gatehouse build`);
      return compileAwsServiceIntegration(record, deps.awsServices);
    },
    HTTP_PROXY: (record, _snapshot, deps) => compileHttpProxyIntegration(record, deps.httpProxy),
  },
  WEBSOCKET: {
    AWS_PROXY: (record, _snapshot, deps) => compileWebSocketLambdaProxy(record, deps.invoker),
    AWS: (record, snapshot, deps) => {
      // TODO(parity): AWS service actions (arn:aws:apigateway:{region}:{service}:action/...) need AWS itself.
      if (!record.integrationUri || !parseLambdaUri(record.integrationUri)) throw new Error(`AWS integrations other than Lambda functions are not supported by Gatehouse: ${record.integrationUri ?? '(no URI)'}`);
      return compileWebSocketLambda(record, responsesOf(record, snapshot), deps.invoker);
    },
    HTTP_PROXY: (record, _snapshot, deps) => compileWebSocketHttpProxy(record, dispatcherOf(deps)),
    HTTP: (record, snapshot, deps) => compileWebSocketHttp(record, responsesOf(record, snapshot), dispatcherOf(deps)),
    MOCK: (record, snapshot) => compileMockIntegration(record, responsesOf(record, snapshot)),
  },
};
