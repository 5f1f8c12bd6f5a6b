/**
 * DomainNames: CreateDomainName, GetDomainName, GetDomainNames, UpdateDomainName, DeleteDomainName.
 * Gatehouse provisions nothing: a domain name is AVAILABLE at once, and its API mappings and
 * routing rules (scope `domainnames/{domainName}`) go with it on delete.
 * https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/domainnames.html
 */
import { domainNameScope } from '../model/account-region.js';
import { isoSeconds } from '../model/ids.js';
import type { StoredResource } from '../store/store.js';
import { domainNameNotActedOn } from '../model/not-acted-on.js';
import { applySteps } from './batch.js';
import { listPage, refuseNotActedOn } from './common.js';
import type { ControlPlaneContext, OperationHandler } from './context.js';
import { BadRequestException, childNotFound, ConflictException } from './errors.js';
import type { Input } from './input.js';
import type { ApiRecord, DomainNameConfiguration, DomainNameRecord } from '../model/resources.js';
import { checkTags } from './tags.js';



/** The domain name named by a path label (case-insensitive), or AWS's NotFoundException. */
export async function loadDomainName(ctx: ControlPlaneContext, name: string): Promise<StoredResource<DomainNameRecord>> {
  const domain = await ctx.store.get<DomainNameRecord>('domainName', ctx.scope, name.toLowerCase());
  if (!domain) throw childNotFound('DomainName', name);
  return domain;
}

/** AWS's answer when the V2 API is asked to manage an EDGE domain name (seen in serverless-domain-manager#359). */
export const EDGE_NOT_SUPPORTED =
  'Only REGIONAL domain names can be managed through the API Gateway V2 API. For EDGE domain names, please use the API Gateway V1 API. ' +
  'Also note that only REST APIs can be attached to EDGE domain names.';

/**
 * Why an API of this protocol cannot be served by the configuration, if it cannot: HTTP APIs
 * need TLS 1.2 (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-custom-domain-names.html).
 */
export function endpointProblem(protocolType: string, config: DomainNameConfiguration): string | undefined {
  if (protocolType === 'HTTP' && config.securityPolicy !== 'TLS_1_2') {
    return 'HTTP APIs can be mapped only to domain names with the TLS_1_2 security policy';
  }
  return undefined;
}

/**
 * Regional API Gateway hosted zone ids (https://docs.aws.amazon.com/general/latest/gr/apigateway.html).
 * Regions not listed report us-east-1's id.
 */
const HOSTED_ZONES: Readonly<Record<string, string>> = {
  'us-east-1': 'Z1UJRXOUMOOFQ8', 'us-east-2': 'ZOJJZC49E0EPZ', 'us-west-1': 'Z2MUQ32089INYE', 'us-west-2': 'Z2OJLYMUO9EFXC',
  'ca-central-1': 'Z19DQILCV0OWEC', 'sa-east-1': 'ZCMLWB8V5SYIT', 'af-south-1': 'Z2DHW2332DAMTN', 'me-south-1': 'Z20ZBPC0SS8806',
  'eu-central-1': 'Z1U9ULNL0V5AJ3', 'eu-west-1': 'ZLY8HYME6SFDD', 'eu-west-2': 'ZJ5UAJN8Y3Z2Q', 'eu-west-3': 'Z3KY65QIEKYHQQ',
  'eu-north-1': 'Z3UWIKFBOOGXPP', 'eu-south-1': 'Z3BT4WSQ9TDYZV', 'ap-east-1': 'Z3FD1VL90ND7K5', 'ap-south-1': 'Z3VO1THU9YC4UR',
  'ap-northeast-1': 'Z1YSHQZHG15GKL', 'ap-northeast-2': 'Z20JF4UZKIW1U8', 'ap-southeast-1': 'ZL327KTPIQFUL', 'ap-southeast-2': 'Z2RPCDW04V8134',
};

const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const ACM_ARN = /^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[A-Za-z0-9-]+$/;
const S3_URI = /^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\/\S+$/;

/** A DNS name of at least two labels; a wildcard `*` may be the whole first label of three or more. */
function checkDomainNameSyntax(name: string): void {
  const labels = name.split('.');
  const wildcard = labels[0] === '*';
  const rest = wildcard ? labels.slice(1) : labels;
  const ok = name.length <= 253 && rest.length >= 2 && rest.every((l) => LABEL.test(l)) && !/^\d+$/.test(rest[rest.length - 1] as string);
  if (!ok) {
    throw new BadRequestException(`Invalid domain name ${name}: must be a DNS name such as api.example.com, or a wildcard such as *.example.com`);
  }
}

function checkCertificateArn(name: string, arn: string | undefined): void {
  // TODO(parity): AWS also requires an issued ACM certificate for the domain in the API's region.
  if (arn !== undefined && !ACM_ARN.test(arn)) {
    throw new BadRequestException(`Invalid ${name} ${arn}: must be an ACM certificate ARN such as arn:aws:acm:us-east-1:123456789012:certificate/abc-123`);
  }
}

/** Builds the stored configuration from the input, keeping what Gatehouse generated for `previous`. */
function configuration(ctx: ControlPlaneContext, given: Record<string, unknown> | undefined, previous: DomainNameConfiguration | undefined): DomainNameConfiguration {
  const input = given ?? {};
  if (input.endpointType === 'EDGE') throw new BadRequestException(EDGE_NOT_SUPPORTED);
  checkCertificateArn('certificateArn', input.certificateArn as string | undefined);
  checkCertificateArn('ownershipVerificationCertificateArn', input.ownershipVerificationCertificateArn as string | undefined);
  const region = ctx.caller.region;
  const config: DomainNameConfiguration = {
    apiGatewayDomainName: previous?.apiGatewayDomainName ?? `d-${ctx.ids('api')}.execute-api.${region}.amazonaws.com`,
    hostedZoneId: HOSTED_ZONES[region] ?? (HOSTED_ZONES['us-east-1'] as string),
    domainNameStatus: 'AVAILABLE',
    endpointType: 'REGIONAL',
    securityPolicy: (input.securityPolicy as 'TLS_1_0' | 'TLS_1_2' | undefined) ?? 'TLS_1_2',
    ipAddressType: (input.ipAddressType as string | undefined) ?? 'ipv4',
  };
  for (const name of ['certificateArn', 'certificateName', 'ownershipVerificationCertificateArn'] as const) {
    if (input[name] !== undefined) config[name] = input[name] as string;
  }
  // No certificateUploadDate: AWS reports it for uploaded (edge) certificates, not for REGIONAL
  // domains with an ACM certificate (the AWS CLI's create-domain-name and get-domain-name examples).
  return config;
}

function configurations(ctx: ControlPlaneContext, input: Input, previous: DomainNameConfiguration[]): DomainNameConfiguration[] {
  const given = input.domainNameConfigurations as Record<string, unknown>[] | undefined;
  if (given !== undefined && given.length > 1) throw new BadRequestException('A domain name can have only one domain name configuration');
  return [configuration(ctx, given?.[0], previous[0])];
}

/** The mutual TLS configuration given; none for an absent or `""` truststoreUri (terraform-provider-aws domain_name.go turns mutual TLS off with `""`). */
function mutualTls(input: Input, config: DomainNameConfiguration): DomainNameRecord['mutualTlsAuthentication'] {
  const given = input.mutualTlsAuthentication as { truststoreUri?: string; truststoreVersion?: string } | undefined;
  if (given?.truststoreUri === undefined || given.truststoreUri === '') return undefined;
  if (!S3_URI.test(given.truststoreUri)) {
    throw new BadRequestException(`Invalid truststoreUri ${given.truststoreUri}: must be an S3 URI such as s3://bucket-name/key-name`);
  }
  if (config.securityPolicy !== 'TLS_1_2') throw new BadRequestException('Mutual TLS authentication requires the TLS_1_2 security policy');
  return { truststoreUri: given.truststoreUri, ...(given.truststoreVersion !== undefined ? { truststoreVersion: given.truststoreVersion } : {}) };
}

/** CreateDomainName: POST /v2/domainnames */
export const createDomainName: OperationHandler = async (input, ctx) => {
  // Stored under its lower-cased name (DNS names are case-insensitive); rendered as given (the AWS CLI's get-domain-names example).
  const given = input.domainName as string;
  const name = given.toLowerCase();
  checkDomainNameSyntax(name);
  const tags = (input.tags as Record<string, string> | undefined) ?? {};
  checkTags(tags);
  const now = isoSeconds(ctx.clock());
  const domainNameConfigurations = configurations(ctx, input, []);
  const mtls = mutualTls(input, domainNameConfigurations[0] as DomainNameConfiguration);
  const domain: DomainNameRecord = {
    domainName: given,
    domainNameArn: `arn:aws:apigateway:${ctx.caller.region}::/domainnames/${given}`,
    apiMappingSelectionExpression: '$request.basepath',
    domainNameConfigurations,
    ...(mtls ? { mutualTlsAuthentication: mtls } : {}),
    routingMode: (input.routingMode as string | undefined) ?? 'API_MAPPING_ONLY',
    tags,
    createdDate: now,
  };
  refuseNotActedOn(ctx, domainNameNotActedOn(domain, ctx.config.tls?.truststores));
  await applySteps(ctx.store, [
    {
      write: { op: 'insert', kind: 'domainName', scope: ctx.scope, id: name, data: domain },
      onError: { CONFLICT: () => new ConflictException('The domain name you provided already exists.') },
    },
  ]);
  return { body: withoutEmptyTags(domain), createdAt: now };
};

/**
 * A domain name as CreateDomainName, UpdateDomainName and GetDomainNames render it: without tags
 * when it has none (GetDomainName shows `{}`); the AWS CLI's domain name examples.
 */
function withoutEmptyTags(domain: DomainNameRecord): Record<string, unknown> {
  const { tags, ...rest } = domain;
  return Object.keys(tags).length === 0 ? rest : { ...rest, tags };
}

/** GetDomainName: GET /v2/domainnames/{domainName} */
export const getDomainName: OperationHandler = async (input, ctx) => {
  const domain = await loadDomainName(ctx, input.domainName as string);
  return { body: domain.data as unknown as Record<string, unknown>, createdAt: domain.data.createdDate };
};

/** GetDomainNames: GET /v2/domainnames */
export const getDomainNames: OperationHandler = async (input, ctx) =>
  listPage(ctx, 'domainName', ctx.scope, input, (item) => withoutEmptyTags(item.data as unknown as DomainNameRecord));

/** Refuses a configuration that an API already mapped to the domain (or a routing rule's target) cannot be served by. */
async function checkMappedApis(ctx: ControlPlaneContext, domainName: string, config: DomainNameConfiguration): Promise<void> {
  const scope = domainNameScope(ctx.caller, domainName);
  const mappings = await ctx.store.listAll<{ apiId: string }>('apiMapping', scope);
  const rules = await ctx.store.listAll<{ actions: { invokeApi: { apiId: string } }[] }>('routingRule', scope);
  const apiIds = new Set([...mappings.map((m) => m.data.apiId), ...rules.flatMap((r) => r.data.actions.map((a) => a.invokeApi.apiId))]);
  for (const apiId of apiIds) {
    const api = await ctx.store.get<ApiRecord>('api', ctx.scope, apiId);
    const problem = api && endpointProblem(api.data.protocolType, config);
    if (problem) throw new BadRequestException(`${problem}; API ${apiId} is mapped to ${domainName}`);
  }
}

/** UpdateDomainName: PATCH /v2/domainnames/{domainName} — a given configuration replaces the current one. */
export const updateDomainName: OperationHandler = async (input, ctx) => {
  const current = await loadDomainName(ctx, input.domainName as string);
  const next: DomainNameRecord = { ...current.data };
  if (input.domainNameConfigurations !== undefined) {
    next.domainNameConfigurations = configurations(ctx, input, current.data.domainNameConfigurations);
    await checkMappedApis(ctx, current.id, next.domainNameConfigurations[0] as DomainNameConfiguration);
  }
  if (input.mutualTlsAuthentication !== undefined) {
    // The members given change those stored (a new truststoreVersion alone keeps the truststore:
    // terraform-provider-aws domain_name_test.go MutualTLSAuthentication step 2); a truststoreUri of
    // "" (or none at all) turns mutual TLS off.
    const given = input.mutualTlsAuthentication as { truststoreUri?: string; truststoreVersion?: string };
    const merged = given.truststoreUri === undefined && next.mutualTlsAuthentication ? { ...next.mutualTlsAuthentication, ...given } : given;
    const mtls = mutualTls({ mutualTlsAuthentication: merged }, next.domainNameConfigurations[0] as DomainNameConfiguration);
    if (mtls) next.mutualTlsAuthentication = mtls;
    else delete next.mutualTlsAuthentication;
  } else if (next.mutualTlsAuthentication) {
    mutualTls({ mutualTlsAuthentication: next.mutualTlsAuthentication }, next.domainNameConfigurations[0] as DomainNameConfiguration);
  }
  if (input.routingMode !== undefined) next.routingMode = input.routingMode as string;
  refuseNotActedOn(ctx, domainNameNotActedOn(next, ctx.config.tls?.truststores));
  await applySteps(ctx.store, [
    {
      write: { op: 'update', kind: 'domainName', scope: ctx.scope, id: current.id, data: next, ifVersion: current.version },
      onError: { NOT_FOUND: () => childNotFound('DomainName', current.id) },
    },
  ]);
  return { body: withoutEmptyTags(next), createdAt: next.createdDate };
};

/** DeleteDomainName: DELETE /v2/domainnames/{domainName} — with its API mappings and routing rules. */
export const deleteDomainName: OperationHandler = async (input, ctx) => {
  const domain = await loadDomainName(ctx, input.domainName as string);
  await applySteps(ctx.store, [
    {
      write: { op: 'delete', kind: 'domainName', scope: ctx.scope, id: domain.id, cascade: domainNameScope(ctx.caller, domain.id) },
      onError: { NOT_FOUND: () => childNotFound('DomainName', domain.id) },
    },
  ]);
};
