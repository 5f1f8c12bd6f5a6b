/**
 * The API Gateway extensions to OpenAPI that HTTP APIs use, and small readers for untyped
 * documents. https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-swagger-extensions.html
 */

/** Extension names (`x-amazon-apigateway-*`). */
export const X = {
  ANY_METHOD: 'x-amazon-apigateway-any-method',
  INTEGRATION: 'x-amazon-apigateway-integration',
  INTEGRATIONS: 'x-amazon-apigateway-integrations',
  AUTHORIZER: 'x-amazon-apigateway-authorizer',
  AUTHTYPE: 'x-amazon-apigateway-authtype',
  CORS: 'x-amazon-apigateway-cors',
  IMPORTEXPORT_VERSION: 'x-amazon-apigateway-importexport-version',
  ENDPOINT_CONFIGURATION: 'x-amazon-apigateway-endpoint-configuration',
  ROUTE_SELECTION_EXPRESSION: 'x-amazon-apigateway-route-selection-expression',
} as const;

/** The only import/export algorithm version AWS defines. */
export const IMPORT_EXPORT_VERSION = '1.0';

/** The path AWS uses for the `$default` route (with `x-amazon-apigateway-any-method`). */
export const DEFAULT_ROUTE_PATH = '/$default';

/** Operation keys of an OpenAPI path item, as HTTP API route methods. */
export const OPERATION_METHODS: Readonly<Record<string, string>> = {
  get: 'GET',
  put: 'PUT',
  post: 'POST',
  delete: 'DELETE',
  options: 'OPTIONS',
  head: 'HEAD',
  patch: 'PATCH',
  [X.ANY_METHOD]: 'ANY',
};

/** Security scheme marker of IAM (SigV4) authorization in API Gateway definitions. */
export const SIGV4_AUTHTYPE = 'awsSigv4';

/** Integration types HTTP APIs support, as written in definitions (case-insensitive on import). */
export const HTTP_API_INTEGRATION_TYPES = ['AWS_PROXY', 'HTTP_PROXY'];

/** Top-level members of API Gateway definitions that only REST APIs use. */
export const REST_ONLY_EXTENSIONS = [
  'x-amazon-apigateway-api-key-source',
  'x-amazon-apigateway-binary-media-types',
  'x-amazon-apigateway-documentation',
  'x-amazon-apigateway-gateway-responses',
  'x-amazon-apigateway-minimum-compression-size',
  'x-amazon-apigateway-policy',
  'x-amazon-apigateway-request-validators',
  'x-amazon-apigateway-request-validator',
  'x-amazon-apigateway-tag-value',
];

/** A JSON object (not an array, not null). */
export type JsonObject = Record<string, unknown>;

/** Whether `v` is a JSON object. */
export const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `v` as a string: numbers are accepted where a definition writes a version unquoted (`1.0`). */
export function versionString(v: unknown): unknown {
  if (typeof v !== 'number') return v;
  return Number.isInteger(v) ? v.toFixed(1) : String(v);
}

/** `v` as an integer when it is a numeric string (definitions often quote `authorizerResultTtlInSeconds`). */
export function integerValue(v: unknown): unknown {
  return typeof v === 'string' && /^-?\d+$/.test(v.trim()) ? Number(v.trim()) : v;
}

/** `v` as a boolean when it is `"true"`/`"false"`. */
export function booleanValue(v: unknown): unknown {
  return v === 'true' ? true : v === 'false' ? false : v;
}

/** Copies the members of `source` that are not undefined. */
export function defined<T extends JsonObject>(source: T): Partial<T> {
  return Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined)) as Partial<T>;
}
