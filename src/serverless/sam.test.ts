import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { apiIds, desiredResources } from './resources.js';
import { loadSamTemplate, parseSamTemplate } from './sam.js';
import { ServerlessError } from './variables.js';

const FIXTURES = new URL('../../../test/fixtures/sam/', import.meta.url).pathname.replace(/\/$/, '');
const TEMPLATE = join(FIXTURES, 'template.yaml');
const parse = (text: string, parameterOverrides: Record<string, string> = {}) => parseSamTemplate(join(FIXTURES, 'inline.yaml'), text, { region: 'eu-west-1', parameterOverrides });

/** The message of the error `text` raises, with the fixtures folder shown as `<dir>`. */
function failure(text: string, parameterOverrides: Record<string, string> = {}): string {
  try {
    parse(text, parameterOverrides);
  } catch (err) {
    assert.ok(err instanceof ServerlessError, String(err));
    return err.message.replaceAll(FIXTURES, '<dir>');
  }
  assert.fail('loaded without an error');
}

const FN = (props: string) => `Resources:\n  Hello:\n    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: src/\n      Handler: app.list\n      Runtime: nodejs20.x\n${props}`;

describe('SAM template loader', () => {
  it('reads template.yaml: parameters, conditions, Globals.Function, short-form intrinsics, the HTTP API with CORS and a JWT authorizer', () => {
    const p = loadSamTemplate(TEMPLATE, { region: 'eu-west-1', parameterOverrides: { Stage: 'prod' } });
    assert.deepEqual(p, {
      file: TEMPLATE,
      service: 'sam-app',
      stage: '$default',
      functions: [
        {
          key: 'ListPets',
          functionName: 'sam-app-ListPets',
          handler: `${FIXTURES}/src/app.mjs#list`,
          environment: { STAGE: 'prod', GREETING: 'hello', TABLE_NAME: 'sam-app-pets-prod', REGION: 'eu-west-1/b', SIZE: 'large' },
          timeout: 10,
          memorySize: 256,
        },
        { key: 'CreatePet', functionName: 'sam-app-CreatePet', handler: `${FIXTURES}/src/app.mjs#create`, environment: { STAGE: 'prod', GREETING: 'hello' }, timeout: 20, memorySize: 256 },
      ],
      httpApi: {
        name: 'sam-app',
        payload: '2.0',
        cors: { allowOrigins: ['https://app.example.com'], allowHeaders: ['authorization', 'content-type'], allowMethods: ['GET', 'POST'], maxAge: 600 },
        authorizers: [{ key: 'PetsJwt', name: 'PetsJwt', type: 'jwt', identitySource: ['$request.header.Authorization'], issuerUrl: 'http://localhost:4580/_gatehouse/oidc/pets', audience: ['pets-api'] }],
        routes: [
          { routeKey: 'GET /pets', functionKey: 'ListPets' },
          { routeKey: 'POST /pets', functionKey: 'CreatePet', authorization: { type: 'authorizer', key: 'PetsJwt', scopes: [] } },
        ],
        stageName: '$default',
      },
      plugins: [],
      notes: ['PetsTable (AWS::DynamoDB::Table) is accepted and not served (it does not change the gateway)'],
    });
    const [api] = desiredResources(p, 'eu-west-1');
    assert.deepEqual(api?.stages, [{ stageName: '$default', autoDeploy: true, deploy: false }]);
    assert.equal(api?.routes[1]?.members.authorizationType, 'JWT');
  });

  it('defaults: Parameter Default, the implicit ServerlessHttpApi at $default, SAM timeout 3 and memory 128, a catch-all event, JSON', () => {
    const p = loadSamTemplate(TEMPLATE, { region: 'us-east-1', stackName: 'pets' });
    assert.equal(p.functions[0]?.environment.SIZE, 'small');
    assert.equal(p.functions[0]?.environment.TABLE_NAME, 'pets-pets-dev');
    const json = JSON.stringify({
      Resources: {
        Hello: { Type: 'AWS::Serverless::Function', Properties: { CodeUri: 'src', Handler: 'app.list', Runtime: 'nodejs22.x', Environment: { Variables: { ACCOUNT: { 'Fn::Sub': '${AWS::AccountId}' }, ARN: { 'Fn::GetAtt': ['Hello', 'Arn'] } } }, Events: { All: { Type: 'HttpApi' }, Queue: { Type: 'SQS', Properties: {} } } } },
      },
    });
    const q = parse(json);
    assert.deepEqual(q.functions[0], { key: 'Hello', functionName: 'sam-app-Hello', handler: `${FIXTURES}/src/app.mjs#list`, environment: { ACCOUNT: '000000000000', ARN: 'arn:aws:lambda:eu-west-1:000000000000:function:sam-app-Hello' }, timeout: 3, memorySize: 128 });
    assert.deepEqual(q.httpApi, { name: 'sam-app', payload: '2.0', authorizers: [], routes: [{ routeKey: '$default', functionKey: 'Hello' }], stageName: '$default' });
    assert.deepEqual(q.notes, ['Hello: event Queue (SQS) is accepted and not served (it does not come through the gateway)']);
  });

  it('a named stage and a DefaultAuthorizer that a route turns off with NONE', () => {
    const p = parse(`${FN(`      Events:\n        Open:\n          Type: HttpApi\n          Properties: { ApiId: !Ref Api, Path: /open, Method: GET, Auth: { Authorizer: NONE } }\n        Closed:\n          Type: HttpApi\n          Properties: { ApiId: !Ref Api, Path: /closed, Method: ANY }\n`)}  Api:\n    Type: AWS::Serverless::HttpApi\n    Properties:\n      StageName: v1\n      Auth:\n        DefaultAuthorizer: Jwt\n        Authorizers:\n          Jwt: { JwtConfiguration: { issuer: https://issuer.example.com, audience: [a] } }\n`);
    assert.equal(p.httpApi?.stageName, 'v1');
    assert.deepEqual(p.httpApi?.routes, [
      { routeKey: 'GET /open', functionKey: 'Hello' },
      { routeKey: 'ANY /closed', functionKey: 'Hello', authorization: { type: 'authorizer', key: 'Jwt', scopes: [] } },
    ]);
  });

  it('members accepted and not applied are named in start-up notes, not dropped silently', () => {
    const p = parse(
      `${FN(`      Events:\n        Get:\n          Type: HttpApi\n          Properties: { ApiId: !Ref Api, Path: /x, Method: GET, TimeoutInMillis: 1000 }\n`)}  Api:\n    Type: AWS::Serverless::HttpApi\n    Properties:\n      DefaultRouteSettings: { ThrottlingBurstLimit: 1 }\n      StageVariables: { color: blue }\n`,
    );
    assert.deepEqual(p.notes, [
      'Api: StageVariables is accepted and not applied by Gatehouse yet',
      'Api: DefaultRouteSettings is accepted and not applied by Gatehouse yet',
      'Resources.Hello.Properties.Events.Get.Properties: TimeoutInMillis is accepted and not applied by Gatehouse yet',
    ]);
  });

  it("SAM's resource attributes: IgnoreGlobals leaves Globals out of one function, Connectors are accepted with a note", () => {
    // https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-specification-resource-attributes.html
    const json = JSON.stringify({
      Globals: { Function: { Runtime: 'nodejs22.x', Timeout: 9, Environment: { Variables: { SHARED: 'yes' } } } },
      Resources: {
        Hello: { Type: 'AWS::Serverless::Function', IgnoreGlobals: ['Environment'], Connectors: { Read: { Properties: { Destination: { Id: 'Table' }, Permissions: ['Read'] } } }, Properties: { CodeUri: 'src', Handler: 'app.list' } },
        Other: { Type: 'AWS::Serverless::Function', IgnoreGlobals: '*', Properties: { CodeUri: 'src', Handler: 'app.list', Runtime: 'nodejs20.x' } },
      },
    });
    const p = parse(json);
    assert.deepEqual(
      p.functions.map((f) => [f.key, f.environment, f.timeout]),
      [
        ['Hello', {}, 9],
        ['Other', {}, 3],
      ],
    );
    assert.deepEqual(p.notes, ['Hello: Connectors are accepted and not enforced (local functions reach every resource)']);
    assert.match(failure(json.replace('"IgnoreGlobals":"*"', '"IgnoreGlobals":5')), /Resources\.Other\.IgnoreGlobals: must be '\*' or a list of property names$/);
  });

  it('errors name the file position, the logical id and the property', () => {
    assert.equal(failure(FN('      Environment:\n        Variables:\n          X: !ImportValue other-stack-output\n')), '<dir>/inline.yaml:10:27: Resources.Hello.Properties.Environment.Variables.X.Fn::ImportValue: imports an output of another stack, which Gatehouse cannot read; replace it with a literal or a parameter');
    assert.equal(
      failure(FN('      Environment:\n        Variables:\n          X: !GetAZs eu-west-1\n')),
      '<dir>/inline.yaml:10:22: Resources.Hello.Properties.Environment.Variables.X.Fn::GetAZs: the intrinsic function Fn::GetAZs is not supported by Gatehouse (supported: Ref, Fn::Sub, Fn::GetAtt, Fn::If, Fn::Equals, Fn::Not, Fn::And, Fn::Or, Fn::Join, Fn::Select, Fn::Split, Fn::FindInMap, Fn::Base64)',
    );
    assert.equal(failure('Resources:\n  Rest:\n    Type: AWS::Serverless::Api\n'), '<dir>/inline.yaml:3:11: Resources.Rest.Type: AWS::Serverless::Api is not supported by Gatehouse yet (supported: AWS::Serverless::Function, AWS::Serverless::HttpApi, AWS::Lambda::Function, AWS::ApiGatewayV2:: Api, Route, Integration, Authorizer, Stage, Deployment, RouteResponse, IntegrationResponse, Model, and resources that do not affect the gateway such as AWS::DynamoDB::Table, AWS::IAM::Role, AWS::Lambda::Permission)');
    assert.equal(failure(FN('      Events:\n        E:\n          Type: Api\n')), '<dir>/inline.yaml:10:17: Resources.Hello.Properties.Events.E.Type: REST API events (Api) are not supported: Gatehouse serves HTTP APIs only; change the event to Type: HttpApi');
    assert.equal(failure(FN('      Timeout: 901\n')), '<dir>/inline.yaml:8:16: Resources.Hello.Properties.Timeout: must be a whole number from 1 to 900, got 901');
    assert.equal(failure(FN('').replace('nodejs20.x', 'python3.12')), '<dir>/inline.yaml:7:16: Resources.Hello.Properties.Runtime: runtime python3.12 cannot run locally: Gatehouse runs Node.js handlers (nodejs18.x, nodejs20.x, ...); use a nodejs runtime');
    assert.equal(failure(FN('      Environment:\n        Variables:\n          X: !Ref Missing\n')), '<dir>/inline.yaml:10:19: Resources.Hello.Properties.Environment.Variables.X.Ref: Ref Missing: no parameter, pseudo-parameter or resource of that name');
    assert.equal(failure(`Parameters:\n  Name:\n    Type: String\n${FN('')}`), '<dir>/inline.yaml:3:5: Parameters.Name: has no Default; give it a value with --parameter-overrides Name=value');
    assert.equal(failure(`Parameters:\n  Name:\n    Default: a\n${FN('')}`, { Other: 'x' }), '<dir>/inline.yaml:2:3: Parameters: --parameter-overrides names Other, which the template does not declare (parameters: Name)');
    assert.equal(failure(FN('      Events:\n        E:\n          Type: HttpApi\n          Properties: { ApiId: !Ref Nope, Path: /a, Method: GET }\n')), '<dir>/inline.yaml:11:37: Resources.Hello.Properties.Events.E.Properties.ApiId: must be !Ref of an AWS::Serverless::HttpApi of this template (APIs: none)');
    assert.equal(failure(FN('      Events:\n        E:\n          Type: HttpApi\n          Properties: { Path: /a, Method: GET, Auth: { Authorizer: Jwt } }\n')), '<dir>/inline.yaml:11:68: Resources.Hello.Properties.Events.E.Properties.Auth.Authorizer: no authorizer "Jwt" under the Auth.Authorizers of ServerlessHttpApi (authorizers: none)');
    assert.equal(failure(FN('      Handler: missing.list\n').replace('      Handler: app.list\n', '')), `<dir>/inline.yaml:7:16: Resources.Hello.Properties.Handler: no handler file for "src/missing.list": tried src/missing.js, src/missing.mjs, src/missing.cjs relative to <dir>; fix the path`);
    assert.equal(
      failure(`${FN('      Events:\n        E:\n          Type: HttpApi\n')}  Api:\n    Type: AWS::Serverless::HttpApi\n`),
      '<dir>/inline.yaml:12:5: Resources.Api: no HttpApi event names this API (ApiId: !Ref Api) while events without ApiId use the implicit ServerlessHttpApi; Gatehouse serves one HTTP API per template for now: add ApiId: !Ref Api to the events',
    );
    assert.equal(failure('Resources:\n  Api:\n    Type: AWS::Serverless::HttpApi\n    Properties:\n      DefinitionUri: ./missing.yaml\n'), "<dir>/inline.yaml:5:22: Resources.Api.Properties.DefinitionUri: cannot read the OpenAPI definition <dir>/missing.yaml: ENOENT: no such file or directory, open '<dir>/missing.yaml'");
  });

  it('auth.yaml: a Lambda authorizer (FunctionArn, Identity, simple responses) as DefaultAuthorizer, AWS_IAM and NONE routes', () => {
    const p = loadSamTemplate(join(FIXTURES, 'auth.yaml'), { region: 'eu-west-1' });
    assert.deepEqual(p.httpApi?.authorizers, [
      { key: 'KeyAuth', name: 'KeyAuth', type: 'request', functionKey: 'AuthorizerFunction', identitySource: ['$request.header.X-Key'], resultTtlInSeconds: 0, enableSimpleResponses: true, payloadVersion: '2.0' },
    ]);
    assert.deepEqual(p.httpApi?.routes, [
      { routeKey: 'GET /secret', functionKey: 'Echo', authorization: { type: 'authorizer', key: 'KeyAuth', scopes: [] } },
      { routeKey: 'GET /signed', functionKey: 'Echo', authorization: { type: 'aws_iam' } },
      { routeKey: 'GET /open', functionKey: 'Echo' },
    ]);
    const [api] = desiredResources(p, 'eu-west-1');
    assert.deepEqual(api?.routes.map((r) => r.members.authorizationType), ['CUSTOM', 'AWS_IAM', 'NONE']);
    assert.deepEqual(api?.authorizers[0]?.members, {
      name: 'KeyAuth',
      authorizerType: 'REQUEST',
      authorizerUri: 'arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:000000000000:function:sam-app-AuthorizerFunction/invocations',
      identitySource: ['$request.header.X-Key'],
      authorizerPayloadFormatVersion: '2.0',
      enableSimpleResponses: true,
      authorizerResultTtlInSeconds: 0,
    });
    const ttl = parse(`${FN('      Events:\n        E:\n          Type: HttpApi\n          Properties: { ApiId: !Ref Api, Path: /a, Method: GET }\n')}  Api:\n    Type: AWS::Serverless::HttpApi\n    Properties:\n      Auth:\n        DefaultAuthorizer: L\n        Authorizers:\n          L: { FunctionArn: !GetAtt Hello.Arn, AuthorizerPayloadFormatVersion: '1.0', Identity: { Headers: [Authorization], QueryStrings: [token], StageVariables: [v], Context: [requestId] } }\n`);
    assert.deepEqual(ttl.httpApi?.authorizers[0], { key: 'L', name: 'L', type: 'request', functionKey: 'Hello', identitySource: ['$request.header.Authorization', '$request.querystring.token', '$stageVariables.v', '$context.requestId'], resultTtlInSeconds: 300, enableSimpleResponses: false, payloadVersion: '1.0' });
  });

  it('definition.yaml: DefinitionBody with intrinsics, the HttpApi events merged in, imported at the stage; pseudo-parameters', () => {
    const p = loadSamTemplate(join(FIXTURES, 'definition.yaml'), { region: 'eu-west-1', stackName: 'defs' });
    assert.equal(p.httpApi, undefined);
    const uri = 'arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:000000000000:function:defs-Echo/invocations';
    const operation = { 'x-amazon-apigateway-integration': { type: 'aws_proxy', httpMethod: 'POST', uri, payloadFormatVersion: '2.0' } };
    assert.deepEqual(p.apis, [
      {
        apiId: apiIds('defs', 'v1').http,
        protocolType: 'HTTP',
        members: { name: 'defs', protocolType: 'HTTP' },
        authorizers: [],
        integrations: [],
        routes: [],
        stages: [{ stageName: 'v1', autoDeploy: true, deploy: false }],
        definition: { body: JSON.stringify({ openapi: '3.0.1', info: { title: 'defined', version: '1.0' }, paths: { '/hello': { get: operation }, '/pets': { get: operation } } }) },
      },
    ]);
    const q = parse(FN('      Environment:\n        Variables:\n          ID: !Ref AWS::StackId\n          N: !Join [",", !Ref AWS::NotificationARNs]\n          P: !Sub "${AWS::Partition}.${AWS::URLSuffix}"\n'));
    assert.deepEqual(q.functions[0]?.environment, { ID: 'arn:aws:cloudformation:eu-west-1:000000000000:stack/sam-app/00000000-0000-0000-0000-000000000000', N: '', P: 'aws.amazonaws.com' });
  });

  it('Lambda, IAM and DefinitionBody errors', () => {
    const api = (auth: string, events = '      Events:\n        E:\n          Type: HttpApi\n          Properties: { ApiId: !Ref Api, Path: /a, Method: GET }\n') => `${FN(events)}  Api:\n    Type: AWS::Serverless::HttpApi\n    Properties:\n${auth}`;
    assert.equal(
      failure(api('      Auth:\n        Authorizers:\n          L: { FunctionArn: arn:aws:lambda:us-east-1:1:function:elsewhere, AuthorizerPayloadFormatVersion: "2.0" }\n')),
      '<dir>/inline.yaml:17:29: Resources.Api.Properties.Auth.Authorizers.L.FunctionArn: must be the ARN of a function of this template (!GetAtt MyFunction.Arn), got arn:aws:lambda:us-east-1:1:function:elsewhere',
    );
    assert.equal(failure(api('      Auth:\n        Authorizers:\n          L: { FunctionArn: !GetAtt Hello.Arn }\n')), "<dir>/inline.yaml:17:14: Resources.Api.Properties.Auth.Authorizers.L.AuthorizerPayloadFormatVersion: a Lambda authorizer needs AuthorizerPayloadFormatVersion '1.0' or '2.0', got nothing");
    assert.equal(failure(api('      Auth:\n        DefaultAuthorizer: AWS_IAM\n')), '<dir>/inline.yaml:16:28: Resources.Api.Properties.Auth.DefaultAuthorizer: AWS_IAM needs EnableIamAuthorizer: true (as SAM requires)');
    assert.equal(
      failure(api('      Auth: {}\n', '      Events:\n        E:\n          Type: HttpApi\n          Properties: { ApiId: !Ref Api, Path: /a, Method: GET, Auth: { Authorizer: AWS_IAM } }\n')),
      '<dir>/inline.yaml:11:85: Resources.Hello.Properties.Events.E.Properties.Auth.Authorizer: AWS_IAM needs Auth.EnableIamAuthorizer: true on Api (as SAM requires)',
    );
    assert.equal(
      failure(api('      DefinitionBody: { openapi: 3.0.1, info: { title: t, version: "1" }, paths: {} }\n      Auth:\n        Authorizers:\n          J: { JwtConfiguration: { issuer: https://i, audience: [a] } }\n')),
      '<dir>/inline.yaml:18:11: Resources.Api.Properties.Auth.Authorizers: with DefinitionBody or DefinitionUri, define the authorizers in the OpenAPI document (components.securitySchemes with x-amazon-apigateway-authorizer)',
    );
    assert.equal(
      failure(api('      DefinitionBody: { openapi: 3.0.1, info: { title: t, version: "1" }, paths: { /a: { get: {} } } }\n')),
      '<dir>/inline.yaml:10:11: Resources.Hello.Properties.Events.E: the OpenAPI definition already has GET /a; define it once',
    );
  });
});
