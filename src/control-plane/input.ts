/**
 * Binds a request to its operation's input shape (labels, query, JSON body) and validates it
 * against the model: types, enums, numeric ranges, the string lengths the model keeps only in
 * its shape names, and required members. Validation happens here, once; handlers get trusted input.
 * Messages use AWS's validation wording and name the member path.
 */
import type { MemberSpec, OperationSpec } from '../model/service-model.js';
import { membersOf, shape } from '../model/service-model.js';
import { jsonNestingExceeds } from '../model/json-depth.js';
import { BadRequestException } from './errors.js';

/** A validated operation input keyed by wire (jsonName) member names. */
export type Input = Record<string, unknown>;

/**
 * Optional members an Update operation clears with `""`. Terraform sends `""` for every removed
 * attribute and AWS reads them back unset (terraform-provider-aws internal/service/apigatewayv2:
 * api_test.go allAttributes, route_test.go simpleAttributes, stage_test.go clientCertificateId,
 * model_test.go, authorizer_test.go credentials, domain_name.go truststoreUri; route.go and
 * integration.go send `""` for a removed target or connectionId). Minimum lengths apply on Create.
 */
export const CLEARED_BY_EMPTY: Readonly<Record<string, readonly string[]>> = {
  UpdateApiRequest: ['description', 'version'],
  UpdateRouteRequest: ['authorizerId', 'modelSelectionExpression', 'operationName', 'routeResponseSelectionExpression', 'target'],
  UpdateIntegrationRequest: ['connectionId', 'credentialsArn', 'description', 'integrationMethod', 'integrationSubtype', 'integrationUri', 'templateSelectionExpression'],
  UpdateAuthorizerRequest: ['authorizerCredentialsArn', 'authorizerPayloadFormatVersion', 'authorizerUri', 'identityValidationExpression'],
  UpdateStageRequest: ['clientCertificateId', 'deploymentId', 'description'],
  UpdateDeploymentRequest: ['description'],
  UpdateModelRequest: ['description'],
  UpdateRouteResponseRequest: ['modelSelectionExpression'],
  UpdateIntegrationResponseRequest: ['templateSelectionExpression'],
};

/**
 * Members in which an empty string is accepted whatever the shape's length, down to their nested
 * values: in an update it removes a parameter mapping
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-parameter-mapping.html), and
 * `truststoreUri: ""` turns mutual TLS off (terraform-provider-aws domain_name.go).
 */
const EMPTY_ACCEPTED = new Set([
  'UpdateIntegrationRequest.requestParameters',
  'UpdateIntegrationRequest.responseParameters',
  'UpdateDomainNameRequest.mutualTlsAuthentication',
  ...Object.entries(CLEARED_BY_EMPTY).flatMap(([shape, members]) => members.map((m) => `${shape}.${m}`)),
]);

/**
 * Members the model marks required that AWS documents as optional: identitySource may be absent for
 * REQUEST authorizers (the resource module requires it for JWT). shared/reference/TRAPS.md 19b.
 */
const OPTIONAL_DESPITE_MODEL = new Set(['CreateAuthorizerRequest.identitySource']);

/** Messages AWS gives for some missing required members, instead of the generic one. */
const REQUIRED_MESSAGES: Readonly<Record<string, string>> = {
  routeKey: 'Route key is required',
};

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const show = (v: unknown) => {
  const text = typeof v === 'string' ? v : JSON.stringify(v);
  return text.length > 100 ? `${text.slice(0, 100)}...` : text;
};

/**
 * Deepest nesting of arrays and objects a request body may have. No operation's input nests more than
 * a few levels; deeper bodies are refused before they are parsed, since Gatehouse's validation and
 * error messages recurse over the value (and overflowed at about 4,000 levels). 1,000 is the default
 * nesting limit of Jackson's StreamReadConstraints; the parse errors API Gateway quotes are Jackson's.
 */
export const MAX_BODY_NESTING = 1000;

/**
 * API Gateway's words for a body that is not JSON, as its REST data plane answers them
 * (https://github.com/serverless/serverless/issues/2270,
 * https://github.com/aws-quickstart/quickstart-git2s3/issues/11).
 * TODO(parity): the management API's own text for an unparsable or too deeply nested body is not public.
 */
const UNPARSABLE = 'Could not parse request body into json:';

/** Parses the JSON body of a request; an empty body is an empty object. */
export function parseJsonBody(body: Buffer): Record<string, unknown> {
  if (body.length === 0) return {};
  if (jsonNestingExceeds(body, MAX_BODY_NESTING)) {
    throw new BadRequestException(`${UNPARSABLE} Document nesting depth exceeds the maximum allowed (${MAX_BODY_NESTING})`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch (err) {
    throw new BadRequestException(`${UNPARSABLE} ${(err as Error).message}`);
  }
  if (!isObject(parsed)) throw new BadRequestException(`${UNPARSABLE} the body must be a JSON object`);
  return parsed;
}

function fromQuery(member: MemberSpec, name: string, params: URLSearchParams): unknown {
  const s = shape(member.shape);
  if (s.type === 'list') return params.getAll(name);
  const value = params.get(name) as string;
  if (s.type === 'integer') return /^-?\d+$/.test(value) ? Number(value) : value;
  if (s.type === 'boolean') return value === 'true' ? true : value === 'false' ? false : value;
  return value;
}

/** Binds and validates the input of `spec` from the decoded labels, the query and the body. */
export function bindInput(spec: OperationSpec, labels: Readonly<Record<string, string>>, query: URLSearchParams, body: Buffer): Input {
  if (!spec.input) return {};
  const members = membersOf(spec.input);
  const hasBody = Object.values(members).some((m) => m.location === undefined);
  const json = hasBody ? parseJsonBody(body) : {};
  const input: Input = {};
  for (const [name, member] of Object.entries(members)) {
    let value: unknown;
    switch (member.location) {
      case 'label':
        value = labels[member.wireName as string];
        break;
      case 'query':
        if (query.has(member.wireName as string)) value = fromQuery(member, member.wireName as string, query);
        break;
      case 'payload':
        value = body;
        break;
      case 'header':
        break;
      default:
        // AWS's JSON deserializer treats an explicit null as an absent member
        if (json[name] !== null) value = json[name];
    }
    if (value !== undefined) input[name] = value;
  }
  const errors: Violation[] = [];
  validateStructure(spec.input, input, '', errors, false);
  const [first] = errors;
  if (!first) return input;
  const known = errors.length === 1 && first.missing ? REQUIRED_MESSAGES[first.at] : undefined;
  if (known) throw new BadRequestException(known);
  const plural = errors.length === 1 ? 'error' : 'errors';
  throw new BadRequestException(`${errors.length} validation ${plural} detected: ${errors.map((e) => e.text).join('; ')}`);
}

/** One failed constraint: where, AWS's wording, and whether it is a missing required member. */
interface Violation {
  readonly at: string;
  readonly text: string;
  readonly missing?: boolean;
}

function validateStructure(shapeName: string, value: Record<string, unknown>, path: string, errors: Violation[], emptyOk: boolean): void {
  for (const [name, member] of Object.entries(membersOf(shapeName))) {
    const at = path ? `${path}.${name}` : name;
    const allowEmpty = emptyOk || EMPTY_ACCEPTED.has(`${shapeName}.${name}`);
    const v = value[name];
    if (v === undefined || v === null) {
      if (v === null) delete value[name];
      if (member.required && !OPTIONAL_DESPITE_MODEL.has(`${shapeName}.${name}`)) errors.push({ at, missing: true, text: `Value null at '${at}' failed to satisfy constraint: Member must not be null` });
      continue;
    }
    validateValue(member.shape, v, at, errors, allowEmpty);
  }
}

function validateValue(shapeName: string, v: unknown, at: string, errors: Violation[], emptyOk: boolean): void {
  const s = shape(shapeName);
  const fail = (constraint: string) => errors.push({ at, text: `Value '${show(v)}' at '${at}' failed to satisfy constraint: ${constraint}` });
  switch (s.type) {
    case 'string':
    case 'timestamp':
      if (typeof v !== 'string') return void fail('Member must be a string');
      if (s.type === 'string' && s.min !== undefined && v.length < s.min && !(emptyOk && v === '')) fail(`Member must have length greater than or equal to ${s.min}`);
      if (s.type === 'string' && s.max !== undefined && v.length > s.max) fail(`Member must have length less than or equal to ${s.max}`);
      return;
    case 'enum':
      if (typeof v !== 'string' || !s.values.includes(v)) fail(`Member must satisfy enum value set: [${s.values.join(', ')}]`);
      return;
    case 'integer':
    case 'double':
      if (typeof v !== 'number' || !Number.isFinite(v) || (s.type === 'integer' && !Number.isInteger(v))) {
        return void fail(`Member must be ${s.type === 'integer' ? 'an integer' : 'a number'}`);
      }
      if (s.min !== undefined && v < s.min) fail(`Member must have value greater than or equal to ${s.min}`);
      if (s.max !== undefined && v > s.max) fail(`Member must have value less than or equal to ${s.max}`);
      return;
    case 'boolean':
      if (typeof v !== 'boolean') fail('Member must be a boolean');
      return;
    case 'blob':
      return;
    case 'list':
      if (!Array.isArray(v)) return void fail('Member must be a list');
      v.forEach((item, i) => validateValue(s.member, item, `${at}.${i + 1}.member`, errors, emptyOk));
      return;
    case 'map':
      if (!isObject(v)) return void fail('Member must be a map');
      for (const [k, item] of Object.entries(v)) {
        validateValue(s.key, k, `${at}.${k}.key`, errors, false);
        validateValue(s.value, item, `${at}.${k}.value`, errors, emptyOk);
      }
      return;
    case 'structure':
      if (!isObject(v)) return void fail('Member must be a structure');
      validateStructure(shapeName, v, at, errors, emptyOk);
      return;
  }
}
