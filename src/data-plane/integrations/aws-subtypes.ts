/**
 * The integration subtypes of HTTP APIs and the service call each one makes, spoken in the
 * service's own wire protocol (no SDK clients): SQS's query protocol (its XML answer is what
 * API Gateway passes back), EventBridge and Kinesis in JSON 1.1, Step Functions in JSON 1.0,
 * AppConfig's REST API. Parameters and which are required: the integration subtype reference.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-aws-services-reference.html
 */

/** A call to an AWS service, before signing. */
export interface ServiceCall {
  /** Signing name, and the endpoint's first label on AWS (`sqs.{region}.amazonaws.com`). */
  readonly service: string;
  /** Host label prefix on AWS (`sync-` for StartSyncExecution: `sync-states.{region}.amazonaws.com`). */
  readonly hostPrefix?: string;
  readonly method: 'GET' | 'POST';
  readonly path: string;
  /** Encoded query string without `?`. */
  readonly query?: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** One subtype: its parameters (name -> required) and how they become a call. */
export interface Subtype {
  readonly parameters: Readonly<Record<string, boolean>>;
  build(values: ReadonlyMap<string, string>): ServiceCall;
}

/** `Region` may be mapped on every subtype; it picks the service's region. */
const REGION = { Region: false };

/** A list parameter: JSON array text (`["a","b"]`) or comma-separated values. */
export function listValue(value: string): string[] {
  const trimmed = value.trim();
  if (trimmed.startsWith('[')) {
    try {
      const parsed = JSON.parse(trimmed) as unknown;
      if (Array.isArray(parsed)) return parsed.map((v) => (typeof v === 'string' ? v : JSON.stringify(v)));
    } catch {
      /* not JSON: comma-separated */
    }
  }
  return trimmed === '' ? [] : trimmed.split(',').map((v) => v.trim());
}

const formEncode = (pairs: readonly (readonly [string, string])[]) =>
  pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}`).join('&');

/** A query-protocol SQS call (API version 2012-11-05) to the regional endpoint, the queue named by `QueueUrl`. */
function sqs(action: string, pairs: [string, string][]): ServiceCall {
  return {
    service: 'sqs',
    method: 'POST',
    path: '/',
    headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
    body: formEncode([['Action', action], ['Version', '2012-11-05'], ...pairs]),
  };
}

/** `MessageAttributes` / `MessageSystemAttributes`: a JSON object `{"name": {"DataType": "String", "StringValue": "v"}}`, flattened as SQS's query protocol takes it. */
function attributePairs(prefix: string, value: string | undefined): [string, string][] {
  if (value === undefined) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new SubtypeParameterError(`${prefix}s must be a JSON object of {"DataType", "StringValue"|"BinaryValue"} values`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new SubtypeParameterError(`${prefix}s must be a JSON object`);
  const out: [string, string][] = [];
  Object.entries(parsed as Record<string, Record<string, unknown>>).forEach(([name, attribute], i) => {
    const at = `${prefix}.${i + 1}`;
    out.push([`${at}.Name`, name]);
    for (const field of ['DataType', 'StringValue', 'BinaryValue'] as const) {
      const v = attribute?.[field];
      if (v !== undefined) out.push([`${at}.Value.${field}`, String(v)]);
    }
  });
  return out;
}

/** A mapped value that cannot be put on the wire (the request answers 500, the reason logged). */
export class SubtypeParameterError extends Error {
  override name = 'SubtypeParameterError';
}

const present = (values: ReadonlyMap<string, string>, names: readonly string[]): [string, string][] =>
  names.filter((n) => values.has(n)).map((n) => [n, values.get(n) as string]);

function json(service: string, version: '1.0' | '1.1', target: string, body: Record<string, unknown>, hostPrefix?: string): ServiceCall {
  return {
    service,
    ...(hostPrefix ? { hostPrefix } : {}),
    method: 'POST',
    path: '/',
    headers: { 'content-type': `application/x-amz-json-${version}`, 'x-amz-target': target },
    body: JSON.stringify(body),
  };
}

/** `{Key: value}` of the mapped parameters among `names`, renamed by `rename`. */
function fields(values: ReadonlyMap<string, string>, names: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, field] of Object.entries(names)) {
    const v = values.get(name);
    if (v !== undefined) out[field] = v;
  }
  return out;
}

/** JSON-protocol timestamps are epoch seconds; a mapped `Time` may be ISO 8601 or epoch seconds. */
function epochSeconds(value: string): number {
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Number(value);
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new SubtypeParameterError(`Time ${JSON.stringify(value)} is not an ISO 8601 date or epoch seconds`);
  return ms / 1000;
}

const STEP_FUNCTIONS_START = { StateMachineArn: 'stateMachineArn', Name: 'name', Input: 'input' };

/** Every subtype HTTP APIs offer. */
export const SUBTYPES: Readonly<Record<string, Subtype>> = {
  'SQS-SendMessage': {
    parameters: { QueueUrl: true, MessageBody: true, DelaySeconds: false, MessageAttributes: false, MessageDeduplicationId: false, MessageGroupId: false, MessageSystemAttributes: false, ...REGION },
    build: (v) =>
      sqs('SendMessage', [
        ...present(v, ['QueueUrl', 'MessageBody', 'DelaySeconds', 'MessageDeduplicationId', 'MessageGroupId']),
        ...attributePairs('MessageAttribute', v.get('MessageAttributes')),
        ...attributePairs('MessageSystemAttribute', v.get('MessageSystemAttributes')),
      ]),
  },
  'SQS-ReceiveMessage': {
    parameters: { QueueUrl: true, AttributeName: false, MaxNumberOfMessages: false, MessageAttributeNames: false, ReceiveRequestAttemptId: false, VisibilityTimeout: false, WaitTimeSeconds: false, ...REGION },
    build: (v) =>
      sqs('ReceiveMessage', [
        ...present(v, ['QueueUrl', 'MaxNumberOfMessages', 'ReceiveRequestAttemptId', 'VisibilityTimeout', 'WaitTimeSeconds']),
        ...listValue(v.get('AttributeName') ?? '').map((name, i): [string, string] => [`AttributeName.${i + 1}`, name]),
        ...listValue(v.get('MessageAttributeNames') ?? '').map((name, i): [string, string] => [`MessageAttributeName.${i + 1}`, name]),
      ]),
  },
  'SQS-DeleteMessage': { parameters: { ReceiptHandle: true, QueueUrl: true, ...REGION }, build: (v) => sqs('DeleteMessage', present(v, ['QueueUrl', 'ReceiptHandle'])) },
  'SQS-PurgeQueue': { parameters: { QueueUrl: true, ...REGION }, build: (v) => sqs('PurgeQueue', present(v, ['QueueUrl'])) },
  'EventBridge-PutEvents': {
    parameters: { Detail: true, DetailType: true, Source: true, Time: false, EventBusName: false, Resources: false, ...REGION },
    build(v) {
      const entry: Record<string, unknown> = fields(v, { Source: 'Source', DetailType: 'DetailType', Detail: 'Detail', EventBusName: 'EventBusName' });
      if (v.has('Resources')) entry.Resources = listValue(v.get('Resources') as string);
      if (v.has('Time')) entry.Time = epochSeconds(v.get('Time') as string);
      return json('events', '1.1', 'AWSEvents.PutEvents', { Entries: [entry] });
    },
  },
  'Kinesis-PutRecord': {
    parameters: { StreamName: true, Data: true, PartitionKey: true, SequenceNumberForOrdering: false, ExplicitHashKey: false, ...REGION },
    build(v) {
      const body: Record<string, unknown> = fields(v, { StreamName: 'StreamName', PartitionKey: 'PartitionKey', SequenceNumberForOrdering: 'SequenceNumberForOrdering', ExplicitHashKey: 'ExplicitHashKey' });
      // TODO(parity): [unverified] the mapped Data is the record's bytes (UTF-8), base64-encoded as the blob travels in JSON.
      if (v.has('Data')) body.Data = Buffer.from(v.get('Data') as string, 'utf8').toString('base64');
      return json('kinesis', '1.1', 'Kinesis_20131202.PutRecord', body);
    },
  },
  'StepFunctions-StartExecution': {
    parameters: { StateMachineArn: true, Name: false, Input: false, ...REGION },
    build: (v) => json('states', '1.0', 'AWSStepFunctions.StartExecution', fields(v, STEP_FUNCTIONS_START)),
  },
  'StepFunctions-StartSyncExecution': {
    parameters: { StateMachineArn: true, Name: false, Input: false, TraceHeader: false, ...REGION },
    build: (v) => json('states', '1.0', 'AWSStepFunctions.StartSyncExecution', fields(v, { ...STEP_FUNCTIONS_START, TraceHeader: 'traceHeader' }), 'sync-'),
  },
  'StepFunctions-StopExecution': {
    parameters: { ExecutionArn: true, Cause: false, Error: false, ...REGION },
    build: (v) => json('states', '1.0', 'AWSStepFunctions.StopExecution', fields(v, { ExecutionArn: 'executionArn', Cause: 'cause', Error: 'error' })),
  },
  'AppConfig-GetConfiguration': {
    parameters: { Application: true, Environment: true, Configuration: true, ClientId: true, ClientConfigurationVersion: false, ...REGION },
    build(v) {
      const segment = (name: string) => encodeURIComponent(v.get(name) ?? '');
      const query = formEncode([
        ['client_id', v.get('ClientId') ?? ''],
        ...(v.has('ClientConfigurationVersion') ? [['client_configuration_version', v.get('ClientConfigurationVersion') as string] as [string, string]] : []),
      ]);
      return {
        service: 'appconfig',
        method: 'GET',
        path: `/applications/${segment('Application')}/environments/${segment('Environment')}/configurations/${segment('Configuration')}`,
        query,
        headers: {},
        body: '',
      };
    },
  },
};
