import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { physicalId } from './apigatewayv2.js';
import { loadSamTemplate, parseSamTemplate } from './sam.js';
import type { TemplateOptions } from './sam.js';
import { ServerlessError } from './variables.js';

const FIXTURES = new URL('../../../test/fixtures/sam/', import.meta.url).pathname.replace(/\/$/, '');
const INLINE = mkdtempSync(join(tmpdir(), 'gatehouse-cfn-unit-'));
const OPTIONS: TemplateOptions = { region: 'eu-west-1', stackName: 'fx', inlineCodeDirectory: INLINE, apiEndpoint: (id, p) => `${p === 'WEBSOCKET' ? 'ws' : 'http'}://gw.test/_aws/execute-api/${id}` };
/**
 * The project without the `""` members the loader adds for Update-clearable members the template
 * leaves out (what a reload uses to clear them; tested on their own below): the expectations say
 * what the template sets.
 */
function set<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v) => set(v) as unknown) as T;
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== '').map(([k, v]) => [k, set(v)])) as T;
}
const load = (file: string, options: TemplateOptions) => set(loadSamTemplate(file, options));
const parse = (text: string, options: Partial<TemplateOptions> = {}) => set(parseSamTemplate(join(FIXTURES, 'inline.yaml'), text, { ...OPTIONS, ...options }));
const id = (type: string, logicalId: string) => physicalId('fx', `AWS::ApiGatewayV2::${type}`, logicalId);

/** The message of the error `text` raises, with the fixtures folder shown as `<dir>`. */
function failure(text: string, options: Partial<TemplateOptions> = {}): string {
  try {
    parse(text, options);
  } catch (err) {
    assert.ok(err instanceof ServerlessError, String(err));
    return err.message.replaceAll(FIXTURES, '<dir>');
  }
  assert.fail('loaded without an error');
}

const API = 'Resources:\n  Api:\n    Type: AWS::ApiGatewayV2::Api\n    Properties: { Name: a, ProtocolType: HTTP }\n';
const WS = 'Resources:\n  Api:\n    Type: AWS::ApiGatewayV2::Api\n    Properties: { Name: ws, ProtocolType: WEBSOCKET, RouteSelectionExpression: $request.body.action }\n';
const res = (name: string, type: string, props: string) => `  ${name}:\n    Type: ${type}\n    Properties: ${props}\n`;


/** What a Route's members say when the template leaves its authorization out (CloudFormation's defaults). */
const UNSET_AUTH = { authorizationType: 'NONE', authorizationScopes: [], apiKeyRequired: false };
describe('CloudFormation AWS::ApiGatewayV2 resources', () => {
  after(() => rmSync(INLINE, { recursive: true, force: true }));

  it('http-api.yaml: an HTTP API of routes, Lambda proxy integrations, JWT and REQUEST authorizers and a $default stage', () => {
    const p = load(join(FIXTURES, 'http-api.yaml'), OPTIONS);
    const source = "exports.handler = async (event) => ({ statusCode: 200, body: JSON.stringify({ inline: true, route: event.routeKey }) });\n";
    const inline = join(INLINE, 'fx', `InlineFunction-${createHash('sha256').update(source).digest('hex').slice(0, 12)}`);
    const arn = (name: string) => `arn:aws:lambda:eu-west-1:000000000000:function:${name}`;
    const invocations = (name: string) => `arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/${arn(name)}/invocations`;
    assert.deepEqual(p.functions, [
      { key: 'EchoFunction', functionName: 'fx-echo', handler: `${FIXTURES}/src/v2.mjs#echo`, environment: { GREETING: 'hello' }, timeout: 5, memorySize: 256 },
      { key: 'InlineFunction', functionName: 'fx-InlineFunction', handler: `${inline}/index.js#handler`, environment: {}, timeout: 3, memorySize: 128 },
      { key: 'AuthorizerFunction', functionName: 'fx-AuthorizerFunction', handler: `${FIXTURES}/src/v2.mjs#authorize`, environment: {}, timeout: 3, memorySize: 128 },
    ]);
    assert.equal(readFileSync(join(inline, 'index.js'), 'utf8'), source);
    assert.equal(readFileSync(join(inline, 'package.json'), 'utf8'), '{"type":"commonjs"}\n');
    assert.equal(p.httpApi, undefined);
    assert.deepEqual(p.apis, [
      {
        apiId: id('Api', 'HttpApi'),
        protocolType: 'HTTP',
        members: { name: 'pets-v2', protocolType: 'HTTP', description: 'Pets, by CloudFormation resources', corsConfiguration: { allowOrigins: ['https://app.example.com'], allowMethods: ['GET', 'POST'], maxAge: 300 } },
        authorizers: [
          { id: id('Authorizer', 'JwtAuthorizer'), label: 'authorizer JwtAuthorizer', members: { name: 'pets-jwt', authorizerType: 'JWT', identitySource: ['$request.header.Authorization'], jwtConfiguration: { issuer: 'http://localhost:4580/_gatehouse/oidc/pets', audience: ['pets-api'] } } },
          {
            id: id('Authorizer', 'KeyAuthorizer'),
            label: 'authorizer KeyAuthorizer',
            members: { name: 'pets-key', authorizerType: 'REQUEST', authorizerUri: invocations('fx-AuthorizerFunction'), identitySource: ['$request.header.X-Key'], authorizerPayloadFormatVersion: '2.0', authorizerResultTtlInSeconds: 0, enableSimpleResponses: true },
          },
        ],
        integrations: [
          { id: id('Integration', 'EchoIntegration'), label: 'integration EchoIntegration', members: { integrationType: 'AWS_PROXY', integrationUri: invocations('fx-echo'), payloadFormatVersion: '2.0' }, integrationResponses: [] },
          { id: id('Integration', 'InlineIntegration'), label: 'integration InlineIntegration', members: { integrationType: 'AWS_PROXY', integrationUri: arn('fx-InlineFunction'), payloadFormatVersion: '2.0' }, integrationResponses: [] },
        ],
        routes: [
          { id: id('Route', 'ListPets'), label: 'route GET /pets', members: { ...UNSET_AUTH, routeKey: 'GET /pets', target: `integrations/${id('Integration', 'EchoIntegration')}` }, routeResponses: [] },
          { id: id('Route', 'CreatePet'), label: 'route POST /pets', members: { ...UNSET_AUTH, routeKey: 'POST /pets', target: `integrations/${id('Integration', 'EchoIntegration')}`, authorizationType: 'JWT', authorizerId: id('Authorizer', 'JwtAuthorizer') }, routeResponses: [] },
          { id: id('Route', 'InlineRoute'), label: 'route GET /inline', members: { ...UNSET_AUTH, routeKey: 'GET /inline', target: `integrations/${id('Integration', 'InlineIntegration')}` }, routeResponses: [] },
          { id: id('Route', 'SecretRoute'), label: 'route GET /secret', members: { ...UNSET_AUTH, routeKey: 'GET /secret', target: `integrations/${id('Integration', 'EchoIntegration')}`, authorizationType: 'CUSTOM', authorizerId: id('Authorizer', 'KeyAuthorizer') }, routeResponses: [] },
        ],
        models: [],
        stages: [
          {
            stageName: '$default',
            autoDeploy: true,
            deploy: false,
            members: {
              stageVariables: { color: 'blue' },
              defaultRouteSettings: { detailedMetricsEnabled: false, throttlingBurstLimit: 100, throttlingRateLimit: 50 },
              routeSettings: { 'GET /pets': { throttlingBurstLimit: 10, throttlingRateLimit: 5 } },
            },
          },
        ],
        ownsStages: true,
      },
    ]);
    assert.deepEqual(p.notes, [
      'EchoRole (AWS::IAM::Role) is accepted and not served (it does not change the gateway)',
      "EchoPermission (AWS::Lambda::Permission) accepted: Gatehouse lets its APIs invoke the template's functions without resource policies",
    ]);
  });

  it('websocket-api.yaml: a WebSocket API with a MOCK integration and its response, a route response, a model, a Deployment and its Stage', () => {
    const p = load(join(FIXTURES, 'websocket-api.yaml'), OPTIONS);
    const apiId = id('Api', 'Socket');
    assert.deepEqual(p.functions[0]?.environment, { ENDPOINT: `ws://gw.test/_aws/execute-api/${apiId}` });
    const [api] = p.apis ?? [];
    assert.deepEqual(api?.members, { name: 'socket', protocolType: 'WEBSOCKET', routeSelectionExpression: '$request.body.action', apiKeySelectionExpression: '$request.header.x-api-key' });
    assert.deepEqual(api?.integrations[1], {
      id: id('Integration', 'MockIntegration'),
      label: 'integration MockIntegration',
      members: { integrationType: 'MOCK', requestTemplates: { $default: '{"statusCode": 200}' } },
      integrationResponses: [{ id: id('IntegrationResponse', 'MockResponse'), label: 'integration response MockResponse', members: { integrationResponseKey: '$default', responseTemplates: { $default: '{"pong": true}' } } }],
    });
    assert.deepEqual(api?.routes[1], {
      id: id('Route', 'PingRoute'),
      label: 'route ping',
      members: { ...UNSET_AUTH, routeKey: 'ping', target: `integrations/${id('Integration', 'MockIntegration')}`, modelSelectionExpression: '$request.body.action', requestModels: { ping: 'PingModel' }, routeResponseSelectionExpression: '$default' },
      routeResponses: [{ id: id('RouteResponse', 'PingResponse'), label: 'route response PingResponse', members: { routeResponseKey: '$default' } }],
    });
    assert.deepEqual(api?.models, [
      { id: id('Model', 'PingModel'), label: 'model PingModel', members: { name: 'PingModel', schema: '{"$schema":"http://json-schema.org/draft-04/schema#","type":"object","required":["action"]}', contentType: 'application/json' } },
    ]);
    assert.deepEqual(api?.stages, [{ stageName: 'prod', autoDeploy: false, deploy: true, members: { stageVariables: { table: 'connections' } } }]);
    assert.deepEqual(p.notes, ['Stage: AccessLogSettings is accepted and not applied by Gatehouse (it configures AWS only)']);
  });

  it('Ref and Fn::GetAtt give what CloudFormation gives', () => {
    const p = parse(
      `${WS}${res('Int', 'AWS::ApiGatewayV2::Integration', '{ ApiId: !Ref Api, IntegrationType: MOCK }')}${res('Route', 'AWS::ApiGatewayV2::Route', '{ ApiId: !Ref Api, RouteKey: $default, Target: !Sub "integrations/${Int}" }')}` +
        `${res('Dep', 'AWS::ApiGatewayV2::Deployment', '{ ApiId: !Ref Api, StageName: !Ref Stage }')}${res('Stage', 'AWS::ApiGatewayV2::Stage', '{ ApiId: !Ref Api, StageName: live }')}` +
        `${res('Auth', 'AWS::ApiGatewayV2::Authorizer', '{ ApiId: !Ref Api, Name: a, AuthorizerType: REQUEST, AuthorizerUri: !Sub "arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Fn.Arn}/invocations" }')}` +
        res('Fn', 'AWS::Lambda::Function', '{ Runtime: nodejs20.x, Handler: v2.echo, Code: src, Environment: { Variables: { API: !Ref Api, API_ID: !GetAtt Api.ApiId, ENDPOINT: !GetAtt Api.ApiEndpoint, ROUTE: !Ref Route, ROUTE_ID: !GetAtt Route.RouteId, INTEGRATION: !Ref Int, STAGE: !Ref Stage, DEPLOYMENT: !Ref Dep, AUTHORIZER: !GetAtt Auth.AuthorizerId, NAME: !Ref Fn, ARN: !GetAtt Fn.Arn, URL: !Sub "${Api.ApiEndpoint}/${Stage}" } } }'),
    );
    assert.deepEqual(p.functions[0]?.environment, {
      API: id('Api', 'Api'),
      API_ID: id('Api', 'Api'),
      ENDPOINT: `ws://gw.test/_aws/execute-api/${id('Api', 'Api')}`,
      ROUTE: id('Route', 'Route'),
      ROUTE_ID: id('Route', 'Route'),
      INTEGRATION: id('Integration', 'Int'),
      STAGE: 'live',
      DEPLOYMENT: id('Deployment', 'Dep'),
      AUTHORIZER: id('Authorizer', 'Auth'),
      NAME: 'fx-Fn',
      ARN: 'arn:aws:lambda:eu-west-1:000000000000:function:fx-Fn',
      URL: `ws://gw.test/_aws/execute-api/${id('Api', 'Api')}/live`,
    });
    assert.deepEqual(p.apis?.[0]?.stages, [{ stageName: 'live', autoDeploy: false, deploy: true, members: {} }]);
  });

  it('Body and BodyS3Location import an OpenAPI definition; quick create (Target) makes an integration, a route and $default', () => {
    const body = parse(`Resources:\n  Api:\n    Type: AWS::ApiGatewayV2::Api\n    Properties:\n      BasePath: split\n      FailOnWarnings: true\n      Body:\n        openapi: 3.0.1\n        info: { title: imported, version: '1' }\n        paths: {}\n`);
    assert.deepEqual(body.apis?.[0]?.members, { name: 'imported', protocolType: 'HTTP' });
    assert.deepEqual(body.apis?.[0]?.definition, { body: '{"openapi":"3.0.1","info":{"title":"imported","version":"1"},"paths":{}}', basePath: 'split', failOnWarnings: true });
    const file = parse('Resources:\n  Api:\n    Type: AWS::ApiGatewayV2::Api\n    Properties: { Name: named, BodyS3Location: openapi.yaml }\n');
    assert.deepEqual(file.apis?.[0]?.members, { name: 'named', protocolType: 'HTTP' });
    assert.match(file.apis?.[0]?.definition?.body ?? '', /^\{"openapi":"3\.0\.1","info":\{"title":"Fixture pets"/);
    const asset = parse('Resources:\n  Api:\n    Type: AWS::ApiGatewayV2::Api\n    Properties: { BodyS3Location: { Bucket: b, Key: abc.yaml } }\n', { assetPaths: { 'abc.yaml': join(FIXTURES, 'openapi.yaml') } });
    assert.equal(asset.apis?.[0]?.definition?.body, file.apis?.[0]?.definition?.body);
    const quick = parse('Resources:\n  Api:\n    Type: AWS::ApiGatewayV2::Api\n    Properties: { Name: q, ProtocolType: HTTP, Target: "https://example.com/{proxy}", RouteKey: "ANY /{proxy+}" }\n');
    const api = quick.apis?.[0];
    assert.deepEqual(api?.integrations.map((i) => i.members), [{ integrationType: 'HTTP_PROXY', integrationMethod: 'ANY', integrationUri: 'https://example.com/{proxy}', payloadFormatVersion: '1.0' }]);
    assert.deepEqual(api?.routes.map((r) => r.members), [{ routeKey: 'ANY /{proxy+}', target: `integrations/${api?.integrations[0]?.id}` }]);
    assert.deepEqual(api?.stages, [{ stageName: '$default', autoDeploy: true, deploy: false }]);
  });

  it('AWS::Lambda::Function code: a local folder, a file in it, an asset folder (assetPaths by S3Key), inline ZipFile', () => {
    const fn = (code: string) => `Resources:\n  Fn:\n    Type: AWS::Lambda::Function\n    Properties:\n      Runtime: nodejs22.x\n      Handler: v2.echo\n      Role: !GetAtt Role.Arn\n      Code: ${code}\n  Role:\n    Type: AWS::IAM::Role\n`;
    assert.equal(parse(fn('./src')).functions[0]?.handler, `${FIXTURES}/src/v2.mjs#echo`);
    assert.equal(parse(fn('src/v2.mjs')).functions[0]?.handler, `${FIXTURES}/src/v2.mjs#echo`);
    const asset = parse(fn('{ S3Bucket: !Sub "cdk-hnb659fds-assets-${AWS::AccountId}-${AWS::Region}", S3Key: 0123abcd.zip }'), { assetPaths: { '0123abcd.zip': join(FIXTURES, 'src') } });
    assert.equal(asset.functions[0]?.handler, `${FIXTURES}/src/v2.mjs#echo`);
  });

  it('Ref and Fn::GetAtt Arn of a table, a bucket and a role give stand-in names (nothing is created)', () => {
    const p = parse(
      `Resources:\n  Fn:\n    Type: AWS::Lambda::Function\n    Properties: { Runtime: nodejs20.x, Handler: v2.echo, Code: src, Environment: { Variables: { T: !Ref Table, TA: !GetAtt Table.Arn, N: !Ref Named, B: !Ref Bucket, BA: !GetAtt Bucket.Arn, R: !GetAtt Role.Arn } } }\n` +
        '  Table:\n    Type: AWS::DynamoDB::Table\n  Named:\n    Type: AWS::DynamoDB::Table\n    Properties: { TableName: !Sub "${AWS::StackName}-connections" }\n  Bucket:\n    Type: AWS::S3::Bucket\n  Role:\n    Type: AWS::IAM::Role\n',
    );
    assert.deepEqual(p.functions[0]?.environment, {
      T: 'fx-Table',
      TA: 'arn:aws:dynamodb:eu-west-1:000000000000:table/fx-Table',
      N: 'fx-connections',
      B: 'fx-bucket',
      BA: 'arn:aws:s3:::fx-bucket',
      R: 'arn:aws:iam::000000000000:role/fx-Role',
    });
    assert.equal(
      failure('Resources:\n  Fn:\n    Type: AWS::Lambda::Function\n    Properties: { Runtime: nodejs20.x, Handler: v2.echo, Code: src, Environment: { Variables: { Q: !Ref Queue } } }\n  Queue:\n    Type: AWS::SQS::Queue\n'),
      '<dir>/inline.yaml:4:105: Resources.Fn.Properties.Environment.Variables.Q.Ref: Ref Queue (a AWS::SQS::Queue) has no local value in Gatehouse; use a parameter or a literal',
    );
  });

  it('a template of the shape cdk synth writes: asset code by assetPaths, Fn::Join targets, CDK metadata and bootstrap rules', () => {
    const p = load(join(FIXTURES, 'cdk-shaped.template.json'), { ...OPTIONS, stackName: 'PetsStack', assetPaths: { '4f1c0a2e9b7d.zip': join(FIXTURES, 'src') } });
    assert.deepEqual(p.functions, [{ key: 'Handler886CB40B', functionName: 'PetsStack-Handler886CB40B', handler: `${FIXTURES}/src/v2.mjs#echo`, environment: { GREETING: 'hello' }, timeout: 3, memorySize: 128 }]);
    const api = p.apis?.[0];
    const integrationId = physicalId('PetsStack', 'AWS::ApiGatewayV2::Integration', 'PetsApiGETpetsListIntegration1A2B3C4D');
    assert.deepEqual(api?.routes.map((r) => r.members), [{ ...UNSET_AUTH, routeKey: 'GET /pets', target: `integrations/${integrationId}`, authorizationType: 'JWT', authorizerId: physicalId('PetsStack', 'AWS::ApiGatewayV2::Authorizer', 'PetsApiJwt0F1E2D3C') }]);
    assert.deepEqual(api?.integrations[0]?.members, { integrationType: 'AWS_PROXY', integrationUri: 'arn:aws:lambda:eu-west-1:000000000000:function:PetsStack-Handler886CB40B', payloadFormatVersion: '2.0' });
    assert.deepEqual(api?.stages, [{ stageName: '$default', autoDeploy: true, deploy: false, members: {} }]);
    assert.deepEqual(p.notes, [
      'HandlerServiceRoleFCDC14AE (AWS::IAM::Role) is accepted and not served (it does not change the gateway)',
      'CDKMetadata (AWS::CDK::Metadata) is accepted and not served (it does not change the gateway)',
      "PetsApiGETpetsListIntegrationPermission5E6F7A8B (AWS::Lambda::Permission) accepted: Gatehouse lets its APIs invoke the template's functions without resource policies",
    ]);
  });

  it('Fn::FindInMap reads Mappings', () => {
    const p = parse(`Mappings:\n  Sizes:\n    prod: { Memory: 512 }\nResources:\n  Fn:\n    Type: AWS::Lambda::Function\n    Properties: { Runtime: nodejs20.x, Handler: v2.echo, Code: src, MemorySize: !FindInMap [Sizes, prod, Memory] }\n`);
    assert.equal(p.functions[0]?.memorySize, 512);
    assert.equal(
      failure(`Mappings:\n  Sizes:\n    prod: { Memory: 512 }\nResources:\n  Fn:\n    Type: AWS::Lambda::Function\n    Properties: { Runtime: nodejs20.x, Handler: v2.echo, Code: src, MemorySize: !FindInMap [Sizes, dev, Memory] }\n`),
      '<dir>/inline.yaml:7:92: Resources.Fn.Properties.MemorySize.Fn::FindInMap[1]: no key dev in the mapping Sizes (keys: prod)',
    );
  });

  it('errors name the file position, the logical id and the property', () => {
    assert.equal(
      failure(`${API}${res('R', 'AWS::ApiGatewayV2::Route', '{ ApiId: !Ref Api, RouteKey: GET /, Targets: x }')}`),
      '<dir>/inline.yaml:7:62: Resources.R.Properties.Targets: is not a property of AWS::ApiGatewayV2::Route (properties: ApiId, ApiKeyRequired, AuthorizationScopes, AuthorizationType, AuthorizerId, ModelSelectionExpression, OperationName, RequestModels, RequestParameters, RouteKey, RouteResponseSelectionExpression, Target)',
    );
    assert.equal(failure(`${API}${res('R', 'AWS::ApiGatewayV2::Route', '{ ApiId: !Ref Api }')}`), '<dir>/inline.yaml:7:17: Resources.R.Properties: AWS::ApiGatewayV2::Route needs RouteKey');
    assert.equal(
      failure(`${API}${res('R', 'AWS::ApiGatewayV2::Route', '{ ApiId: abc123, RouteKey: GET / }')}`),
      '<dir>/inline.yaml:7:26: Resources.R.Properties.ApiId: must be the Ref of an AWS::ApiGatewayV2::Api of this template (Apis: Api), got "abc123"',
    );
    assert.equal(
      failure(`${API}${res('R', 'AWS::ApiGatewayV2::Route', '{ ApiId: !Ref Api, RouteKey: GET /, Target: integrations/nope }')}`),
      '<dir>/inline.yaml:7:61: Resources.R.Properties.Target: must be integrations/ followed by the Ref of an AWS::ApiGatewayV2::Integration of the same API (such as !Sub integrations/${MyIntegration}), got "integrations/nope"',
    );
    assert.equal(
      failure(`${API}${res('R', 'AWS::ApiGatewayV2::Route', '{ ApiId: !Ref Api, RouteKey: GET /, AuthorizationType: JWT, AuthorizerId: x }')}`),
      '<dir>/inline.yaml:7:91: Resources.R.Properties.AuthorizerId: must be the Ref of an AWS::ApiGatewayV2::Authorizer of this template on the same API (Authorizers: none), got "x"',
    );
    assert.equal(
      failure(`${API}${res('X', 'AWS::Lambda::Function', '{ Runtime: nodejs20.x, Handler: v2.echo, Code: src, Environment: { Variables: { A: !GetAtt Api.Arn } } }')}`),
      '<dir>/inline.yaml:7:108: Resources.X.Properties.Environment.Variables.A.Fn::GetAtt: Fn::GetAtt Api.Arn: AWS::ApiGatewayV2::Api has no attribute Arn (attributes: ApiId, ApiEndpoint)',
    );
    assert.equal(
      failure('Resources:\n  Api:\n    Type: AWS::ApiGatewayV2::Api\n    Properties: { Name: ws, ProtocolType: WEBSOCKET }\n'),
      '<dir>/inline.yaml:4:17: Resources.Api.Properties: a WEBSOCKET API needs RouteSelectionExpression (such as $request.body.action)',
    );
    assert.equal(failure('Resources:\n  Api:\n    Type: AWS::ApiGatewayV2::Api\n    Properties: { Name: a }\n'), '<dir>/inline.yaml:4:17: Resources.Api.Properties: AWS::ApiGatewayV2::Api needs ProtocolType (HTTP or WEBSOCKET) unless it is imported from Body or BodyS3Location');
    assert.equal(
      failure(`Resources:\n  Api:\n    Type: AWS::ApiGatewayV2::Api\n    Properties: { Body: { openapi: 3.0.1, info: { title: t, version: '1' }, paths: {} } }\n${res('I', 'AWS::ApiGatewayV2::Integration', '{ ApiId: !Ref Api, IntegrationType: HTTP_PROXY, IntegrationUri: https://example.com }')}`),
      '<dir>/inline.yaml:7:31: Resources.I.Properties.ApiId: the API Api is imported from an OpenAPI definition (Body); API Gateway does not combine a definition with AWS::ApiGatewayV2::Integration resources: define the route in the definition',
    );
    assert.equal(
      failure(`${WS}${res('S', 'AWS::ApiGatewayV2::Stage', '{ ApiId: !Ref Api, StageName: prod, DeploymentId: abc }')}`),
      '<dir>/inline.yaml:7:67: Resources.S.Properties.DeploymentId: must be the Ref of an AWS::ApiGatewayV2::Deployment of this template on the same API (Deployments: none), got "abc"',
    );
    assert.equal(
      failure(`${WS}${res('D', 'AWS::ApiGatewayV2::Deployment', '{ ApiId: !Ref Api, StageName: prod }')}`),
      '<dir>/inline.yaml:7:47: Resources.D.Properties.StageName: no AWS::ApiGatewayV2::Stage named prod on the API Api (stages: none)',
    );
    assert.equal(failure('Resources:\n  Api:\n    Type: AWS::ApiGatewayV2::Api\n    Properties: { BodyS3Location: { Bucket: b, Key: k.yaml } }\n'), '<dir>/inline.yaml:4:53: Resources.Api.Properties.BodyS3Location.Key: k.yaml: an OpenAPI definition in S3 cannot be read locally; give BodyS3Location a local file (as before aws cloudformation package) or use Body');
  });

  it('Api and Stage errors', () => {
    const api = (props: string) => `Resources:\n  Api:\n    Type: AWS::ApiGatewayV2::Api\n    Properties: { ${props} }\n`;
    const cases: [string, string][] = [
      [api('Name: a, ProtocolType: REST'), '<dir>/inline.yaml:4:42: Resources.Api.Properties.ProtocolType: must be HTTP or WEBSOCKET, got REST'],
      [api('ProtocolType: HTTP'), '<dir>/inline.yaml:4:17: Resources.Api.Properties: AWS::ApiGatewayV2::Api needs Name unless it is imported from Body or BodyS3Location'],
      [api('Name: a, Body: {}, BodyS3Location: x.yaml'), '<dir>/inline.yaml:4:54: Resources.Api.Properties.BodyS3Location: give the OpenAPI definition in Body or in BodyS3Location, not both'],
      [api('Name: a, ProtocolType: HTTP, BasePath: split'), '<dir>/inline.yaml:4:58: Resources.Api.Properties.BasePath: applies to an OpenAPI import; add Body or BodyS3Location, or remove it'],
      [api('Name: a, ProtocolType: HTTP, RouteKey: GET /'), '<dir>/inline.yaml:4:58: Resources.Api.Properties.RouteKey: applies to quick create; add Target (a Lambda function ARN or an HTTP URL), or remove it'],
      [api('Name: a, ProtocolType: WEBSOCKET, RouteSelectionExpression: $request.body.a, CorsConfiguration: { AllowOrigins: ["*"] }'), '<dir>/inline.yaml:4:115: Resources.Api.Properties.CorsConfiguration: is supported only for HTTP APIs'],
      [api('Name: a, ProtocolType: WEBSOCKET, RouteSelectionExpression: $request.body.a, Body: {}'), '<dir>/inline.yaml:4:42: Resources.Api.Properties.ProtocolType: an OpenAPI definition (Body, BodyS3Location) defines an HTTP API; WebSocket APIs are defined with Route and Integration resources'],
      [api('Name: a, ProtocolType: HTTP, CorsConfiguration: { AllowOrigin: ["*"] }'), '<dir>/inline.yaml:4:82: Resources.Api.Properties.CorsConfiguration.AllowOrigin: is not a property of CorsConfiguration (properties: AllowCredentials, AllowHeaders, AllowMethods, AllowOrigins, ExposeHeaders, MaxAge)'],
      [`${API}${res('S', 'AWS::ApiGatewayV2::Stage', '{ ApiId: !Ref Api, StageName: "a b" }')}`, '<dir>/inline.yaml:7:47: Resources.S.Properties.StageName: "a b" must be $default or 1-128 letters, digits, - and _'],
      [`${API}${res('S', 'AWS::ApiGatewayV2::Stage', '{ ApiId: !Ref Api, StageName: v1 }')}${res('T', 'AWS::ApiGatewayV2::Stage', '{ ApiId: !Ref Api, StageName: v1 }')}`, '<dir>/inline.yaml:10:47: Resources.T.Properties.StageName: the API Api already has a stage v1'],
      [`${API}${res('D', 'AWS::ApiGatewayV2::Deployment', '{ ApiId: !Ref Api }')}${res('S', 'AWS::ApiGatewayV2::Stage', '{ ApiId: !Ref Api, StageName: v1, AutoDeploy: true, DeploymentId: !Ref D }')}`, '<dir>/inline.yaml:10:88: Resources.S.Properties.DeploymentId: cannot be set on a stage with AutoDeploy: true'],
      [`${API}${res('S', 'AWS::ApiGatewayV2::Stage', '{ ApiId: !Ref Api, StageName: v1, AutoDeploy: yes }')}`, '<dir>/inline.yaml:7:63: Resources.S.Properties.AutoDeploy: must be true or false, got "yes"'],
      [`${API}${res('S', 'AWS::ApiGatewayV2::Stage', '{ ApiId: !Ref Api, StageName: v1, DefaultRouteSettings: { Throttling: 1 } }')}`, '<dir>/inline.yaml:7:87: Resources.S.Properties.DefaultRouteSettings.Throttling: is not a property of DefaultRouteSettings (properties: DataTraceEnabled, DetailedMetricsEnabled, LoggingLevel, ThrottlingBurstLimit, ThrottlingRateLimit)'],
      [`${WS}${res('RR', 'AWS::ApiGatewayV2::RouteResponse', '{ ApiId: !Ref Api, RouteId: abc, RouteResponseKey: $default }')}`, '<dir>/inline.yaml:7:45: Resources.RR.Properties.RouteId: must be the Ref of an AWS::ApiGatewayV2::Route of this template on the same API (Routes: none), got "abc"'],
      [`${WS}${res('IR', 'AWS::ApiGatewayV2::IntegrationResponse', '{ ApiId: !Ref Api, IntegrationId: abc, IntegrationResponseKey: $default }')}`, '<dir>/inline.yaml:7:51: Resources.IR.Properties.IntegrationId: must be the Ref of an AWS::ApiGatewayV2::Integration of this template on the same API (Integrations: none), got "abc"'],
      [`${WS}${res('M', 'AWS::ApiGatewayV2::Model', '{ ApiId: !Ref Api, Name: m }')}`, '<dir>/inline.yaml:7:17: Resources.M.Properties: AWS::ApiGatewayV2::Model needs Schema'],
    ];
    for (const [text, message] of cases) assert.equal(failure(text), message);
  });

  it('resource types and attributes Gatehouse does not serve', () => {
    assert.equal(failure('Resources:\n  Domain:\n    Type: AWS::ApiGatewayV2::DomainName\n'), '<dir>/inline.yaml:3:11: Resources.Domain.Type: AWS::ApiGatewayV2::DomainName: custom domain names come from the management API in Gatehouse (create-domain-name, create-api-mapping); remove it');
    assert.equal(failure('Resources:\n  Rest:\n    Type: AWS::ApiGateway::RestApi\n'), '<dir>/inline.yaml:3:11: Resources.Rest.Type: AWS::ApiGateway::RestApi is a REST API resource: Gatehouse serves HTTP and WebSocket APIs (AWS::ApiGatewayV2::*)');
    assert.equal(failure(`${API}    Propertes: {}\n`), '<dir>/inline.yaml:5:16: Resources.Api.Propertes: is not an attribute of a resource (attributes: Type, Properties, Condition, DependsOn, Metadata, DeletionPolicy, UpdateReplacePolicy, UpdatePolicy, CreationPolicy, Connectors, IgnoreGlobals)');
  });

  it('AWS::Lambda::Function errors', () => {
    const fn = (props: string) => `Resources:\n  Fn:\n    Type: AWS::Lambda::Function\n    Properties: { Runtime: nodejs20.x, ${props} }\n`;
    assert.equal(failure(fn('Handler: v2.echo, Code: { S3Bucket: b, S3Key: k.zip }')), '<dir>/inline.yaml:4:86: Resources.Fn.Properties.Code.S3Key: k.zip: code in S3 cannot be run locally; give Code a local folder (as before aws cloudformation package) or inline ZipFile');
    assert.equal(failure(fn('Handler: app.handler, Code: { ZipFile: "exports.handler = 1" }')), '<dir>/inline.yaml:4:79: Resources.Fn.Properties.Code.ZipFile: inline code is the file index.js, so Handler must be index.<export>, got app.handler');
    assert.equal(failure(fn('Handler: v2.echo, Code: { ImageUri: x }')), '<dir>/inline.yaml:4:76: Resources.Fn.Properties.Code.ImageUri: container image functions cannot run locally; use a Node.js runtime with ZipFile or a local folder');
    assert.equal(
      failure(fn('Handler: v2.echo, Code: src, Memory: 1')),
      '<dir>/inline.yaml:4:77: Resources.Fn.Properties.Memory: is not supported by Gatehouse (supported here: Handler, Runtime, Code, Environment, Timeout, MemorySize, FunctionName, Role, Description, Architectures, Layers, VpcConfig, Tags, TracingConfig, ReservedConcurrentExecutions, DeadLetterConfig, KmsKeyArn, EphemeralStorage, LoggingConfig, RuntimeManagementConfig, PackageType, FileSystemConfigs, CodeSigningConfigArn, SnapStartConfig, RecursiveLoop); remove it',
    );
    assert.equal(failure(fn('Handler: v2.echo, Code: src.zip')), '<dir>/inline.yaml:4:64: Resources.Fn.Properties.Code: no folder <dir>/src.zip; give the local folder of the code (or ZipFile)');
    assert.equal(failure(fn('Handler: v2.echo, Code: src').replace('Runtime: nodejs20.x', 'Runtime: python3.12')), '<dir>/inline.yaml:4:28: Resources.Fn.Properties.Runtime: runtime python3.12 cannot run locally: Gatehouse runs Node.js handlers (nodejs18.x, nodejs20.x, ...); use a nodejs runtime');
  });
  it('members an Update clears with "" are "" when the template leaves them out, so that a reload clears them', () => {
    const p = parseSamTemplate(
      join(FIXTURES, 'inline.yaml'),
      `${API}${res('Route', 'AWS::ApiGatewayV2::Route', '{ ApiId: !Ref Api, RouteKey: GET /a }')}${res('Stage', 'AWS::ApiGatewayV2::Stage', '{ ApiId: !Ref Api, StageName: s, AutoDeploy: true }')}`,
      OPTIONS,
    );
    const api = p.apis?.[0];
    assert.equal(api?.members.description, '');
    assert.deepEqual(api?.routes[0]?.members, { routeKey: 'GET /a', target: '', authorizationType: 'NONE', authorizerId: '', authorizationScopes: [], apiKeyRequired: false, modelSelectionExpression: '', operationName: '', routeResponseSelectionExpression: '' });
    assert.deepEqual(api?.stages[0]?.members, { description: '' });
  });
});
