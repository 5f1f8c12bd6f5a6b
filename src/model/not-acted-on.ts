/**
 * Configuration Gatehouse accepts and stores, because AWS accepts it (README "Fidelity"), but whose
 * behaviour the data plane does not provide. Each entry says whether AWS itself ignores the member
 * there (`awsIgnores`: Gatehouse then behaves as AWS does) or whether it is a gap in Gatehouse.
 * The data plane logs the entries of a stage when it compiles it; `--strict` refuses the gaps at
 * the write that would store them. One list, read by both planes, so they cannot disagree.
 */
import { parseLambdaUri } from './lambda-arn.js';
import type {
  ApiRecord,
  AuthorizerRecord,
  DeploymentSnapshot,
  DomainNameRecord,
  IntegrationRecord,
  RouteRecord,
  StageRecord,
} from './resources.js';

/** A member Gatehouse stores but does not act on. */
export interface NotActedOn {
  /** Where: `integration abc1234 integrationSubtype`, `route GET /pets apiKeyRequired`. */
  readonly member: string;
  /** What Gatehouse does instead. */
  readonly reason: string;
  /** AWS ignores it here too (Gatehouse behaves as AWS); otherwise a gap `--strict` refuses. */
  readonly awsIgnores: boolean;
}

type Protocol = ApiRecord['protocolType'];

const hasKeys = (v: object | undefined) => v !== undefined && Object.keys(v).length > 0;
const isLambdaUri = (uri: string | undefined) => uri !== undefined && parseLambdaUri(uri) !== undefined;

/** An API's own members. */
export function apiNotActedOn(api: Pick<ApiRecord, 'protocolType' | 'corsConfiguration' | 'disableSchemaValidation'>): NotActedOn[] {
  const out: NotActedOn[] = [];
  if (api.protocolType === 'WEBSOCKET' && api.corsConfiguration) {
    out.push({ member: 'api corsConfiguration', reason: 'CORS applies to HTTP APIs; WebSocket handshakes do not use it', awsIgnores: true });
  }
  if (api.protocolType === 'HTTP' && api.disableSchemaValidation) {
    out.push({ member: 'api disableSchemaValidation', reason: 'HTTP APIs do not validate request bodies', awsIgnores: true });
  }
  return out;
}

/** Quick-create members sent to CreateApi/UpdateApi of a WebSocket API (quick create makes HTTP APIs only). */
export function quickCreateNotActedOn(protocolType: Protocol, input: { target?: unknown; routeKey?: unknown; credentialsArn?: unknown }): NotActedOn[] {
  if (protocolType !== 'WEBSOCKET') return [];
  return (['target', 'routeKey', 'credentialsArn'] as const)
    .filter((m) => input[m] !== undefined)
    .map((m) => ({ member: `api ${m}`, reason: 'quick create makes HTTP APIs; on a WebSocket API nothing is created', awsIgnores: false }));
}

/** A route's members. */
export function routeNotActedOn(protocolType: Protocol, route: RouteRecord): NotActedOn[] {
  const out: NotActedOn[] = [];
  const at = `route ${route.routeKey}`;
  if (protocolType === 'HTTP') {
    const ignored: [boolean, string][] = [
      [route.apiKeyRequired, 'apiKeyRequired'],
      [hasKeys(route.requestModels), 'requestModels'],
      [hasKeys(route.requestParameters), 'requestParameters'],
      [route.modelSelectionExpression !== undefined, 'modelSelectionExpression'],
      [route.routeResponseSelectionExpression !== undefined, 'routeResponseSelectionExpression'],
    ];
    for (const [set, member] of ignored) if (set) out.push({ member: `${at} ${member}`, reason: 'HTTP APIs do not use it', awsIgnores: true });
    return out;
  }
  if (route.apiKeyRequired && route.routeKey !== '$connect') {
    out.push({ member: `${at} apiKeyRequired`, reason: 'API keys are checked on $connect only: messages to the route are not checked', awsIgnores: false });
  }
  if (route.routeKey !== '$connect') {
    for (const [key, settings] of Object.entries(route.requestParameters ?? {})) {
      if (settings.required) out.push({ member: `${at} requestParameters ${key}`, reason: 'required request parameters are enforced on $connect only', awsIgnores: false });
    }
  }
  return out;
}

/** An integration's members. */
export function integrationNotActedOn(protocolType: Protocol, i: IntegrationRecord): NotActedOn[] {
  const out: NotActedOn[] = [];
  const at = `integration ${i.integrationId}`;
  const gap = (member: string, reason: string) => out.push({ member: `${at} ${member}`, reason, awsIgnores: false });
  const ignored = (member: string, reason: string) => out.push({ member: `${at} ${member}`, reason, awsIgnores: true });
  if (i.connectionType === 'VPC_LINK') gap('connectionType VPC_LINK', 'private integrations through VPC links are not called: requests answer 500');
  if (protocolType === 'HTTP') {
    if (i.integrationType === 'AWS_PROXY' && i.integrationSubtype === undefined && hasKeys(i.requestParameters)) {
      gap('requestParameters', 'request parameter mapping into Lambda events is not implemented: requests answer 500');
    }
    if (hasKeys(i.requestTemplates)) ignored('requestTemplates', 'HTTP API proxy integrations do not transform requests');
    if (i.templateSelectionExpression !== undefined) ignored('templateSelectionExpression', 'HTTP API proxy integrations do not transform requests');
    if (i.contentHandlingStrategy !== undefined) ignored('contentHandlingStrategy', 'HTTP API proxy integrations do not convert bodies');
    return out;
  }
  if (i.integrationType === 'AWS' && !isLambdaUri(i.integrationUri)) {
    gap('integrationType AWS', 'AWS service actions are not called (AWS integrations with a Lambda function are): messages get an Internal server error frame');
  }
  if (hasKeys(i.requestParameters) && i.integrationType !== 'HTTP' && i.integrationType !== 'HTTP_PROXY') {
    gap('requestParameters', 'request parameters are mapped into HTTP integration requests only');
  }
  if (i.integrationSubtype !== undefined) ignored(`integrationSubtype ${i.integrationSubtype}`, 'service integration subtypes belong to HTTP APIs');
  if (i.tlsConfig !== undefined) ignored('tlsConfig', 'WebSocket integrations are not proxied over TLS by Gatehouse');
  if (hasKeys(i.responseParameters)) ignored('responseParameters', 'WebSocket APIs map responses with integration responses');
  return out;
}

/** An authorizer's members. */
export function authorizerNotActedOn(protocolType: Protocol, a: AuthorizerRecord): NotActedOn[] {
  const at = `authorizer ${a.authorizerId}`;
  const out: NotActedOn[] = [];
  if (a.identityValidationExpression !== undefined) out.push({ member: `${at} identityValidationExpression`, reason: 'only REST API authorizers use it', awsIgnores: true });
  if (protocolType === 'WEBSOCKET' && a.enableSimpleResponses) {
    out.push({ member: `${at} enableSimpleResponses`, reason: 'WebSocket Lambda authorizers answer with IAM policies', awsIgnores: true });
  }
  return out;
}

/** A stage's members. */
export function stageNotActedOn(protocolType: Protocol, stage: StageRecord): NotActedOn[] {
  const at = `stage ${stage.stageName}`;
  const out: NotActedOn[] = [];
  if (stage.clientCertificateId !== undefined) out.push({ member: `${at} clientCertificateId`, reason: 'integrations are called without a client certificate', awsIgnores: protocolType === 'HTTP' });
  const settings = [['defaultRouteSettings', stage.defaultRouteSettings], ...Object.entries(stage.routeSettings).map(([k, v]) => [`routeSettings ${k}`, v])] as [string, Record<string, unknown>][];
  for (const [where, s] of settings) {
    if (s.detailedMetricsEnabled === true) out.push({ member: `${at} ${where} detailedMetricsEnabled`, reason: 'no CloudWatch metrics are published', awsIgnores: false });
    if (s.dataTraceEnabled === true || (s.loggingLevel !== undefined && s.loggingLevel !== 'OFF')) {
      out.push({ member: `${at} ${where} loggingLevel/dataTraceEnabled`, reason: 'no CloudWatch execution logs are written (access logs are)', awsIgnores: false });
    }
  }
  return out;
}

/**
 * A domain name's members. `truststores` are the TLS listener's (config `truststores`: truststore
 * URI -> PEM bundle), undefined without a TLS listener: mutual TLS is acted on when its truststore is one.
 */
export function domainNameNotActedOn(domain: DomainNameRecord, truststores?: Readonly<Record<string, string>>): NotActedOn[] {
  const at = `domain name ${domain.domainName}`;
  const out: NotActedOn[] = [];
  const truststoreUri = domain.mutualTlsAuthentication?.truststoreUri;
  if (truststoreUri !== undefined && truststores === undefined) {
    out.push({ member: `${at} mutualTlsAuthentication`, reason: 'Gatehouse has no TLS listener (--tls-port): the domain is served over plain HTTP and no client certificates are checked', awsIgnores: false });
  } else if (truststoreUri !== undefined && !Object.hasOwn(truststores ?? {}, truststoreUri)) {
    out.push({ member: `${at} mutualTlsAuthentication`, reason: `no local truststore is configured for ${truststoreUri} (config truststores): the TLS listener refuses the domain's handshakes`, awsIgnores: false });
  }
  return out;
}

/** Everything a compiled stage stores but does not act on: its deployment's configuration and the stage itself. */
export function stageConfigurationNotActedOn(snapshot: DeploymentSnapshot, stage: StageRecord): NotActedOn[] {
  const protocol = snapshot.api.protocolType;
  return [
    ...apiNotActedOn(snapshot.api),
    ...snapshot.routes.flatMap((r) => routeNotActedOn(protocol, r)),
    ...snapshot.integrations.flatMap((i) => integrationNotActedOn(protocol, i)),
    ...snapshot.authorizers.flatMap((a) => authorizerNotActedOn(protocol, a)),
    ...stageNotActedOn(protocol, stage),
  ];
}
