/**
 * AWS service integrations of HTTP APIs (`AWS_PROXY` with an `integrationSubtype`): the
 * integration's `requestParameters` are rendered per request (static values, `$request.*`,
 * `$context.*`, `$stageVariables.*`, as parameter mapping does), become the service call of the
 * subtype (aws-subtypes.ts), signed and sent by the server's AwsServiceClient; the service's
 * status, body and content type come back to the client as the service answered them.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-aws-services.html
 *
 * Fails loudly: a subtype without its required parameters, an unknown parameter, or a server
 * without `--aws-endpoint` compiles into an integration that answers 500 and says why in the log
 * and `$context.integration.error`. A call that fails answers 500; one that times out, 503.
 */
import { REGION } from '../../model/account-region.js';
import type { IntegrationRecord } from '../../model/resources.js';
import { internalServerError, serviceUnavailable } from '../errors.js';
import type { CompiledIntegration, GatewayResponse, Invocation } from '../invocation.js';
import { compileParameterValues, compileResponseMapping } from '../parameter-mapping.js';
import type { AwsServiceClient } from './aws-client.js';
import { ServiceCallError } from './aws-client.js';
import { SUBTYPES, SubtypeParameterError } from './aws-subtypes.js';
import { readBody } from './body.js';

/** What service integrations need: the server's client. */
export interface AwsServiceDeps {
  readonly client: AwsServiceClient;
  /** Epoch ms, for `integrationLatency`. */
  readonly now?: () => number;
}

/** Compiles an `AWS_PROXY` integration with a subtype; throws (with the reason) when it cannot be served. */
export function compileAwsServiceIntegration(record: IntegrationRecord, deps: AwsServiceDeps): CompiledIntegration {
  const name = record.integrationSubtype ?? '';
  const subtype = SUBTYPES[name];
  if (!subtype) throw new Error(`Integration ${record.integrationId}: unknown integrationSubtype ${name}`);
  const params = record.requestParameters ?? {};
  const unknown = Object.keys(params).filter((p) => !Object.hasOwn(subtype.parameters, p));
  if (unknown.length > 0) throw new Error(`Integration ${record.integrationId}: ${name} takes no parameter ${unknown.join(', ')} (it takes ${Object.keys(subtype.parameters).join(', ')})`);
  const missing = Object.entries(subtype.parameters).filter(([p, required]) => required && params[p] === undefined).map(([p]) => p);
  if (missing.length > 0) throw new Error(`Integration ${record.integrationId}: ${name} requires the parameter ${missing.join(', ')}`);
  const unavailable = deps.client.unavailable;
  if (unavailable) throw new Error(`Integration ${record.integrationId} (${name}): ${unavailable}`);
  const values = compileParameterValues(params);
  const responseMappings = compileResponseMapping(record.responseParameters);
  const now = deps.now ?? Date.now;

  const fail = (inv: Invocation, detail: string, started: number) => {
    inv.integration = { latencyMs: now() - started, error: detail };
    return internalServerError(detail);
  };

  return {
    async invoke(inv: Invocation): Promise<GatewayResponse> {
      const started = now();
      if (values.needsBody) await readBody(inv);
      const mapped = values.render(inv);
      const region = mapped.get('Region') ?? inv.stage?.region ?? '';
      if (!REGION.test(region)) throw fail(inv, `${name}: Region ${JSON.stringify(region)} is not an AWS region`, started);
      let call;
      try {
        call = subtype.build(mapped);
      } catch (error) {
        if (error instanceof SubtypeParameterError) throw fail(inv, `${name}: ${error.message}`, started);
        throw error;
      }
      let answer;
      try {
        answer = await deps.client.send(call, region, record.credentialsArn, record.timeoutInMillis);
      } catch (error) {
        if (!(error instanceof ServiceCallError)) throw error;
        const detail = `${name}: ${error.message}`;
        inv.integration = { latencyMs: now() - started, error: detail };
        throw error.kind === 'timeout' ? serviceUnavailable(detail) : internalServerError(detail);
      }
      const requestId = answer.headers['x-amzn-requestid'];
      inv.integration = { latencyMs: now() - started, status: answer.status, ...(requestId ? { requestId } : {}) };
      const contentType = answer.headers['content-type'];
      const response: GatewayResponse = { statusCode: answer.status, headers: contentType ? { 'content-type': contentType } : {}, body: answer.body };
      responseMappings?.forStatus(answer.status)?.apply(inv, response, answer.body);
      return response;
    },
  };
}
