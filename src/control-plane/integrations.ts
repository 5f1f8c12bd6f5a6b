/**
 * Integrations: CreateIntegration, GetIntegration, GetIntegrations, UpdateIntegration, DeleteIntegration.
 * https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/apis-apiid-integrations.html
 */
import { isoSeconds } from '../model/ids.js';
import { parseLambdaUri } from '../model/lambda-arn.js';
import { parseMappingKey } from '../model/parameter-mapping.js';
import { checkSelectionExpression, SelectionExpressionError } from '../model/selection-expression.js';
import { applyApiChange } from './deployments.js';
import { integrationNotActedOn } from '../model/not-acted-on.js';
import { listPage, loadApi, loadChild, patch, refuseNotActedOn } from './common.js';
import type { OperationHandler } from './context.js';
import { BadRequestException, childNotFound, ConflictException } from './errors.js';
import type { Input } from './input.js';
import { CLEARED_BY_EMPTY } from './input.js';
import type { ApiRecord, IntegrationRecord, RouteRecord } from '../model/resources.js';
import { setOwn } from '../model/own.js';

/** Service integrations of HTTP APIs (`integrationSubtype`). */
export const INTEGRATION_SUBTYPES = [
  'EventBridge-PutEvents', 'SQS-SendMessage', 'SQS-ReceiveMessage', 'SQS-DeleteMessage', 'SQS-PurgeQueue',
  'AppConfig-GetConfiguration', 'Kinesis-PutRecord', 'StepFunctions-StartExecution', 'StepFunctions-StartSyncExecution',
  'StepFunctions-StopExecution',
];
const HTTP_METHODS = ['ANY', 'GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'];
const TIMEOUT = { HTTP: { max: 30000, default: 30000 }, WEBSOCKET: { max: 29000, default: 29000 } } as const;
const VPC_LINK_TARGET = /^arn:aws[a-z-]*:(elasticloadbalancing|servicediscovery):/;
const WS_KEY = /^integration\.request\.(header|querystring|path)\.[^\s]+$/;
const WS_VALUE = /^(route\.request\.(header|querystring|path)\.[^\s]+|route\.request\.body(\.[^\s]+)?|context\.[^\s]+|stageVariables\.[^\s]+|'[^']*')$/;
const NON_PROXY_RESPONSE_SELECTION = '${integration.response.statuscode}';
const LAMBDA_RESPONSE_SELECTION = '${integration.response.body.errorMessage}';

const bad = (message: string) => new BadRequestException(message);

function checkHttpUrl(uri: string, member: string): void {
  let url: URL;
  try {
    url = new URL(uri.replace(/\$\{stageVariables\.[A-Za-z0-9_]+\}/g, 'stagevariable'));
  } catch {
    throw bad(`Invalid ${member} ${uri}: must be an absolute http or https URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw bad(`Invalid ${member} ${uri}: must be an absolute http or https URL`);
}

function checkLambdaUri(uri: string | undefined, what: string): void {
  if (uri === undefined) throw bad(`integrationUri is required for ${what}`);
  if (!parseLambdaUri(uri)) {
    throw bad(`Invalid integrationUri ${uri}: a Lambda integration takes a function ARN (arn:aws:lambda:{region}:{account}:function:{name}) or arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{functionArn}/invocations`);
  }
}

function checkHttpApiIntegration(i: IntegrationRecord): void {
  const type = i.integrationType;
  // AWS's text (aws/aws-cli#6363).
  if (type !== 'AWS_PROXY' && type !== 'HTTP_PROXY') throw bad('Currently, an API with a protocol type of HTTP may only be associated with proxy integrations (AWS_PROXY, HTTP_PROXY)');
  if (type === 'AWS_PROXY' && i.integrationSubtype !== undefined) {
    if (!INTEGRATION_SUBTYPES.includes(i.integrationSubtype)) throw bad(`Invalid integrationSubtype ${i.integrationSubtype}: must be one of ${INTEGRATION_SUBTYPES.join(', ')}`);
    if (!i.requestParameters || Object.keys(i.requestParameters).length === 0) throw bad(`requestParameters are required for integration subtype ${i.integrationSubtype}`);
    if (i.payloadFormatVersion !== '1.0') throw bad('Service integrations support only payloadFormatVersion 1.0');
  } else if (type === 'AWS_PROXY') {
    checkLambdaUri(i.integrationUri, 'AWS_PROXY integrations');
    if (i.integrationMethod !== 'POST') throw bad(`Lambda integrations must use integrationMethod POST, not ${i.integrationMethod}`);
  } else {
    if (i.integrationSubtype !== undefined) throw bad('integrationSubtype is supported only for AWS_PROXY integrations');
    if (i.integrationUri === undefined) throw bad('integrationUri is required for HTTP_PROXY integrations');
    if (i.connectionType === 'VPC_LINK') {
      if (!VPC_LINK_TARGET.test(i.integrationUri)) throw bad(`Invalid integrationUri ${i.integrationUri}: a private integration takes a load balancer listener ARN or a Cloud Map service ARN`);
    } else checkHttpUrl(i.integrationUri, 'integrationUri');
    if (i.integrationMethod === undefined) throw bad('integrationMethod is required for HTTP_PROXY integrations');
    if (i.payloadFormatVersion !== '1.0') throw bad('HTTP_PROXY integrations support only payloadFormatVersion 1.0');
  }
  if (i.tlsConfig && type !== 'HTTP_PROXY') throw bad('tlsConfig is supported only for HTTP_PROXY integrations');
  if (i.integrationSubtype === undefined) {
    for (const key of Object.keys(i.requestParameters ?? {})) mappingKey(key, 'request');
  }
  for (const [status, mappings] of Object.entries(i.responseParameters ?? {})) {
    if (!/^[2-5]\d\d$/.test(status)) throw bad(`Invalid responseParameters key ${status}: must be a status code 200-599`);
    for (const key of Object.keys(mappings)) mappingKey(key, 'response');
  }
}

function mappingKey(key: string, side: 'request' | 'response'): void {
  try {
    parseMappingKey(key, side);
  } catch (err) {
    throw bad(`Invalid ${side}Parameters: ${(err as Error).message}`);
  }
}

function checkWebSocketIntegration(i: IntegrationRecord): void {
  const type = i.integrationType;
  if (type === 'AWS_PROXY') checkLambdaUri(i.integrationUri, 'AWS_PROXY integrations');
  else if (type === 'AWS') {
    if (i.integrationUri === undefined) throw bad('integrationUri is required for AWS integrations');
    if (!parseLambdaUri(i.integrationUri) && !/^arn:aws[a-z-]*:apigateway:[a-z0-9-]+:[a-z0-9-]+:(action|path)\//.test(i.integrationUri)) {
      throw bad(`Invalid integrationUri ${i.integrationUri}: an AWS integration takes a Lambda function or an arn:aws:apigateway:{region}:{service}:action|path/... URI`);
    }
  } else if (type === 'HTTP' || type === 'HTTP_PROXY') {
    if (i.integrationUri === undefined) throw bad(`integrationUri is required for ${type} integrations`);
    if (i.connectionType !== 'VPC_LINK') checkHttpUrl(i.integrationUri, 'integrationUri');
    if (i.integrationMethod === undefined) throw bad(`integrationMethod is required for ${type} integrations`);
  }
  if (i.payloadFormatVersion !== '1.0') throw bad('WebSocket APIs support only payloadFormatVersion 1.0');
  for (const [key, value] of Object.entries(i.requestParameters ?? {})) {
    if (!WS_KEY.test(key)) throw bad(`Invalid requestParameters key ${key}: must be integration.request.header|querystring|path.{name}`);
    if (!WS_VALUE.test(value)) throw bad(`Invalid requestParameters value ${value} for ${key}: must be route.request.*, context.*, stageVariables.* or a 'static' value`);
  }
  if (i.templateSelectionExpression !== undefined) {
    try {
      checkSelectionExpression(i.templateSelectionExpression, ['request.body', 'request.header', 'request.querystring', 'context', 'default']);
    } catch (err) {
      if (err instanceof SelectionExpressionError) throw bad(`Invalid templateSelectionExpression: ${err.message}`);
      throw err;
    }
  }
}

/** Validates a complete integration (after defaults or an update's merge). */
export function checkIntegration(api: ApiRecord, i: IntegrationRecord): void {
  if (i.integrationMethod !== undefined && !HTTP_METHODS.includes(i.integrationMethod)) {
    throw bad(`Invalid integrationMethod ${i.integrationMethod}: must be one of ${HTTP_METHODS.join(', ')}`);
  }
  if (!['1.0', '2.0'].includes(i.payloadFormatVersion)) throw bad(`Invalid payloadFormatVersion ${i.payloadFormatVersion}: must be 1.0 or 2.0`);
  const timeout = TIMEOUT[api.protocolType];
  if (i.timeoutInMillis > timeout.max) throw bad(`Invalid timeoutInMillis ${i.timeoutInMillis}: must be between 50 and ${timeout.max} milliseconds for ${api.protocolType === 'HTTP' ? 'HTTP' : 'WebSocket'} APIs`);
  if (i.connectionType === 'VPC_LINK' && !i.connectionId) throw bad('connectionId is required when connectionType is VPC_LINK');
  if (i.connectionType === 'INTERNET' && i.connectionId !== undefined) throw bad('connectionId is supported only when connectionType is VPC_LINK');
  if (api.protocolType === 'HTTP') checkHttpApiIntegration(i);
  else checkWebSocketIntegration(i);
}

/** Defaults AWS fills in and echoes (SPEC §B.3, TRAPS 9). */
export function withDefaults(api: ApiRecord, i: IntegrationRecord, input: Input): IntegrationRecord {
  const out = { ...i };
  const type = out.integrationType;
  const isLambda = type === 'AWS_PROXY' && out.integrationSubtype === undefined;
  if (out.integrationMethod === undefined && isLambda) out.integrationMethod = 'POST';
  if (input.payloadFormatVersion === undefined && out.payloadFormatVersion === undefined) {
    if (api.protocolType === 'HTTP' && isLambda) throw bad('payloadFormatVersion is required for AWS_PROXY integrations of HTTP APIs');
    out.payloadFormatVersion = '1.0';
  }
  if (api.protocolType === 'WEBSOCKET' && (type === 'AWS' || type === 'HTTP' || type === 'MOCK')) {
    out.passthroughBehavior ??= 'WHEN_NO_MATCH';
    // A Lambda function (AWS type) answers errors in its body: AWS selects on the error message
    // and defaults the method to POST (terraform-provider-aws integration_test.go lambdaWebSocket).
    const lambda = type === 'AWS' && out.integrationUri !== undefined && parseLambdaUri(out.integrationUri) !== undefined;
    if (lambda) out.integrationMethod ??= 'POST';
    out.integrationResponseSelectionExpression ??= lambda ? LAMBDA_RESPONSE_SELECTION : NON_PROXY_RESPONSE_SELECTION;
  }
  return out;
}

const MEMBERS = [
  'integrationType', 'integrationUri', 'integrationMethod', 'integrationSubtype', 'payloadFormatVersion', 'timeoutInMillis',
  'connectionType', 'connectionId', 'credentialsArn', 'description', 'requestParameters', 'responseParameters',
  'requestTemplates', 'templateSelectionExpression', 'passthroughBehavior', 'contentHandlingStrategy', 'tlsConfig',
];

/** The integration a quick-created API's `target` stands for: Lambda ARN -> AWS_PROXY 2.0, URL -> HTTP_PROXY. */
export function quickCreateIntegration(target: string, credentialsArn: string | undefined): Omit<IntegrationRecord, 'integrationId' | 'createdDate'> {
  const base = { connectionType: 'INTERNET', timeoutInMillis: TIMEOUT.HTTP.default, ...(credentialsArn ? { credentialsArn } : {}) };
  if (parseLambdaUri(target)) {
    return { ...base, integrationType: 'AWS_PROXY', integrationUri: target, integrationMethod: 'POST', payloadFormatVersion: '2.0' };
  }
  checkHttpUrl(target, 'target');
  return { ...base, integrationType: 'HTTP_PROXY', integrationUri: target, integrationMethod: 'ANY', payloadFormatVersion: '1.0' };
}

/** A quick-created integration after UpdateApi changed its `target` or `credentialsArn`. */
export function quickTargetUpdate(current: IntegrationRecord, target: string | undefined, credentialsArn: string | undefined): IntegrationRecord {
  const next = target === undefined ? { ...current } : { ...current, ...quickCreateIntegration(target, current.credentialsArn) };
  if (credentialsArn !== undefined) next.credentialsArn = credentialsArn;
  return next;
}

/** CreateIntegration: POST /v2/apis/{apiId}/integrations */
export const createIntegration: OperationHandler = async (input, ctx) => {
  const api = await loadApi(ctx, input.apiId as string);
  const draft = patch(
    {
      integrationId: ctx.ids('integration'),
      connectionType: 'INTERNET',
      timeoutInMillis: TIMEOUT[api.data.protocolType].default,
      createdDate: isoSeconds(ctx.clock()),
    } as IntegrationRecord,
    input,
    membersFor(api.data),
  );
  const integration = withDefaults(api.data, draft, input);
  checkIntegration(api.data, integration);
  refuseNotActedOn(ctx, integrationNotActedOn(api.data.protocolType, integration));
  await applyApiChange(ctx, api.id, [
    { write: { op: 'insert', kind: 'integration', scope: api.id, id: integration.integrationId, data: integration } },
  ]);
  return { body: integration as unknown as Record<string, unknown>, createdAt: integration.createdDate };
};


/** GetIntegration: GET /v2/apis/{apiId}/integrations/{integrationId} */
export const getIntegration: OperationHandler = async (input, ctx) => {
  const { item: integration } = await loadChild<IntegrationRecord>(ctx, input, 'integration', 'integrationId', 'Integration');
  return { body: integration.data as unknown as Record<string, unknown>, createdAt: integration.data.createdDate };
};

/** GetIntegrations: GET /v2/apis/{apiId}/integrations */
export const getIntegrations: OperationHandler = async (input, ctx) => {
  const api = await loadApi(ctx, input.apiId as string);
  return listPage(ctx, 'integration', api.id, input);
};

/**
 * The members an integration of this API stores: `passthroughBehavior` is accepted on HTTP APIs
 * and not kept (terraform-provider-aws sends WHEN_NO_MATCH on every create, and its acceptance
 * tests on HTTP APIs read it back empty: integration_test.go basicHTTP, lambdaHTTP).
 */
const membersFor = (api: ApiRecord) => (api.protocolType === 'HTTP' ? MEMBERS.filter((m) => m !== 'passthroughBehavior') : MEMBERS);

/**
 * Mapping maps merge on update: an empty-string request mapping removes it (AWS doc), and a status
 * code's response mappings are replaced whole, `{}` included, which AWS stores and returns
 * (terraform-provider-aws removes a status code's mappings with `{}`; its reader skips empty ones).
 */
function mergeMappings<T>(current: Record<string, T> | undefined, update: Record<string, T> | undefined, removes: (v: T) => boolean = () => false): Record<string, T> | undefined {
  if (update === undefined) return current;
  const out = { ...(current ?? {}) };
  for (const [k, v] of Object.entries(update)) {
    if (removes(v)) delete out[k];
    else setOwn(out, k, v);
  }
  return out;
}

/** UpdateIntegration: PATCH /v2/apis/{apiId}/integrations/{integrationId} */
export const updateIntegration: OperationHandler = async (input, ctx) => {
  const { api, item: current } = await loadChild<IntegrationRecord>(ctx, input, 'integration', 'integrationId', 'Integration');
  const merged: IntegrationRecord = patch(
    current.data,
    input,
    membersFor(api).filter((m) => m !== 'requestParameters' && m !== 'responseParameters'),
    CLEARED_BY_EMPTY.UpdateIntegrationRequest,
  );
  const requestParameters = mergeMappings(current.data.requestParameters, input.requestParameters as Record<string, string> | undefined, (v) => v === '');
  const responseParameters = mergeMappings(current.data.responseParameters, input.responseParameters as Record<string, Record<string, string>> | undefined);
  if (requestParameters) merged.requestParameters = requestParameters;
  if (responseParameters) merged.responseParameters = responseParameters;
  const integration = withDefaults(api, merged, input);
  checkIntegration(api, integration);
  refuseNotActedOn(ctx, integrationNotActedOn(api.protocolType, integration));
  await applyApiChange(ctx, api.apiId, [
    {
      write: { op: 'update', kind: 'integration', scope: api.apiId, id: current.id, data: integration, ifVersion: current.version },
      onError: { NOT_FOUND: () => childNotFound('Integration', current.id) },
    },
  ]);
  return { body: integration as unknown as Record<string, unknown>, createdAt: integration.createdDate };
};

/** DeleteIntegration: DELETE /v2/apis/{apiId}/integrations/{integrationId} — refused while a route targets it. */
export const deleteIntegration: OperationHandler = async (input, ctx) => {
  const { api, item: integration } = await loadChild<IntegrationRecord>(ctx, input, 'integration', 'integrationId', 'Integration');
  await applyApiChange(ctx, api.apiId, [
    {
      write: { op: 'checkUnreferenced', kind: 'route', scope: api.apiId, field: 'target', value: `integrations/${integration.id}` },
      onError: {
        IN_USE: (err) => new ConflictException(`Cannot delete integration '${integration.id}', is referenced in route: ${(err.holder?.data as RouteRecord | undefined)?.routeKey}`),
      },
    },
    {
      write: { op: 'delete', kind: 'integration', scope: api.apiId, id: integration.id, cascade: `${api.apiId}/integrations/${integration.id}` },
      onError: { NOT_FOUND: () => childNotFound('Integration', integration.id) },
    },
  ]);
};
