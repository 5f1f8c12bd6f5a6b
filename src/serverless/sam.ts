/**
 * Loads an AWS SAM template (YAML with the CloudFormation short forms `!Ref`, `!Sub`, ... or JSON)
 * into the same project description a serverless.yml becomes, so the same machinery applies and
 * serves it: `AWS::Serverless::Function` (Handler, CodeUri, Runtime nodejs*, Environment, Timeout,
 * MemorySize, `HttpApi` events) and `AWS::Serverless::HttpApi` (StageName, CorsConfiguration, JWT
 * authorizers, DefaultAuthorizer); `Parameters` (Default, overrides), `Conditions`, `Globals.Function`,
 * pseudo-parameters. What Gatehouse cannot serve is a ServerlessError naming the logical id and property.
 * https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-resource-httpapi.html
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference.html
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, extname, join, resolve as resolvePath } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { Tags } from 'yaml';
import { DEFAULT_ACCOUNT_ID } from '../model/account-region.js';
import type { HttpApiAuthorizer, HttpApiCors, HttpApiRoute, LoadOptions, ServerlessFunction, ServerlessProject } from './project.js';
import { ProjectLoader } from './project.js';
import { API_TYPES, attributesOf, isApiGatewayV2Type, physicalId, templateApis } from './apigatewayv2.js';
import type { DesiredApi } from './resources.js';
import { apiIds } from './resources.js';
import type { KeyPath, SourceDocument } from './variables.js';
import { parseSource, ServerlessError, showPath } from './variables.js';

/** Options of a template load. */
export interface TemplateOptions {
  /** `--parameter-overrides`: parameter values by name. */
  readonly parameterOverrides?: Readonly<Record<string, string>>;
  /** AWS::Region. */
  readonly region: string;
  /** AWS::StackName (default `sam-app`). */
  readonly stackName?: string;
  readonly typescript?: boolean;
  /**
   * Local copies of S3 objects a template names (CDK assets, packaged code): S3Key → absolute path of
   * a folder (`AWS::Lambda::Function` `Code.S3Key`) or a file (`AWS::ApiGatewayV2::Api` `BodyS3Location.Key`).
   */
  readonly assetPaths?: Readonly<Record<string, string>>;
  /** Where `Code.ZipFile` inline sources are written (default `<template folder>/.gatehouse/template-functions`). */
  readonly inlineCodeDirectory?: string;
  /** `Fn::GetAtt Api.ApiEndpoint`: the API's endpoint as the management API reports it (default path style on localhost:4580). */
  readonly apiEndpoint?: (apiId: string, protocolType: string) => string;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Short form → long form of the intrinsics the loader knows (others are refused by name). */
const SHORT_FORMS: Readonly<Record<string, string>> = {
  Ref: 'Ref', Sub: 'Fn::Sub', GetAtt: 'Fn::GetAtt', If: 'Fn::If', Equals: 'Fn::Equals', Join: 'Fn::Join', Select: 'Fn::Select', Split: 'Fn::Split',
  Not: 'Fn::Not', And: 'Fn::And', Or: 'Fn::Or', Condition: 'Condition', ImportValue: 'Fn::ImportValue', FindInMap: 'Fn::FindInMap', Base64: 'Fn::Base64',
  Cidr: 'Fn::Cidr', GetAZs: 'Fn::GetAZs', Transform: 'Fn::Transform',
};

/** yaml custom tags: `!Ref X` → `{Ref: X}`, `!Join [a, [b]]` → `{'Fn::Join': [a, [b]]}`, each in scalar, sequence and mapping form. */
function cloudFormationTags(): Tags {
  const tags: Tags = [];
  for (const [short, long] of Object.entries(SHORT_FORMS)) {
    const wrap = (value: unknown) => ({ [long]: short === 'GetAtt' && typeof value === 'string' ? value.split('.') : value });
    tags.push({ tag: `!${short}`, resolve: (str: string) => wrap(str) });
    tags.push({ tag: `!${short}`, collection: 'seq', resolve: (seq) => wrap((seq as { toJSON(): unknown }).toJSON()) } as Tags[number]);
    tags.push({ tag: `!${short}`, collection: 'map', resolve: (map) => wrap((map as { toJSON(): unknown }).toJSON()) } as Tags[number]);
  }
  return tags;
}

/** Resource types that do not define or change an API: accepted, logged once each, not served. */
const IGNORED_TYPE = /^AWS::(DynamoDB|Lambda::LayerVersion|Lambda::Version|Lambda::Alias|IAM|S3|SQS|SNS|Logs|Events|KMS|SecretsManager|SSM|CloudWatch|StepFunctions|CDK::Metadata|Serverless::(SimpleTable|LayerVersion|StateMachine))(::|$)/;
/** Custom resources: accepted with a note, their provider not invoked. */
const CUSTOM_RESOURCE_TYPE = /^(Custom::[A-Za-z0-9_@-]+|AWS::CloudFormation::CustomResource)$/;
/** AWS::Lambda::Function properties Gatehouse runs. */
const LAMBDA_KEYS = ['Handler', 'Runtime', 'Code', 'Environment', 'Timeout', 'MemorySize', 'FunctionName'];
/** AWS::Lambda::Function properties that configure the deployment only (accepted, not evaluated). */
const LAMBDA_DEPLOYMENT_KEYS = [
  'Role', 'Description', 'Architectures', 'Layers', 'VpcConfig', 'Tags', 'TracingConfig', 'ReservedConcurrentExecutions', 'DeadLetterConfig', 'KmsKeyArn',
  'EphemeralStorage', 'LoggingConfig', 'RuntimeManagementConfig', 'PackageType', 'FileSystemConfigs', 'CodeSigningConfigArn', 'SnapStartConfig', 'RecursiveLoop',
];
const FUNCTION_KEYS = ['Handler', 'CodeUri', 'Runtime', 'Environment', 'Timeout', 'MemorySize', 'Events', 'FunctionName'];
/** Function properties that configure the deployment only. */
const FUNCTION_DEPLOYMENT_KEYS = [
  'Description', 'Role', 'Policies', 'Architectures', 'Tracing', 'Layers', 'VpcConfig', 'Tags', 'AutoPublishAlias', 'ReservedConcurrentExecutions',
  'DeadLetterQueue', 'KmsKeyArn', 'PermissionsBoundary', 'ProvisionedConcurrencyConfig', 'EphemeralStorage', 'LoggingConfig', 'RuntimeManagementConfig',
  'PackageType', 'DeploymentPreference', 'EventInvokeConfig', 'AssumeRolePolicyDocument', 'RolePath', 'SnapStart', 'FileSystemConfigs', 'CodeSigningConfigArn',
];
const GLOBAL_FUNCTION_KEYS = ['Handler', 'Runtime', 'Timeout', 'MemorySize', 'Environment', 'CodeUri', ...FUNCTION_DEPLOYMENT_KEYS];
/** Members Gatehouse accepts but does not yet carry into the API it creates: each is named in a start-up note. */
const UNAPPLIED_HTTP_API_KEYS = ['Description', 'FailOnWarnings', 'Tags', 'StageVariables', 'AccessLogSettings', 'DefaultRouteSettings', 'RouteSettings', 'PropagateTags'];
const UNAPPLIED_EVENT_KEYS = ['TimeoutInMillis', 'RouteSettings'];
const HTTP_API_KEYS = ['StageName', 'CorsConfiguration', 'Auth', 'Name', 'DefinitionBody', 'DefinitionUri', 'Description', 'FailOnWarnings', 'Tags', 'StageVariables', 'AccessLogSettings', 'DefaultRouteSettings', 'RouteSettings', 'PropagateTags'];
const TOP_KEYS = ['AWSTemplateFormatVersion', 'Transform', 'Description', 'Metadata', 'Parameters', 'Conditions', 'Globals', 'Resources', 'Outputs', 'Mappings', 'Rules'];
const FUNCTION_TYPES = ['AWS::Serverless::Function', 'AWS::Lambda::Function'];
/** Resource attributes: CloudFormation's, and SAM's `Connectors` and `IgnoreGlobals`. */
const RESOURCE_KEYS = ['Type', 'Properties', 'Condition', 'DependsOn', 'Metadata', 'DeletionPolicy', 'UpdateReplacePolicy', 'UpdatePolicy', 'CreationPolicy', 'Connectors', 'IgnoreGlobals'];

interface Api {
  readonly id: string;
  readonly name: string;
  readonly stageName: string;
  readonly cors?: HttpApiCors;
  readonly authorizers: HttpApiAuthorizer[];
  /** An authorizer name, or AWS_IAM. */
  readonly defaultAuthorizer?: string;
  /** Auth.EnableIamAuthorizer: routes may use AWS_IAM. */
  readonly iam?: boolean;
  /** DefinitionBody / DefinitionUri: the OpenAPI document the events are merged into. */
  readonly definition?: Record<string, unknown>;
  readonly path: KeyPath;
}

/** Reads and loads a SAM template. */
export function loadSamTemplate(file: string, options: TemplateOptions): ServerlessProject {
  const path = resolvePath(file);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ServerlessError(`${file}: cannot read the template: ${(err as Error).message}`);
  }
  return parseSamTemplate(path, text, options);
}

/** Checks and converts the text of a SAM template at `path` (CodeUri is relative to it). */
export function parseSamTemplate(path: string, text: string, options: TemplateOptions): ServerlessProject {
  const doc = parseSource(path, text, cloudFormationTags());
  if (!isObject(doc.value)) throw new ServerlessError(`${path}: the file must hold a template object (Resources, ...)`);
  return new TemplateLoader(doc, doc.value, options).load();
}

class TemplateLoader {
  readonly #base: ProjectLoader;
  readonly #parameters = new Map<string, string | string[]>();
  readonly #conditions = new Map<string, boolean>();
  readonly #resources: Record<string, Record<string, unknown>> = {};
  /** Members accepted and not applied (UNAPPLIED_*), said at start-up rather than dropped silently. */
  readonly #unapplied: string[] = [];
  readonly #stack: string;
  readonly #functionNames = new Map<string, string>();

  constructor(
    readonly doc: SourceDocument,
    readonly root: Record<string, unknown>,
    readonly options: TemplateOptions,
  ) {
    const loadOptions: LoadOptions = { env: {}, options: {}, ...(options.typescript ? { typescript: true } : {}) };
    this.#base = new ProjectLoader(doc, root, loadOptions);
    this.#stack = options.stackName ?? 'sam-app';
  }

  fail(path: KeyPath, message: string): never {
    throw new ServerlessError(`${this.doc.where(path)}: ${showPath(path)}: ${message}`);
  }

  /** `Globals.Function` as one function sees it: SAM's `IgnoreGlobals` (`'*'` or a list of property names) leaves those out. */
  globalsOf(globals: Record<string, unknown>, ignore: unknown, path: KeyPath): Record<string, unknown> {
    if (ignore === undefined) return globals;
    if (ignore === '*') return {};
    if (!Array.isArray(ignore) || !ignore.every((name): name is string => typeof name === 'string')) this.fail(path, "must be '*' or a list of property names");
    return Object.fromEntries(Object.entries(globals).filter(([key]) => !ignore.includes(key)));
  }

  object(value: unknown, path: KeyPath, what: string): Record<string, unknown> {
    if (!isObject(value)) this.fail(path, `must be ${what}`);
    return value;
  }

  keys(value: Record<string, unknown>, path: KeyPath, known: readonly string[]): void {
    for (const key of Object.keys(value)) if (!known.includes(key)) this.fail([...path, key], `is not supported by Gatehouse (supported here: ${known.join(', ')}); remove it`);
  }

  /** The value of `value` with its intrinsic functions evaluated; AWS::NoValue removes the key. */
  evaluate(value: unknown, path: KeyPath): unknown {
    if (Array.isArray(value)) return value.map((v, i) => this.evaluate(v, [...path, i])).filter((v) => v !== undefined);
    if (!isObject(value)) return value;
    const keys = Object.keys(value);
    if (keys.length === 1) {
      const fn = keys[0] as string;
      const arg = value[fn];
      const at = [...path, fn];
      if (fn === 'Ref') return this.ref(this.string(arg, at), at);
      if (fn === 'Condition') return this.condition(this.string(arg, at), at);
      if (fn.startsWith('Fn::')) return this.intrinsic(fn, arg, at);
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const e = this.evaluate(v, [...path, k]);
      if (e !== undefined) out[k] = e;
    }
    return out;
  }

  string(value: unknown, path: KeyPath): string {
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    if (typeof value !== 'string') this.fail(path, `must be a string, got ${JSON.stringify(value) ?? 'nothing'}`);
    return value;
  }

  list(value: unknown, path: KeyPath, length?: number): unknown[] {
    if (!Array.isArray(value) || (length !== undefined && value.length !== length)) this.fail(path, `must be a list${length !== undefined ? ` of ${length} values` : ''}`);
    return value;
  }

  intrinsic(fn: string, arg: unknown, path: KeyPath): unknown {
    switch (fn) {
      case 'Fn::Sub': {
        const [template, vars] = Array.isArray(arg) ? [arg[0], this.object(this.evaluate(arg[1], [...path, 1]), [...path, 1], 'an object of variables')] : [arg, {}];
        const text = this.string(template, path);
        return text.replace(/\$\{(!?)([^}]*)\}/g, (_m, bang: string, name: string) => {
          if (bang) return `\${${name}}`;
          if (name in vars) return this.string(vars[name], [...path, 1, name]);
          if (!name.includes('.') || name.startsWith('AWS::')) return this.string(this.ref(name, path), path);
          return this.string(this.getAtt(name.split('.'), path), path);
        });
      }
      case 'Fn::GetAtt':
        return this.getAtt(typeof arg === 'string' ? arg.split('.') : this.list(arg, path, 2).map((v, i) => this.string(this.evaluate(v, [...path, i]), [...path, i])), path);
      case 'Fn::If': {
        const [name, yes, no] = this.list(arg, path, 3);
        return this.condition(this.string(name, [...path, 0]), [...path, 0]) ? this.evaluate(yes, [...path, 1]) : this.evaluate(no, [...path, 2]);
      }
      case 'Fn::Equals': {
        const [a, b] = this.list(arg, path, 2).map((v, i) => this.evaluate(v, [...path, i]));
        return JSON.stringify(a) === JSON.stringify(b);
      }
      case 'Fn::Not':
        return !this.evaluate(this.list(arg, path, 1)[0], [...path, 0]);
      case 'Fn::And':
        return this.list(arg, path).every((v, i) => this.evaluate(v, [...path, i]) === true);
      case 'Fn::Or':
        return this.list(arg, path).some((v, i) => this.evaluate(v, [...path, i]) === true);
      case 'Fn::Join': {
        const [delimiter, values] = this.list(arg, path, 2);
        const items = this.list(this.evaluate(values, [...path, 1]), [...path, 1]);
        return items.map((v, i) => this.string(v, [...path, 1, i])).join(this.string(delimiter, [...path, 0]));
      }
      case 'Fn::Select': {
        const [index, values] = this.list(arg, path, 2);
        const i = Number(this.evaluate(index, [...path, 0]));
        const items = this.list(this.evaluate(values, [...path, 1]), [...path, 1]);
        if (!Number.isInteger(i) || i < 0 || i >= items.length) this.fail([...path, 0], `index ${String(index)} is outside the list of ${items.length} values`);
        return items[i];
      }
      case 'Fn::Split': {
        const [delimiter, source] = this.list(arg, path, 2);
        return this.string(this.evaluate(source, [...path, 1]), [...path, 1]).split(this.string(delimiter, [...path, 0]));
      }
      case 'Fn::FindInMap': {
        const [map, top, second] = this.list(arg, path, 3).map((v, i) => this.string(this.evaluate(v, [...path, i]), [...path, i]));
        const mappings = isObject(this.root.Mappings) ? this.root.Mappings : {};
        const m = mappings[map as string];
        if (!isObject(m)) this.fail([...path, 0], `no mapping ${String(map)} under Mappings (mappings: ${Object.keys(mappings).join(', ') || 'none'})`);
        const level = m[top as string];
        if (!isObject(level)) this.fail([...path, 1], `no key ${String(top)} in the mapping ${String(map)} (keys: ${Object.keys(m).join(', ')})`);
        if (!(String(second) in level)) this.fail([...path, 2], `no key ${String(second)} under ${String(map)}.${String(top)} (keys: ${Object.keys(level).join(', ')})`);
        return level[second as string];
      }
      case 'Fn::Base64':
        return Buffer.from(this.string(this.evaluate(arg, path), path)).toString('base64');
      case 'Fn::ImportValue':
        this.fail(path, 'imports an output of another stack, which Gatehouse cannot read; replace it with a literal or a parameter');
      // falls through (fail never returns)
      default:
        this.fail(path, `the intrinsic function ${fn} is not supported by Gatehouse (supported: Ref, Fn::Sub, Fn::GetAtt, Fn::If, Fn::Equals, Fn::Not, Fn::And, Fn::Or, Fn::Join, Fn::Select, Fn::Split, Fn::FindInMap, Fn::Base64)`);
    }
  }

  ref(name: string, path: KeyPath): unknown {
    switch (name) {
      case 'AWS::Region':
        return this.options.region;
      case 'AWS::AccountId':
        return DEFAULT_ACCOUNT_ID;
      case 'AWS::StackName':
        return this.#stack;
      case 'AWS::Partition':
        return 'aws';
      case 'AWS::URLSuffix':
        return 'amazonaws.com';
      case 'AWS::NoValue':
        return undefined;
      case 'AWS::StackId':
        return `arn:aws:cloudformation:${this.options.region}:${DEFAULT_ACCOUNT_ID}:stack/${this.#stack}/00000000-0000-0000-0000-000000000000`;
      case 'AWS::NotificationARNs':
        return [];
      default:
    }
    const parameter = this.#parameters.get(name);
    if (parameter !== undefined) return parameter;
    const fn = this.#functionNames.get(name);
    if (fn !== undefined) return fn;
    const resource = this.#resources[name];
    const type = String(resource?.Type);
    if (resource && type === API_TYPES.Stage) {
      const props = isObject(resource.Properties) ? resource.Properties : {};
      return this.string(this.evaluate(props.StageName, ['Resources', name, 'Properties', 'StageName']), ['Resources', name, 'Properties', 'StageName']);
    }
    if (resource && isApiGatewayV2Type(type)) return physicalId(this.#stack, type, name);
    const standIn = resource ? this.standInName(name, resource) : undefined;
    if (standIn !== undefined) return standIn;
    if (resource) this.fail(path, `Ref ${name} (a ${type}) has no local value in Gatehouse; use a parameter or a literal`);
    this.fail(path, `Ref ${name}: no parameter, pseudo-parameter or resource of that name`);
  }

  getAtt(parts: readonly string[], path: KeyPath): unknown {
    const [id, attribute] = parts;
    const fn = id === undefined ? undefined : this.#functionNames.get(id);
    if (fn !== undefined && attribute === 'Arn') return `arn:aws:lambda:${this.options.region}:${DEFAULT_ACCOUNT_ID}:function:${fn}`;
    const resource = id === undefined ? undefined : this.#resources[id];
    const type = String(resource?.Type);
    if (resource && id !== undefined && isApiGatewayV2Type(type)) {
      const attributes = attributesOf(type);
      if (attribute === undefined || !attributes.includes(attribute)) this.fail(path, `Fn::GetAtt ${parts.join('.')}: ${type} has no attribute ${attribute ?? ''} (attributes: ${attributes.join(', ') || 'none'})`);
      const own = physicalId(this.#stack, type, id);
      if (attribute !== 'ApiEndpoint') return own;
      const props = isObject(resource.Properties) ? resource.Properties : {};
      const protocol = props.ProtocolType === undefined ? 'HTTP' : this.string(this.evaluate(props.ProtocolType, ['Resources', id, 'Properties', 'ProtocolType']), ['Resources', id, 'Properties', 'ProtocolType']);
      return this.options.apiEndpoint ? this.options.apiEndpoint(own, protocol) : `${protocol === 'WEBSOCKET' ? 'ws' : 'http'}://localhost:4580/_aws/execute-api/${own}`;
    }
    const standIn = resource && id !== undefined ? this.standInName(id, resource) : undefined;
    if (standIn !== undefined && attribute === 'Arn') {
      const arns: Record<string, string> = {
        'AWS::IAM::Role': `arn:aws:iam::${DEFAULT_ACCOUNT_ID}:role/${standIn}`,
        'AWS::DynamoDB::Table': `arn:aws:dynamodb:${this.options.region}:${DEFAULT_ACCOUNT_ID}:table/${standIn}`,
        'AWS::S3::Bucket': `arn:aws:s3:::${standIn}`,
      };
      if (arns[type]) return arns[type];
    }
    if (id !== undefined && resource) this.fail(path, `Fn::GetAtt ${parts.join('.')} has no local value in Gatehouse; use a parameter or a literal`);
    this.fail(path, `Fn::GetAtt ${parts.join('.')}: no resource ${id ?? ''} in Resources`);
  }

  /**
   * The physical name of a resource Gatehouse accepts without serving, for `Ref` (a table or bucket name
   * a function reads from its environment): its name property, else `{stack}-{LogicalId}` (CloudFormation
   * appends a random suffix; a stand-in, since nothing is created).
   */
  standInName(id: string, resource: Record<string, unknown>): string | undefined {
    const property = ({ 'AWS::DynamoDB::Table': 'TableName', 'AWS::S3::Bucket': 'BucketName', 'AWS::IAM::Role': 'RoleName' } as Record<string, string>)[String(resource.Type)];
    if (property === undefined) return undefined;
    const props = isObject(resource.Properties) ? resource.Properties : {};
    const path = ['Resources', id, 'Properties', property];
    const named = props[property] === undefined ? undefined : this.string(this.evaluate(props[property], path), path);
    const name = named ?? `${this.#stack}-${id}`;
    return resource.Type === 'AWS::S3::Bucket' ? name.toLowerCase() : name;
  }

  condition(name: string, path: KeyPath): boolean {
    const known = this.#conditions.get(name);
    if (known !== undefined) return known;
    const all = isObject(this.root.Conditions) ? this.root.Conditions : {};
    if (!(name in all)) this.fail(path, `no condition ${name} under Conditions`);
    const value = this.evaluate(all[name], ['Conditions', name]);
    if (typeof value !== 'boolean') this.fail(['Conditions', name], 'must evaluate to true or false (Fn::Equals, Fn::Not, Fn::And, Fn::Or)');
    this.#conditions.set(name, value);
    return value;
  }

  parameters(): void {
    const params = this.root.Parameters === undefined ? {} : this.object(this.root.Parameters, ['Parameters'], 'an object of parameters by name');
    const overrides = this.options.parameterOverrides ?? {};
    for (const name of Object.keys(overrides)) if (!(name in params)) this.fail(['Parameters'], `--parameter-overrides names ${name}, which the template does not declare (parameters: ${Object.keys(params).join(', ') || 'none'})`);
    for (const [name, raw] of Object.entries(params)) {
      const path = ['Parameters', name];
      const p = this.object(raw, path, 'an object (Type, Default, ...)');
      const type = this.string(p.Type ?? 'String', [...path, 'Type']);
      const value = overrides[name] ?? (p.Default === undefined ? undefined : this.string(p.Default, [...path, 'Default']));
      if (value === undefined) this.fail(path, `has no Default; give it a value with --parameter-overrides ${name}=value`);
      if (Array.isArray(p.AllowedValues) && !p.AllowedValues.map(String).includes(value)) this.fail(path, `value "${value}" is not one of AllowedValues (${p.AllowedValues.map(String).join(', ')})`);
      this.#parameters.set(name, type === 'CommaDelimitedList' || type.startsWith('List<') ? value.split(',').map((s) => s.trim()) : value);
    }
  }

  load(): ServerlessProject {
    const root = this.root;
    this.keys(root, [], TOP_KEYS);
    this.parameters();
    const resources = this.object(root.Resources, ['Resources'], 'an object of resources by logical id');
    const notes: string[] = [];
    for (const [id, raw] of Object.entries(resources)) {
      const r = this.object(raw, ['Resources', id], 'a resource object (Type, Properties)');
      this.string(r.Type, ['Resources', id, 'Type']);
      for (const key of Object.keys(r)) if (!RESOURCE_KEYS.includes(key)) this.fail(['Resources', id, key], `is not an attribute of a resource (attributes: ${RESOURCE_KEYS.join(', ')})`);
      if (r.Connectors !== undefined) this.#unapplied.push(`${id}: Connectors are accepted and not enforced (local functions reach every resource)`);
      if (r.Condition !== undefined && !this.condition(this.string(r.Condition, ['Resources', id, 'Condition']), ['Resources', id, 'Condition'])) {
        notes.push(`${id} (${String(r.Type)}) is not created: its condition ${String(r.Condition)} is false`);
        continue;
      }
      this.#resources[id] = r;
    }
    const globals = root.Globals === undefined ? {} : this.object(root.Globals, ['Globals'], 'an object (Function, ...)');
    this.keys(globals, ['Globals'], ['Function']);
    const globalsFn = globals.Function === undefined ? {} : this.object(this.evaluate(globals.Function, ['Globals', 'Function']), ['Globals', 'Function'], 'an object of function properties');
    this.keys(globalsFn, ['Globals', 'Function'], GLOBAL_FUNCTION_KEYS);

    // Names first, so Ref/GetAtt of a function resolve wherever they appear.
    for (const [id, r] of Object.entries(this.#resources)) {
      if (!FUNCTION_TYPES.includes(r.Type as string)) continue;
      const props = isObject(r.Properties) ? r.Properties : {};
      const name = props.FunctionName === undefined ? `${this.#stack}-${id}`.slice(0, 64) : this.string(this.evaluate(props.FunctionName, ['Resources', id, 'Properties', 'FunctionName']), ['Resources', id, 'Properties', 'FunctionName']);
      this.#functionNames.set(id, name);
    }
    const apis = new Map<string, Api>();
    const permissions: string[] = [];
    for (const [id, r] of Object.entries(this.#resources)) {
      const type = r.Type as string;
      if (type === 'AWS::Serverless::HttpApi') apis.set(id, this.httpApi(id, r));
      else if (FUNCTION_TYPES.includes(type) || isApiGatewayV2Type(type)) continue;
      else if (type === 'AWS::Lambda::Permission') permissions.push(id);
      else if (IGNORED_TYPE.test(type)) notes.push(`${id} (${type}) is accepted and not served (it does not change the gateway)`);
      // CDK adds custom resources of its own (Custom::LogRetention, Custom::S3AutoDeleteObjects, ...); their providers are not run.
      else if (CUSTOM_RESOURCE_TYPE.test(type)) notes.push(`${id} (${type}) is a custom resource: accepted and not run (Gatehouse does not invoke its provider)`);
      else if (/^AWS::ApiGatewayV2::(DomainName|ApiMapping)$/.test(type)) this.fail(['Resources', id, 'Type'], `${type}: custom domain names come from the management API in Gatehouse (create-domain-name, create-api-mapping); remove it`);
      else if (type.startsWith('AWS::ApiGateway::')) this.fail(['Resources', id, 'Type'], `${type} is a REST API resource: Gatehouse serves HTTP and WebSocket APIs (AWS::ApiGatewayV2::*)`);
      else this.fail(['Resources', id, 'Type'], `${type} is not supported by Gatehouse yet (supported: AWS::Serverless::Function, AWS::Serverless::HttpApi, AWS::Lambda::Function, AWS::ApiGatewayV2:: Api, Route, Integration, Authorizer, Stage, Deployment, RouteResponse, IntegrationResponse, Model, and resources that do not affect the gateway such as AWS::DynamoDB::Table, AWS::IAM::Role, AWS::Lambda::Permission)`);
    }
    if (permissions.length > 0) notes.push(`${permissions.join(', ')} (AWS::Lambda::Permission) accepted: Gatehouse lets its APIs invoke the template's functions without resource policies`);
    const functions: ServerlessFunction[] = [];
    for (const [id, r] of Object.entries(this.#resources)) if (r.Type === 'AWS::Lambda::Function') functions.push(this.lambdaFunction(id, r));
    const templateApiList = templateApis(
      {
        stack: this.#stack,
        fail: (path, message) => this.fail(path, message),
        evaluate: (value, path) => this.evaluate(value, path),
        note: (text) => this.#unapplied.push(text),
        definitionFile: (value, path) => this.definitionFile(value, path),
      },
      this.#resources,
    );
    const routes: (HttpApiRoute & { apiId: string; payload: string; path: KeyPath })[] = [];
    for (const [id, r] of Object.entries(this.#resources)) {
      if (r.Type !== 'AWS::Serverless::Function') continue;
      const base = ['Resources', id, 'Properties'];
      const rawProps = this.object(r.Properties ?? {}, base, 'an object of function properties');
      // Events are evaluated one by one (their ApiId is read as a reference first).
      const props = this.object(this.evaluate({ ...rawProps, Events: undefined }, base), base, 'an object of function properties');
      this.keys(props, base, [...FUNCTION_KEYS, ...FUNCTION_DEPLOYMENT_KEYS, 'InlineCode']);
      if (props.InlineCode !== undefined) this.fail([...base, 'InlineCode'], 'inline code is not run by Gatehouse yet; put the code in a file and use CodeUri and Handler');
      if (props.PackageType !== undefined && props.PackageType !== 'Zip') this.fail([...base, 'PackageType'], 'container image functions cannot run locally; use PackageType Zip with a Node.js runtime');
      const globalFn = this.globalsOf(globalsFn, r.IgnoreGlobals, ['Resources', id, 'IgnoreGlobals']);
      const merged = { ...globalFn, ...props };
      const runtimePath = props.Runtime === undefined ? ['Globals', 'Function', 'Runtime'] : [...base, 'Runtime'];
      if (merged.Runtime === undefined) this.fail(base, 'needs Runtime (here or in Globals.Function), such as nodejs20.x');
      this.#base.runtime(merged.Runtime, runtimePath);
      const codeUri = merged.CodeUri === undefined ? '.' : merged.CodeUri;
      if (typeof codeUri !== 'string') this.fail(props.CodeUri === undefined ? ['Globals', 'Function', 'CodeUri'] : [...base, 'CodeUri'], 'must be a local folder (an S3 location cannot be run locally)');
      const handler = this.#base.string(merged.Handler, [...base, 'Handler'], 'a handler such as app.handler (file, a dot, the export)');
      const envOf = (value: unknown, path: KeyPath) => {
        if (value === undefined) return {};
        const e = this.object(value, path, 'an object (Variables)');
        this.keys(e, path, ['Variables']);
        return this.#base.environment(e.Variables, [...path, 'Variables']);
      };
      const number = (key: string, min: number, max: number, fallback: number) =>
        props[key] !== undefined ? this.#base.number(props[key], [...base, key], min, max) : globalFn[key] !== undefined ? this.#base.number(globalFn[key], ['Globals', 'Function', key], min, max) : fallback;
      functions.push({
        key: id,
        functionName: this.#functionNames.get(id) as string,
        handler: this.#base.handler(`${codeUri.replace(/\/+$/, '')}/${handler}`, props.Handler === undefined ? ['Globals', 'Function', 'Handler'] : [...base, 'Handler']),
        environment: { ...envOf(globalFn.Environment, ['Globals', 'Function', 'Environment']), ...envOf(props.Environment, [...base, 'Environment']) },
        timeout: number('Timeout', 1, 900, 3),
        memorySize: number('MemorySize', 128, 10240, 128),
      });
      const events = rawProps.Events === undefined ? {} : this.object(rawProps.Events, [...base, 'Events'], 'an object of events by name');
      for (const [name, rawEvent] of Object.entries(events)) {
        const epath = [...base, 'Events', name];
        const e = this.object(rawEvent, epath, 'an event object (Type, Properties)');
        const type = this.string(e.Type, [...epath, 'Type']);
        if (type === 'Api') this.fail([...epath, 'Type'], 'REST API events (Api) are not supported: Gatehouse serves HTTP APIs only; change the event to Type: HttpApi');
        if (type !== 'HttpApi') {
          notes.push(`${id}: event ${name} (${type}) is accepted and not served (it does not come through the gateway)`);
          continue;
        }
        routes.push({ ...this.route(id, e.Properties, epath, apis), path: epath });
      }
    }
    const used = new Set(routes.map((r) => r.apiId));
    if (used.size > 1) this.fail(['Resources'], `the routes use ${used.size} HTTP APIs (${[...used].join(', ')}); Gatehouse serves one HTTP API per template for now`);
    if (apis.size > 1) this.fail(['Resources', [...apis.keys()][1] as string], `the template defines ${apis.size} AWS::Serverless::HttpApi resources (${[...apis.keys()].join(', ')}); Gatehouse serves one HTTP API per template for now`);
    const unused = [...apis.keys()].find((id) => used.size > 0 && !used.has(id));
    if (unused) this.fail(['Resources', unused], `no HttpApi event names this API (ApiId: !Ref ${unused}) while events without ApiId use the implicit ServerlessHttpApi; Gatehouse serves one HTTP API per template for now: add ApiId: !Ref ${unused} to the events`);
    const apiId = [...used][0] ?? [...apis.keys()][0];
    const api: Api | undefined = apiId === undefined ? undefined : (apis.get(apiId) ?? { id: 'ServerlessHttpApi', name: this.#stack, stageName: '$default', authorizers: [], path: ['Resources'] });
    const payloads = new Set(routes.map((r) => r.payload));
    if (payloads.size > 1) this.fail((routes[0] as { path: KeyPath }).path, 'the routes of one API use different PayloadFormatVersion values; Gatehouse serves one per API for now');
    const seen = new Map<string, KeyPath>();
    for (const r of routes) {
      const before = seen.get(r.routeKey);
      if (before) this.fail(r.path, `route ${r.routeKey} is defined twice (also at ${showPath(before)}); keep one`);
      seen.set(r.routeKey, r.path);
    }
    const payload = ([...payloads][0] ?? '2.0') as '1.0' | '2.0';
    // With DefinitionBody/DefinitionUri, the events are merged into the document (as SAM does), which is imported.
    const definedApi = api?.definition ? this.definitionApi(api, routes, payload, functions) : undefined;
    const allApis = [...(definedApi ? [definedApi] : []), ...templateApiList];
    return {
      file: this.doc.file,
      service: this.#stack,
      stage: api?.stageName ?? '$default',
      functions,
      ...(api && !definedApi
        ? {
            httpApi: {
              name: api.name,
              payload,
              ...(api.cors ? { cors: api.cors } : {}),
              authorizers: api.authorizers,
              routes: routes.map(({ routeKey, functionKey, authorization }) => ({ routeKey, functionKey, ...(authorization ? { authorization } : {}) })),
              stageName: api.stageName,
            },
          }
        : {}),
      ...(allApis.length > 0 ? { apis: allApis } : {}),
      plugins: [],
      notes: [...notes, ...this.#unapplied],
    };
  }

  /** An AWS::Serverless::HttpApi with DefinitionBody/DefinitionUri: its document with the HttpApi events added as Lambda proxy operations. */
  definitionApi(api: Api, routes: readonly (HttpApiRoute & { path: KeyPath })[], payload: string, functions: readonly ServerlessFunction[]): DesiredApi {
    const doc = structuredClone(api.definition) as Record<string, unknown>;
    if (doc.paths !== undefined && !isObject(doc.paths)) this.fail(api.path, 'the OpenAPI definition\'s paths must be an object');
    const paths = (doc.paths ?? {}) as Record<string, Record<string, unknown>>;
    doc.paths = paths;
    for (const r of routes) {
      if (r.authorization) this.fail(r.path, 'with DefinitionBody or DefinitionUri on the API, give the route\'s security in the OpenAPI document; remove Auth here');
      const fn = functions.find((f) => f.key === r.functionKey) as ServerlessFunction;
      const [method, path] = r.routeKey === '$default' ? ['ANY', '$default'] : (r.routeKey.split(' ') as [string, string]);
      const key = method === 'ANY' ? 'x-amazon-apigateway-any-method' : method.toLowerCase();
      const item = (paths[path] ??= {});
      if (item[key] !== undefined) this.fail(r.path, `the OpenAPI definition already has ${r.routeKey}; define it once`);
      const arn = `arn:aws:lambda:${this.options.region}:${DEFAULT_ACCOUNT_ID}:function:${fn.functionName}`;
      item[key] = { 'x-amazon-apigateway-integration': { type: 'aws_proxy', httpMethod: 'POST', uri: `arn:aws:apigateway:${this.options.region}:lambda:path/2015-03-31/functions/${arn}/invocations`, payloadFormatVersion: payload } };
    }
    const c = api.cors;
    return {
      apiId: apiIds(this.#stack, api.stageName).http,
      protocolType: 'HTTP',
      members: {
        name: api.name,
        protocolType: 'HTTP',
        ...(c
          ? {
              corsConfiguration: {
                allowOrigins: c.allowOrigins,
                allowHeaders: c.allowHeaders,
                allowMethods: c.allowMethods,
                ...(c.allowCredentials !== undefined ? { allowCredentials: c.allowCredentials } : {}),
                ...(c.exposeHeaders ? { exposeHeaders: c.exposeHeaders } : {}),
                ...(c.maxAge !== undefined ? { maxAge: c.maxAge } : {}),
              },
            }
          : {}),
      },
      authorizers: [],
      integrations: [],
      routes: [],
      stages: [{ stageName: api.stageName, autoDeploy: true, deploy: false }],
      definition: { body: JSON.stringify(doc) },
    };
  }

  /** An AWS::Lambda::Function: its code is a local folder (`Code: ./src`, an asset of `assetPaths`) or inline (`Code.ZipFile`). */
  lambdaFunction(id: string, r: Record<string, unknown>): ServerlessFunction {
    const base = ['Resources', id, 'Properties'];
    const raw = this.object(r.Properties ?? {}, base, 'an object of function properties');
    this.keys(raw, base, [...LAMBDA_KEYS, ...LAMBDA_DEPLOYMENT_KEYS]);
    if (raw.PackageType !== undefined && raw.PackageType !== 'Zip') this.fail([...base, 'PackageType'], 'container image functions cannot run locally; use PackageType Zip with a Node.js runtime');
    const props = this.object(this.evaluate(Object.fromEntries(LAMBDA_KEYS.map((k) => [k, raw[k]])), base), base, 'an object of function properties');
    if (props.Runtime === undefined) this.fail(base, 'needs Runtime, such as nodejs20.x');
    this.#base.runtime(props.Runtime, [...base, 'Runtime']);
    const handler = this.#base.string(props.Handler, [...base, 'Handler'], 'a handler such as index.handler (file, a dot, the export)');
    if (props.Code === undefined) this.fail(base, 'needs Code (ZipFile, or a local folder)');
    const folder = this.codeFolder(id, props.Code, handler, [...base, 'Code']);
    let environment: Record<string, string> = {};
    if (props.Environment !== undefined) {
      const e = this.object(props.Environment, [...base, 'Environment'], 'an object (Variables)');
      this.keys(e, [...base, 'Environment'], ['Variables']);
      environment = this.#base.environment(e.Variables, [...base, 'Environment', 'Variables']);
    }
    return {
      key: id,
      functionName: this.#functionNames.get(id) as string,
      handler: this.#base.handler(`${folder}/${handler}`, [...base, 'Handler']),
      environment,
      timeout: props.Timeout === undefined ? 3 : this.#base.number(props.Timeout, [...base, 'Timeout'], 1, 900),
      memorySize: props.MemorySize === undefined ? 128 : this.#base.number(props.MemorySize, [...base, 'MemorySize'], 128, 10240),
    };
  }

  /** The absolute folder of a function's code. */
  codeFolder(id: string, code: unknown, handler: string, path: KeyPath): string {
    const templateDir = dirname(this.doc.file);
    if (typeof code === 'string') {
      // A local path, as `aws cloudformation package` takes it before uploading.
      const local = resolvePath(templateDir, code);
      if (!existsSync(local)) this.fail(path, `no folder ${local}; give the local folder of the code (or ZipFile)`);
      if (statSync(local).isDirectory()) return local;
      if (extname(local) === '.zip') this.fail(path, `${code} is a zip archive, which Gatehouse does not unpack; give the folder it is made from`);
      return dirname(local);
    }
    const c = this.object(code, path, 'ZipFile, S3Bucket/S3Key, or a local folder');
    this.keys(c, path, ['ZipFile', 'S3Bucket', 'S3Key', 'S3ObjectVersion', 'ImageUri', 'SourceKMSKeyArn']);
    if (c.ImageUri !== undefined) this.fail([...path, 'ImageUri'], 'container image functions cannot run locally; use a Node.js runtime with ZipFile or a local folder');
    if (c.ZipFile !== undefined) {
      const source = this.string(c.ZipFile, [...path, 'ZipFile']);
      const file = handler.slice(0, handler.lastIndexOf('.'));
      if (file !== 'index') this.fail([...path, 'ZipFile'], `inline code is the file index.js, so Handler must be index.<export>, got ${handler}`);
      // One folder per source text: an edited ZipFile is a new module path, so a reload runs the new code in any reload mode.
      const digest = createHash('sha256').update(source).digest('hex').slice(0, 12);
      const folder = join(this.options.inlineCodeDirectory ?? join(templateDir, '.gatehouse', 'template-functions'), this.#stack, `${id}-${digest}`);
      mkdirSync(folder, { recursive: true });
      // index.js is CommonJS as on AWS, whatever package.json encloses the data directory.
      writeIfChanged(join(folder, 'package.json'), '{"type":"commonjs"}\n');
      writeIfChanged(join(folder, 'index.js'), source);
      return folder;
    }
    const key = c.S3Key === undefined ? undefined : this.string(c.S3Key, [...path, 'S3Key']);
    const local = key === undefined ? undefined : this.options.assetPaths?.[key];
    if (key === undefined || local === undefined) {
      this.fail([...path, key === undefined ? 'S3Bucket' : 'S3Key'], `${key ?? 'an S3 object'}: code in S3 cannot be run locally; give Code a local folder (as before aws cloudformation package) or inline ZipFile`);
    }
    if (!existsSync(local) || !statSync(local).isDirectory()) this.fail([...path, 'S3Key'], `the asset ${key} is ${local}, which is not a folder; Gatehouse runs unpacked code`);
    return local;
  }

  /** `BodyS3Location`: a local path (before `aws cloudformation package`) or `{Bucket, Key}` of `assetPaths`; YAML or JSON, returned as JSON text. */
  definitionFile(value: unknown, path: KeyPath): string {
    let file: string;
    if (typeof value === 'string') file = resolvePath(dirname(this.doc.file), value);
    else {
      const loc = this.object(value, path, 'a local file, or an object (Bucket, Key, Version, Etag)');
      this.keys(loc, path, ['Bucket', 'Key', 'Version', 'Etag']);
      const key = this.string(loc.Key, [...path, 'Key']);
      const local = this.options.assetPaths?.[key];
      if (local === undefined) this.fail([...path, 'Key'], `${key}: an OpenAPI definition in S3 cannot be read locally; give BodyS3Location a local file (as before aws cloudformation package) or use Body`);
      file = local;
    }
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      this.fail(path, `cannot read the OpenAPI definition ${file}: ${(err as Error).message}`);
    }
    try {
      return JSON.stringify(parseYaml(text));
    } catch (err) {
      this.fail(path, `${file} is not a YAML or JSON document: ${(err as Error).message}`);
    }
  }

  httpApi(id: string, r: Record<string, unknown>): Api {
    const base = ['Resources', id, 'Properties'];
    const props = this.object(this.evaluate(r.Properties ?? {}, base), base, 'an object of HTTP API properties');
    if (props.DefinitionBody !== undefined && props.DefinitionUri !== undefined) this.fail([...base, 'DefinitionUri'], 'give the OpenAPI definition in DefinitionBody or in DefinitionUri, not both');
    let definition: Record<string, unknown> | undefined;
    if (props.DefinitionBody !== undefined) definition = this.object(props.DefinitionBody, [...base, 'DefinitionBody'], 'an OpenAPI document (openapi, info, paths)');
    if (props.DefinitionUri !== undefined) definition = this.object(JSON.parse(this.definitionFile(props.DefinitionUri, [...base, 'DefinitionUri'])), [...base, 'DefinitionUri'], 'an OpenAPI document (openapi, info, paths)');
    if (props.Domain !== undefined) this.fail([...base, 'Domain'], 'custom domains come from the management API in Gatehouse; remove it');
    this.keys(props, base, HTTP_API_KEYS);
    for (const key of UNAPPLIED_HTTP_API_KEYS) if (props[key] !== undefined) this.#unapplied.push(`${id}: ${key} is accepted and not applied by Gatehouse yet`);
    const stageName = props.StageName === undefined ? '$default' : this.#base.string(props.StageName, [...base, 'StageName'], 'a stage name');
    if (stageName !== '$default' && !/^[A-Za-z0-9_-]{1,128}$/.test(stageName)) this.fail([...base, 'StageName'], `"${stageName}" must be $default or letters, digits, - and _`);
    const authorizers: HttpApiAuthorizer[] = [];
    let defaultAuthorizer: string | undefined;
    let iam = false;
    if (props.Auth !== undefined) {
      const apath = [...base, 'Auth'];
      const auth = this.object(props.Auth, apath, 'an object (Authorizers, DefaultAuthorizer)');
      this.keys(auth, apath, ['Authorizers', 'DefaultAuthorizer', 'EnableIamAuthorizer']);
      if (auth.EnableIamAuthorizer !== undefined && typeof auth.EnableIamAuthorizer !== 'boolean') this.fail([...apath, 'EnableIamAuthorizer'], 'must be true or false');
      iam = auth.EnableIamAuthorizer === true;
      if (definition && auth.Authorizers !== undefined) this.fail([...apath, 'Authorizers'], 'with DefinitionBody or DefinitionUri, define the authorizers in the OpenAPI document (components.securitySchemes with x-amazon-apigateway-authorizer)');
      const all = auth.Authorizers === undefined ? {} : this.object(auth.Authorizers, [...apath, 'Authorizers'], 'an object of authorizers by name');
      for (const [name, raw] of Object.entries(all)) {
        const path = [...apath, 'Authorizers', name];
        const a = this.object(raw, path, 'an authorizer object (JwtConfiguration, IdentitySource) or (FunctionArn, Identity, AuthorizerPayloadFormatVersion)');
        if (a.FunctionArn !== undefined) {
          authorizers.push(this.lambdaAuthorizer(name, a, path));
          continue;
        }
        this.keys(a, path, ['JwtConfiguration', 'IdentitySource']);
        const jwt = this.object(a.JwtConfiguration, [...path, 'JwtConfiguration'], 'an object (issuer, audience)');
        this.keys(jwt, [...path, 'JwtConfiguration'], ['issuer', 'audience']);
        authorizers.push({
          key: name,
          name,
          type: 'jwt',
          identitySource: a.IdentitySource === undefined ? ['$request.header.Authorization'] : this.#base.strings(a.IdentitySource, [...path, 'IdentitySource']),
          issuerUrl: this.#base.string(jwt.issuer, [...path, 'JwtConfiguration', 'issuer'], 'the issuer URL'),
          audience: this.#base.strings(jwt.audience, [...path, 'JwtConfiguration', 'audience']),
        });
      }
      if (auth.DefaultAuthorizer !== undefined) {
        defaultAuthorizer = this.#base.string(auth.DefaultAuthorizer, [...apath, 'DefaultAuthorizer'], 'the name of an authorizer under Authorizers, or AWS_IAM');
        if (defaultAuthorizer === 'AWS_IAM') {
          if (!iam) this.fail([...apath, 'DefaultAuthorizer'], 'AWS_IAM needs EnableIamAuthorizer: true (as SAM requires)');
        } else if (!authorizers.some((a) => a.key === defaultAuthorizer)) {
          this.fail([...apath, 'DefaultAuthorizer'], `no authorizer "${defaultAuthorizer}" under Auth.Authorizers (authorizers: ${authorizers.map((a) => a.key).join(', ') || 'none'})`);
        }
      }
    }
    return {
      id,
      name: props.Name === undefined ? this.#stack : this.#base.string(props.Name, [...base, 'Name']),
      stageName,
      ...(props.CorsConfiguration !== undefined ? { cors: this.cors(props.CorsConfiguration, [...base, 'CorsConfiguration']) } : {}),
      authorizers,
      ...(defaultAuthorizer ? { defaultAuthorizer } : {}),
      ...(iam ? { iam } : {}),
      ...(definition ? { definition } : {}),
      path: base,
    };
  }

  /** An `Auth.Authorizers` entry with `FunctionArn`: a Lambda REQUEST authorizer of a function of this template. */
  lambdaAuthorizer(name: string, a: Record<string, unknown>, path: KeyPath): HttpApiAuthorizer {
    this.keys(a, path, ['FunctionArn', 'FunctionInvokeRole', 'Identity', 'AuthorizerPayloadFormatVersion', 'EnableSimpleResponses', 'EnableFunctionDefaultPermissions']);
    const arn = this.string(a.FunctionArn, [...path, 'FunctionArn']);
    const fnName = /:function:([^:/]+)$/.exec(arn)?.[1];
    const functionKey = [...this.#functionNames.entries()].find(([, n]) => n === fnName)?.[0];
    if (functionKey === undefined) this.fail([...path, 'FunctionArn'], `must be the ARN of a function of this template (!GetAtt MyFunction.Arn), got ${arn}`);
    const payloadVersion = a.AuthorizerPayloadFormatVersion === undefined ? undefined : this.string(a.AuthorizerPayloadFormatVersion, [...path, 'AuthorizerPayloadFormatVersion']);
    if (payloadVersion !== '1.0' && payloadVersion !== '2.0') this.fail([...path, 'AuthorizerPayloadFormatVersion'], `a Lambda authorizer needs AuthorizerPayloadFormatVersion '1.0' or '2.0', got ${payloadVersion ?? 'nothing'}`);
    const simple = a.EnableSimpleResponses ?? false;
    if (typeof simple !== 'boolean') this.fail([...path, 'EnableSimpleResponses'], 'must be true or false');
    if (simple && payloadVersion !== '2.0') this.fail([...path, 'EnableSimpleResponses'], "simple responses need AuthorizerPayloadFormatVersion '2.0'");
    const identitySource: string[] = [];
    let ttl: number | undefined;
    if (a.Identity !== undefined) {
      const ipath = [...path, 'Identity'];
      const identity = this.object(a.Identity, ipath, 'an object (Headers, QueryStrings, StageVariables, Context, ReauthorizeEvery)');
      this.keys(identity, ipath, ['Headers', 'QueryStrings', 'StageVariables', 'Context', 'ReauthorizeEvery']);
      const sources: [string, string][] = [['Headers', '$request.header.'], ['QueryStrings', '$request.querystring.'], ['StageVariables', '$stageVariables.'], ['Context', '$context.']];
      for (const [key, prefix] of sources) if (identity[key] !== undefined) identitySource.push(...this.#base.strings(identity[key], [...ipath, key]).map((v) => `${prefix}${v}`));
      if (identity.ReauthorizeEvery !== undefined) ttl = this.#base.number(identity.ReauthorizeEvery, [...ipath, 'ReauthorizeEvery'], 0, 3600);
    }
    const resultTtlInSeconds = ttl ?? (identitySource.length > 0 ? 300 : 0);
    if (resultTtlInSeconds > 0 && identitySource.length === 0) this.fail([...path, 'Identity'], `caching results (ReauthorizeEvery ${resultTtlInSeconds}) needs identity sources (Headers, QueryStrings, ...); add them or set ReauthorizeEvery: 0`);
    return { key: name, name, type: 'request', functionKey, identitySource, resultTtlInSeconds, enableSimpleResponses: simple, payloadVersion };
  }

  cors(value: unknown, path: KeyPath): HttpApiCors {
    if (value === true) return { allowOrigins: ['*'], allowHeaders: ['*'], allowMethods: ['*'] };
    const c = this.object(value, path, 'true or an object (AllowOrigins, AllowHeaders, AllowMethods, AllowCredentials, ExposeHeaders, MaxAge)');
    this.keys(c, path, ['AllowOrigins', 'AllowHeaders', 'AllowMethods', 'AllowCredentials', 'ExposeHeaders', 'MaxAge']);
    if (c.AllowCredentials !== undefined && typeof c.AllowCredentials !== 'boolean') this.fail([...path, 'AllowCredentials'], 'must be true or false');
    const list = (key: string) => (c[key] === undefined ? [] : this.#base.strings(c[key], [...path, key]));
    return {
      allowOrigins: list('AllowOrigins'),
      allowHeaders: list('AllowHeaders'),
      allowMethods: list('AllowMethods'),
      ...(c.AllowCredentials !== undefined ? { allowCredentials: c.AllowCredentials } : {}),
      ...(c.ExposeHeaders !== undefined ? { exposeHeaders: list('ExposeHeaders') } : {}),
      ...(c.MaxAge !== undefined ? { maxAge: this.#base.number(c.MaxAge, [...path, 'MaxAge'], 0, 86400) } : {}),
    };
  }

  route(fn: string, value: unknown, path: KeyPath, apis: ReadonlyMap<string, Api>): HttpApiRoute & { apiId: string; payload: string } {
    const ppath = [...path, 'Properties'];
    const raw = value === undefined ? {} : this.object(value, ppath, 'an object (Path, Method, ApiId, Auth, PayloadFormatVersion)');
    // ApiId is a reference to an API of this template: read before evaluation.
    let apiId = 'ServerlessHttpApi';
    if (raw.ApiId !== undefined) {
      const ref = isObject(raw.ApiId) ? raw.ApiId.Ref : undefined;
      if (typeof ref !== 'string' || !apis.has(ref)) this.fail([...ppath, 'ApiId'], `must be !Ref of an AWS::Serverless::HttpApi of this template (APIs: ${[...apis.keys()].join(', ') || 'none'})`);
      apiId = ref;
    }
    const props = this.object(this.evaluate({ ...raw, ApiId: undefined }, ppath), ppath, 'an object');
    this.keys(props, ppath, ['Path', 'Method', 'ApiId', 'Auth', 'PayloadFormatVersion', ...UNAPPLIED_EVENT_KEYS]);
    for (const key of UNAPPLIED_EVENT_KEYS) if (props[key] !== undefined) this.#unapplied.push(`${ppath.join('.')}: ${key} is accepted and not applied by Gatehouse yet`);
    const payload = props.PayloadFormatVersion === undefined ? '2.0' : this.string(props.PayloadFormatVersion, [...ppath, 'PayloadFormatVersion']);
    if (payload !== '1.0' && payload !== '2.0') this.fail([...ppath, 'PayloadFormatVersion'], `must be '1.0' or '2.0', got ${payload}`);
    // SAM's ANY (also the default) is the Framework's '*'; neither Path nor Method is the $default route.
    const method = props.Method === undefined || (typeof props.Method === 'string' && props.Method.toUpperCase() === 'ANY') ? '*' : props.Method;
    const event = props.Path === undefined && props.Method === undefined ? '*' : { method, ...(props.Path !== undefined ? { path: props.Path } : {}) };
    const route = this.#base.httpRoute(event, fn, ppath, []);
    const api = apis.get(apiId);
    let authorizer = api?.defaultAuthorizer;
    let scopes: string[] = [];
    if (props.Auth !== undefined) {
      const apath = [...ppath, 'Auth'];
      const a = this.object(props.Auth, apath, 'an object (Authorizer, AuthorizationScopes)');
      this.keys(a, apath, ['Authorizer', 'AuthorizationScopes']);
      if (a.Authorizer !== undefined) authorizer = this.string(a.Authorizer, [...apath, 'Authorizer']);
      if (authorizer === 'NONE') authorizer = undefined;
      if (authorizer === 'AWS_IAM' && a.Authorizer !== undefined && !api?.iam) this.fail([...apath, 'Authorizer'], `AWS_IAM needs Auth.EnableIamAuthorizer: true on ${apiId} (as SAM requires)`);
      if (authorizer !== undefined && authorizer !== 'AWS_IAM' && !api?.authorizers.some((x) => x.key === authorizer)) this.fail([...apath, 'Authorizer'], `no authorizer "${authorizer}" under the Auth.Authorizers of ${apiId} (authorizers: ${api?.authorizers.map((x) => x.key).join(', ') || 'none'})`);
      if (a.AuthorizationScopes !== undefined) scopes = this.#base.strings(a.AuthorizationScopes, [...apath, 'AuthorizationScopes']);
    }
    if (authorizer === 'AWS_IAM') return { ...route, authorization: { type: 'aws_iam' as const }, apiId, payload };
    return { ...route, ...(authorizer ? { authorization: { type: 'authorizer' as const, key: authorizer, scopes } } : {}), apiId, payload };
  }
}

function writeIfChanged(file: string, text: string): void {
  if (existsSync(file) && readFileSync(file, 'utf8') === text) return;
  writeFileSync(file, text);
}
