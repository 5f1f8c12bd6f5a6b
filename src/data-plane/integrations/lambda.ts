/**
 * Lambda proxy integrations (`AWS_PROXY` without a subtype), payload format 1.0 and 2.0 (SPEC §E.3):
 * event → function invoker → response. Function errors and bad responses are 500, a timeout 503.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html
 */
import type { IntegrationRecord } from '../../model/resources.js';
import { parseLambdaUri, resolveStageVariables, type LambdaFunctionRef } from '../../model/lambda-arn.js';
import { GatewayError, internalServerError, serviceUnavailable, traceOf, withTrace } from '../errors.js';
import { FunctionTimeoutError, invokeThen as invokeFunction, type FunctionInvoker, type InvokeResult } from '../functions/invoker.js';
import { promiseOf } from '../told.js';
import type { CompiledIntegration, GatewayResponse, IntegrationDone, Invocation } from '../invocation.js';
import { hasNoBody, readBody } from './body.js';
import { buildEventV1, buildEventV2 } from './lambda-events.js';
import { interpretLambdaResult } from './lambda-response.js';
import { compileResponseMapping } from '../parameter-mapping.js';

/** What a compiled Lambda integration needs. */
export interface LambdaIntegrationDeps {
  readonly invoker: FunctionInvoker;
  /** The custom-domain API mapping key the request came through (2.0 `rawPath` leaves it out); default `inv.basePathMatched`. */
  readonly mappingKey?: (inv: Invocation) => string | undefined;
  /** Clock for `integrationLatency`. */
  readonly now?: () => number;
}


/** Compiles an `AWS_PROXY` integration whose URI names a Lambda function; throws on a URI or payload version it cannot serve. */
export function compileLambdaIntegration(record: IntegrationRecord, deps: LambdaIntegrationDeps): CompiledIntegration {
  const ref = record.integrationUri ? parseLambdaUri(record.integrationUri) : undefined;
  if (!ref) throw new Error(`Integration ${record.integrationId}: not a Lambda function URI: ${record.integrationUri ?? '(none)'}`);
  const version = record.payloadFormatVersion;
  if (version !== '1.0' && version !== '2.0') throw new Error(`Integration ${record.integrationId}: unsupported payloadFormatVersion ${version}`);
  // TODO(parity): request parameter mapping into Lambda events; refused (500, logged) rather than ignored.
  if (record.requestParameters && Object.keys(record.requestParameters).length > 0) {
    throw new Error(`Integration ${record.integrationId}: requestParameters mapping on Lambda integrations is not supported by Gatehouse yet`);
  }
  const responseMappings = compileResponseMapping(record.responseParameters);
  const functionOf = functionOfRequest(ref);
  const build = version === '2.0' ? buildEventV2 : buildEventV1;
  const now = deps.now ?? Date.now;

  /** Calls the function with the request's event (its body read) and interprets the answer. */
  const call = (inv: Invocation, done: IntegrationDone): void => {
    let fn: LambdaFunctionRef, event: unknown;
    try {
      fn = functionOf(inv);
      const mappingKey = deps.mappingKey ? deps.mappingKey(inv) : (inv.basePathMatched ?? inv.strippedBasePath);
      event = build(inv, mappingKey ? { mappingKey } : undefined);
    } catch (error) {
      return done(error);
    }
    const started = now();
    invokeFunction(deps.invoker, fn, event, { timeoutMs: record.timeoutInMillis, requestId: inv.requestId }, (error, result) => {
      if (error !== undefined) {
        const detail = `${fn.functionArn}: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`;
        inv.integration = { latencyMs: now() - started, error: detail };
        return done(error instanceof FunctionTimeoutError ? serviceUnavailable(detail) : withTrace(internalServerError(detail), error instanceof Error && error.cause !== undefined ? traceOf(error) : undefined));
      }
      const requestId = (result as { requestId?: unknown }).requestId;
      inv.integration = typeof requestId === 'string' ? { latencyMs: now() - started, requestId } : { latencyMs: now() - started };
      let response: GatewayResponse;
      try {
        response = interpretLambdaResult(result as InvokeResult, version);
        inv.integration.status = response.statusCode;
        responseMappings?.forStatus(response.statusCode)?.apply(inv, response, response.body as Buffer | string | undefined);
      } catch (failure) {
        if (failure instanceof GatewayError) inv.integration.error = failure.detail ?? failure.message;
        return done(failure);
      }
      done(undefined, response);
    });
  };
  // A request without a body to read goes to the function with no promise of its own.
  const invokeThen = (inv: Invocation, done: IntegrationDone): void => {
    if (inv.body === undefined && !hasNoBody(inv)) readBody(inv).then(() => call(inv, done), done);
    else call(inv, done);
  };
  return {
    invoke: (inv) => promiseOf((done) => invokeThen(inv, done)),
    invokeThen,
  };
}

/**
 * The function a request calls, decided once per compiled integration: the URI's own reference, or,
 * when it names `${stageVariables.x}`, that reference resolved with the stage's values (a missing
 * variable fails the request with 500). A compiled stage's variables are a frozen object that a change
 * replaces, so the resolution is kept per that object: once per stage, not per request. Shared by HTTP
 * and WebSocket Lambda integrations and Lambda authorizers (`unset` makes their error).
 */
export function functionOfRequest(
  ref: LambdaFunctionRef,
  unset: (names: string) => Error = (names) => internalServerError(`Integration URI ${ref.functionArn}: stage variable ${names} not set`),
): (inv: Invocation) => LambdaFunctionRef {
  if (!ref.functionArn.includes('${stageVariables.')) return () => ref;
  const byStage = new WeakMap<Readonly<Record<string, string>>, LambdaFunctionRef>();
  return (inv) => {
    const variables = inv.stage?.stageVariables ?? {};
    const known = byStage.get(variables);
    if (known) return known;
    const resolved = resolveStageVariables(ref, variables);
    if (resolved.missing.length > 0) throw unset(resolved.missing.join(', '));
    if (Object.isFrozen(variables)) byStage.set(variables, resolved.ref);
    return resolved.ref;
  };
}
