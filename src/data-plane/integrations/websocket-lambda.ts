/**
 * Lambda integrations of WebSocket routes: `AWS_PROXY` (the WebSocket proxy event; the function's
 * `statusCode`, `headers` and `body` answer) and `AWS` with a Lambda ARN (non-proxy: the request
 * template's output is the event, the function's result the integration response; a function error
 * is selected on its `errorMessage`, as `${integration.response.body.errorMessage}` does).
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-websocket-api-integration-requests.html
 */
import type { IntegrationRecord, IntegrationResponseRecord } from '../../model/resources.js';
import { parseLambdaUri, type LambdaFunctionRef } from '../../model/lambda-arn.js';
import { internalServerError, payloadTrace, serviceUnavailable, traceOf, withTrace } from '../errors.js';
import { FunctionTimeoutError, payloadValue, type FunctionInvoker, type InvokeResult } from '../functions/invoker.js';
import type { CompiledIntegration, GatewayResponse, Invocation } from '../invocation.js';
import { compileNonProxyIntegration, type BackendResponse } from './non-proxy.js';
import { buildWebSocketEvent } from './websocket-events.js';
import { functionOfRequest } from './lambda.js';

/** AWS's WebSocket integration timeout default and maximum. */
const DEFAULT_TIMEOUT_MS = 29_000;

function lambdaRefOf(record: IntegrationRecord): LambdaFunctionRef {
  const ref = record.integrationUri ? parseLambdaUri(record.integrationUri) : undefined;
  if (!ref) throw new Error(`Integration ${record.integrationId}: not a Lambda function URI: ${record.integrationUri ?? '(none)'}`);
  return ref;
}

/** Calls the function; a timeout or an invocation failure rejects with the gateway's error. */
function call(invoker: FunctionInvoker, functionOf: (inv: Invocation) => LambdaFunctionRef, inv: Invocation, event: unknown, record: IntegrationRecord): Promise<InvokeResult> {
  let fn: LambdaFunctionRef;
  try {
    fn = functionOf(inv);
  } catch (error) {
    return Promise.reject(error as Error);
  }
  const timeoutMs = record.timeoutInMillis || DEFAULT_TIMEOUT_MS;
  // No async frame of its own: one reaction on the invoker's promise, and only for a failure.
  return invoker.invoke(fn, event, { timeoutMs, requestId: inv.requestId }).catch((error: unknown) => {
    const detail = `${fn.functionArn}: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`;
    throw error instanceof FunctionTimeoutError ? serviceUnavailable(detail) : withTrace(internalServerError(detail), error instanceof Error && error.cause !== undefined ? traceOf(error) : undefined);
  });
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `AWS_PROXY` on a WebSocket route. */
export function compileWebSocketLambdaProxy(record: IntegrationRecord, invoker: FunctionInvoker): CompiledIntegration {
  const functionOf = functionOfRequest(lambdaRefOf(record));
  /** The function's answer as the route's response: its `statusCode`, `headers` and `body`. */
  const answered = (inv: Invocation, started: number, result: InvokeResult): GatewayResponse => {
    let payload: unknown;
    try {
      payload = payloadValue(result);
    } catch {
      payload = undefined;
    }
    if (result.functionError) {
      const message = isObject(payload) && typeof payload.errorMessage === 'string' ? `: ${payload.errorMessage}` : '';
      const type = isObject(payload) && typeof payload.errorType === 'string' ? payload.errorType : 'Error';
      const detail = `Lambda function error (${result.functionError}): ${type}${message || `: ${result.payload.toString('utf8').slice(0, 200)}`}`;
      inv.integration = { latencyMs: Date.now() - started, status: 500, error: detail };
      throw withTrace(internalServerError(detail), payloadTrace(payload));
    }
    const answer = isObject(payload) ? payload : {};
    const statusCode = typeof answer.statusCode === 'number' ? answer.statusCode : 200;
    inv.integration = { latencyMs: Date.now() - started, status: statusCode };
    const headers: Record<string, string> = {};
    if (isObject(answer.headers)) for (const [k, v] of Object.entries(answer.headers)) if (typeof v === 'string') headers[k.toLowerCase()] = v;
    const body = answer.body;
    const response: GatewayResponse = { statusCode, headers };
    if (body !== undefined && body !== null) response.body = typeof body === 'string' ? body : JSON.stringify(body);
    return response;
  };
  return {
    invoke(inv): Promise<GatewayResponse> {
      const started = Date.now();
      let event: unknown;
      try {
        event = buildWebSocketEvent(inv);
      } catch (error) {
        return Promise.reject(error instanceof Error ? error : new Error(String(error)));
      }
      return call(invoker, functionOf, inv, event, record).then(
        (result) => answered(inv, started, result),
        (error: unknown) => {
          inv.integration = { latencyMs: Date.now() - started, error: error instanceof Error ? error.message : String(error) };
          throw error;
        },
      );
    },
  };
}

/** `AWS` with a Lambda function ARN on a WebSocket route (non-proxy). */
export function compileWebSocketLambda(record: IntegrationRecord, responses: readonly IntegrationResponseRecord[], invoker: FunctionInvoker): CompiledIntegration {
  const functionOf = functionOfRequest(lambdaRefOf(record));
  return compileNonProxyIntegration(record, responses, async (inv, payload): Promise<BackendResponse> => {
    const text = payload.toString('utf8');
    let event: unknown;
    try {
      event = text === '' ? {} : JSON.parse(text);
    } catch {
      // TODO(parity): Lambda refuses a payload that is not JSON; the text is passed as a JSON string instead.
      event = text;
    }
    const result = await call(invoker, functionOf, inv, event, record);
    // A function error is answered with status 200 and its error body (REST's Lambda custom integration):
    // integration responses select on its errorMessage. A `$connect` that expects no reply refuses instead.
    if (result.functionError && !inv.websocket?.expectsReply) return { statusCode: 500, headers: {}, body: result.payload };
    return { statusCode: 200, headers: result.functionError ? { 'x-amz-function-error': result.functionError } : {}, body: result.payload };
  });
}
