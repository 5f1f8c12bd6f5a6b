/**
 * The stored resource types of the management API, shared by the control plane (which writes
 * them) and the data plane (which compiles them). Records use AWS's wire (jsonName) member names,
 * so rendering the `aws` format is a projection onto the output shape. `createdDate` is kept for
 * every record (for the envelope's `created_at`) even where AWS does not return it.
 */

/** CORS configuration of an HTTP API. */
export interface CorsConfiguration {
  allowCredentials?: boolean;
  allowHeaders?: string[];
  allowMethods?: string[];
  allowOrigins?: string[];
  exposeHeaders?: string[];
  maxAge?: number;
}

/** An API (HTTP or WebSocket). `apiEndpoint` is derived when rendered, not stored. */
export interface ApiRecord {
  apiId: string;
  name: string;
  protocolType: 'HTTP' | 'WEBSOCKET';
  routeSelectionExpression: string;
  apiKeySelectionExpression: string;
  createdDate: string;
  description?: string;
  disableExecuteApiEndpoint: boolean;
  disableSchemaValidation?: boolean;
  corsConfiguration?: CorsConfiguration;
  ipAddressType: string;
  tags: Record<string, string>;
  version?: string;
  warnings?: string[];
  importInfo?: string[];
  apiGatewayManaged?: boolean;
}

/** A route of an API. */
export interface RouteRecord {
  routeId: string;
  routeKey: string;
  authorizationType: string;
  apiKeyRequired: boolean;
  target?: string;
  authorizerId?: string;
  authorizationScopes?: string[];
  operationName?: string;
  requestParameters?: Record<string, { required: boolean }>;
  requestModels?: Record<string, string>;
  modelSelectionExpression?: string;
  routeResponseSelectionExpression?: string;
  apiGatewayManaged?: boolean;
  createdDate: string;
}

/** An integration of an API. */
export interface IntegrationRecord {
  integrationId: string;
  integrationType: string;
  integrationUri?: string;
  integrationMethod?: string;
  integrationSubtype?: string;
  payloadFormatVersion: string;
  timeoutInMillis: number;
  connectionType: string;
  connectionId?: string;
  credentialsArn?: string;
  description?: string;
  requestParameters?: Record<string, string>;
  responseParameters?: Record<string, Record<string, string>>;
  requestTemplates?: Record<string, string>;
  templateSelectionExpression?: string;
  passthroughBehavior?: string;
  contentHandlingStrategy?: string;
  integrationResponseSelectionExpression?: string;
  tlsConfig?: { serverNameToVerify?: string };
  apiGatewayManaged?: boolean;
  createdDate: string;
}

/** An authorizer of an API. */
export interface AuthorizerRecord {
  authorizerId: string;
  name: string;
  authorizerType: 'REQUEST' | 'JWT';
  identitySource: string[];
  authorizerUri?: string;
  authorizerCredentialsArn?: string;
  authorizerPayloadFormatVersion?: string;
  authorizerResultTtlInSeconds?: number;
  enableSimpleResponses?: boolean;
  identityValidationExpression?: string;
  jwtConfiguration?: { issuer?: string; audience?: string[] };
  createdDate: string;
}

/** A model (JSON schema) of a WebSocket API. */
export interface ModelRecord {
  modelId: string;
  name: string;
  schema: string;
  contentType?: string;
  description?: string;
  createdDate: string;
}

/** A stage of an API. */
export interface StageRecord {
  stageName: string;
  /** Absent when off, as AWS renders it. */
  autoDeploy?: boolean;
  deploymentId?: string;
  description?: string;
  defaultRouteSettings: Record<string, unknown>;
  routeSettings: Record<string, Record<string, unknown>>;
  stageVariables: Record<string, string>;
  tags: Record<string, string>;
  accessLogSettings?: { destinationArn?: string; format?: string };
  clientCertificateId?: string;
  lastDeploymentStatusMessage?: string;
  apiGatewayManaged?: boolean;
  createdDate: string;
  lastUpdatedDate: string;
}

/** A route response (WebSocket two-way routes). */
export interface RouteResponseRecord {
  routeResponseId: string;
  routeResponseKey: string;
  modelSelectionExpression?: string;
  responseModels?: Record<string, string>;
  responseParameters?: Record<string, { required: boolean }>;
  createdDate: string;
}

/** An integration response (WebSocket non-proxy integrations). */
export interface IntegrationResponseRecord {
  integrationResponseId: string;
  integrationResponseKey: string;
  contentHandlingStrategy?: string;
  responseParameters?: Record<string, string>;
  responseTemplates?: Record<string, string>;
  templateSelectionExpression?: string;
  createdDate: string;
}

/**
 * The API's whole configuration frozen by CreateDeployment: what a stage pointing at the
 * deployment serves, and what ExportApi with a stageName exports.
 */
export interface DeploymentSnapshot {
  api: ApiRecord;
  routes: RouteRecord[];
  integrations: IntegrationRecord[];
  authorizers: AuthorizerRecord[];
  models: ModelRecord[];
  /** Keyed by routeId. */
  routeResponses: Record<string, RouteResponseRecord[]>;
  /** Keyed by integrationId. */
  integrationResponses: Record<string, IntegrationResponseRecord[]>;
}

/** A deployment; `snapshot` is internal (never in the output shape). */
export interface DeploymentRecord {
  deploymentId: string;
  deploymentStatus: 'PENDING' | 'FAILED' | 'DEPLOYED';
  deploymentStatusMessage?: string;
  description?: string;
  autoDeployed: boolean;
  createdDate: string;
  snapshot: DeploymentSnapshot;
}

/** One endpoint configuration of a domain name (Gatehouse keeps exactly one, REGIONAL). */
export interface DomainNameConfiguration {
  apiGatewayDomainName: string;
  hostedZoneId: string;
  domainNameStatus: 'AVAILABLE';
  endpointType: 'REGIONAL';
  securityPolicy: 'TLS_1_0' | 'TLS_1_2';
  ipAddressType: string;
  certificateArn?: string;
  certificateName?: string;
  certificateUploadDate?: string;
  ownershipVerificationCertificateArn?: string;
}

/** A custom domain name; stored under its lower-cased name. */
export interface DomainNameRecord {
  domainName: string;
  domainNameArn: string;
  apiMappingSelectionExpression: '$request.basepath';
  domainNameConfigurations: DomainNameConfiguration[];
  mutualTlsAuthentication?: { truststoreUri: string; truststoreVersion?: string };
  routingMode: string;
  tags: Record<string, string>;
  createdDate: string;
}

/** An API mapping of a domain name. */
export interface ApiMappingRecord {
  apiMappingId: string;
  apiMappingKey: string;
  apiId: string;
  stage: string;
  /** Internal: `{apiId}/{stage}` (model/account-region.ts `apiStageRef`), so DeleteStage can refuse in one check. */
  apiStage: string;
  createdDate: string;
}

/** A VPC link (version V2, for HTTP APIs). */
export interface VpcLinkRecord {
  vpcLinkId: string;
  name: string;
  subnetIds: string[];
  securityGroupIds: string[];
  tags: Record<string, string>;
  vpcLinkStatus: 'AVAILABLE';
  vpcLinkStatusMessage: string;
  vpcLinkVersion: 'V2';
  createdDate: string;
}

/** A header condition of a routing rule (`valueGlob` may start and/or end with `*`). */
export interface MatchHeaderValue {
  header: string;
  valueGlob: string;
}

/** One condition: base paths or headers, never both. */
export interface RoutingRuleCondition {
  matchBasePaths?: { anyOf: string[] };
  matchHeaders?: { anyOf: MatchHeaderValue[] };
}

/** What a matching routing rule does: invoke one API stage. */
export interface RoutingRuleAction {
  invokeApi: { apiId: string; stage: string; stripBasePath: boolean };
}

/** A routing rule of a domain name. */
export interface RoutingRuleRecord {
  routingRuleId: string;
  routingRuleArn: string;
  priority: number;
  conditions: RoutingRuleCondition[];
  actions: RoutingRuleAction[];
  /** Internal: the invoked API, so DeleteApi can refuse in one check. */
  apiId: string;
  /** Internal: `{apiId}/{stage}` of the invoked stage, so DeleteStage can refuse in one check. */
  apiStage: string;
  createdDate: string;
}
