import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadServerlessProject, parseServerlessProject } from './project.js';
import type { ServerlessProject } from './project.js';
import { apiIds, desiredResources, stableId } from './resources.js';
import { runsTypeScript } from './runtime.js';
import { ServerlessError } from './variables.js';

const FIXTURES = new URL('../../../test/fixtures/serverless/', import.meta.url).pathname.replace(/\/$/, '');
const ERRORS = join(FIXTURES, 'errors');
const load = (file: string, options: { stage?: string; env?: Record<string, string> } = {}) =>
  loadServerlessProject(join(FIXTURES, file), { env: options.env ?? { FIXTURE_VALUE: 'from-env' }, options: {}, ...(options.stage ? { stage: options.stage } : {}) });

/** The message of the error loading `file` throws, with the fixtures folder shown as `<dir>`. */
function failure(file: string, env: Record<string, string> = {}): string {
  try {
    loadServerlessProject(join(ERRORS, file), { env, options: {} });
  } catch (err) {
    assert.ok(err instanceof ServerlessError, `${file}: ${String(err)}`);
    return err.message.replaceAll(ERRORS, '<dir>');
  }
  assert.fail(`${file} loaded without an error`);
}

const ENV = (stage: string, greeting: string) => ({ GREETING: greeting, STAGE_NAME: stage, FROM_ENV: 'from-env', TABLE: `fixture-${stage}-table` });

describe('serverless.yml loader', () => {
  it('reads every construct of full.yml: functions, httpApi events and authorizers, CORS, payload, websocket events, variables, plugins', () => {
    const p = load('full.yml');
    const fn = (key: string, functionName: string, handler: string, environment: Record<string, string>, timeout: number, memorySize: number) => ({
      key, functionName, handler: join(FIXTURES, handler), environment, timeout, memorySize,
    });
    const expected: ServerlessProject = {
      file: join(FIXTURES, 'full.yml'),
      service: 'fixture',
      stage: 'qa',
      functions: [
        fn('hello', 'fixture-qa-hello', 'handlers/app.mjs#hello', { ...ENV('qa', 'hello nobody'), GREETING: 'overridden' }, 3, 256),
        fn('authorizer', 'fixture-qa-authorizer', 'handlers/app.mjs#auth', ENV('qa', 'hello nobody'), 12, 512),
        fn('legacy', 'custom-legacy-name', 'handlers/legacy.cjs#handler', ENV('qa', 'hello nobody'), 12, 512),
        fn('plain', 'fixture-qa-plain', 'handlers/plain.js#main', ENV('qa', 'hello nobody'), 12, 512),
        fn('wsAuth', 'fixture-qa-wsAuth', 'handlers/app.mjs#wsAuth', ENV('qa', 'hello nobody'), 12, 512),
        fn('ws', 'fixture-qa-ws', 'handlers/app.mjs#ws', ENV('qa', 'hello nobody'), 12, 512),
      ],
      httpApi: {
        name: 'qa-fixture',
        payload: '1.0',
        cors: {
          allowOrigins: ['https://app.example.com'],
          allowHeaders: ['Content-Type', 'Authorization'],
          allowMethods: ['GET', 'POST'],
          allowCredentials: true,
          exposeHeaders: ['X-Request-Id'],
          maxAge: 600,
        },
        authorizers: [
          { key: 'jwtAuth', name: 'jwtAuth', type: 'jwt', identitySource: ['$request.header.Authorization'], issuerUrl: 'https://issuer.example.com/', audience: ['fixture-api'] },
          { key: 'customAuth', name: 'customAuth', type: 'request', functionKey: 'authorizer', identitySource: ['$request.header.Authorization'], resultTtlInSeconds: 60, enableSimpleResponses: true, payloadVersion: '2.0' },
        ],
        routes: [
          { routeKey: 'GET /hello', functionKey: 'hello' },
          { routeKey: '$default', functionKey: 'hello' },
          { routeKey: 'ANY /any/{proxy+}', functionKey: 'hello' },
          { routeKey: 'GET /items/{id}', functionKey: 'hello', authorization: { type: 'authorizer', key: 'jwtAuth', scopes: ['items:read'] } },
          { routeKey: 'POST /items', functionKey: 'hello', authorization: { type: 'authorizer', key: 'customAuth', scopes: [] } },
          { routeKey: 'DELETE /items/{id}', functionKey: 'hello', authorization: { type: 'aws_iam' } },
          { routeKey: 'PUT /legacy', functionKey: 'legacy' },
        ],
      },
      webSocketApi: {
        name: 'qa-fixture-websockets',
        description: 'Serverless Websockets',
        routeSelectionExpression: '$request.body.type',
        routes: [
          { routeKey: '$connect', functionKey: 'ws', authorizer: { functionKey: 'wsAuth', identitySource: ['route.request.querystring.token'] } },
          { routeKey: '$disconnect', functionKey: 'ws' },
          { routeKey: '$default', functionKey: 'ws', routeResponseSelectionExpression: '$default' },
          { routeKey: 'shout', functionKey: 'ws' },
        ],
      },
      plugins: ['serverless-offline', 'serverless-esbuild'],
    };
    assert.deepEqual(p, expected);
  });

  it('--stage wins over provider.stage: ${opt:stage}, ${sls:stage}, API names and Lambda names follow it', () => {
    const p = load('full.yml', { stage: 'prod' });
    assert.equal(p.stage, 'prod');
    assert.equal(p.httpApi?.name, 'prod-fixture');
    assert.equal(p.webSocketApi?.name, 'prod-fixture-websockets');
    assert.deepEqual(p.functions[1]?.environment, ENV('prod', 'hello prod'));
    assert.equal(p.functions[0]?.functionName, 'fixture-prod-hello');
  });

  it('${env:X, fallback} takes the fallback when the variable is unset', () => {
    assert.equal(load('full.yml', { env: {} }).functions[1]?.environment.FROM_ENV, 'fallback');
  });

  it('cors: true takes the Framework defaults with OPTIONS and the events\' methods; provider.httpApi.name names the API; payload defaults to 2.0', () => {
    const p = load('cors-true.yml');
    assert.equal(p.stage, 'dev');
    assert.deepEqual(p.httpApi, {
      name: 'my-custom-name',
      payload: '2.0',
      cors: {
        allowOrigins: ['*'],
        allowHeaders: ['Content-Type', 'X-Amz-Date', 'Authorization', 'X-Api-Key', 'X-Amz-Security-Token', 'X-Amz-User-Agent'],
        allowMethods: ['OPTIONS', 'GET', 'PATCH'],
      },
      authorizers: [],
      routes: [
        { routeKey: 'GET /a', functionKey: 'hello' },
        { routeKey: 'PATCH /b', functionKey: 'hello' },
      ],
    });
    assert.equal(p.webSocketApi, undefined);
  });

  it('a $connect authorizer named by function alone reads route.request.header.Auth; websocketsApiName names the API', () => {
    const p = load('websocket-connect-default-auth.yml');
    assert.deepEqual(p.webSocketApi, {
      name: 'my-chat',
      description: 'Serverless Websockets',
      routeSelectionExpression: '$request.body.action',
      routes: [{ routeKey: '$connect', functionKey: 'ws', authorizer: { functionKey: 'auth', identitySource: ['route.request.header.Auth'] } }],
    });
    assert.equal(p.httpApi, undefined);
  });

  it('variables keep their type when they are the whole value, nest, and refuse objects inside strings', () => {
    const file = join(FIXTURES, 'inline.yml');
    const text = [
      'service: vars',
      'provider:',
      '  name: aws',
      '  timeout: ${self:custom.seconds}',
      '  environment:',
      "    A: ${env:UNSET_A, ${env:SET_B, 'c'}}",
      '    B: "${self:custom.seconds}s"',
      'custom:',
      '  seconds: 7',
      '  list: [1, 2]',
      'functions:',
      '  hello:',
      '    handler: handlers/app.hello',
    ].join('\n');
    const p = parseServerlessProject(file, text, { env: { SET_B: 'b' }, options: {} });
    assert.equal(p.functions[0]?.timeout, 7);
    assert.deepEqual(p.functions[0]?.environment, { A: 'b', B: '7s' });
    assert.equal(parseServerlessProject(file, text, { env: {}, options: {} }).functions[0]?.environment.A, 'c');
    const bare = parseServerlessProject(file, text.replace("${env:UNSET_A, ${env:SET_B, 'c'}}", '${env:UNSET_A, self:custom.seconds}'), { env: {}, options: {} });
    assert.equal(bare.functions[0]?.environment.A, '7');
    assert.throws(() => parseServerlessProject(file, text.replace('"${self:custom.seconds}s"', '"x${self:custom.list}"'), { env: {}, options: {} }), {
      name: 'ServerlessError',
      message: `${file}:7:8: provider.environment.B: the variable \${self:custom.list} is an object or a list and cannot be part of a string; use it as the whole value`,
    });
    assert.throws(() => parseServerlessProject(file, text.replace('${self:custom.seconds}s', '${sls:instanceId}'), { env: {}, options: {} }), {
      message: `${file}:7:8: provider.environment.B: the variable \${sls:instanceId} is not supported: of the sls source Gatehouse resolves only \${sls:stage}`,
    });
  });

  it('${aws:region} and ${aws:accountId} are where the project is served; ${file(...)} reads a YAML or JSON file next to it, its own variables resolved', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gh-sls-vars-'));
    try {
      mkdirSync(join(dir, 'handlers'));
      writeFileSync(join(dir, 'handlers/app.mjs'), 'export const hello = async () => ({ statusCode: 200 });\n');
      writeFileSync(join(dir, 'config.yml'), ['table: pets-${sls:stage}', 'limits:', '  seconds: 9', 'nested: ${file(./more.json):greeting}'].join('\n'));
      writeFileSync(join(dir, 'more.json'), '{"greeting": "hi from json"}');
      writeFileSync(join(dir, 'loop.yml'), 'again: ${file(./loop.yml):again}');
      writeFileSync(join(dir, 'settings.js'), 'module.exports = {};');
      const file = join(dir, 'serverless.yml');
      const text = [
        'service: vars',
        'provider:',
        '  name: aws',
        '  timeout: ${file(./config.yml):limits.seconds}',
        '  environment:',
        '    REGION: ${aws:region}',
        '    ACCOUNT: ${aws:accountId}',
        '    TABLE: ${file(./config.yml):table}',
        '    NESTED: ${file(./config.yml):nested}',
        "    MISSING: ${file(./nothere.yml):x, 'fallback'}",
        'functions:',
        '  hello:',
        '    handler: handlers/app.hello',
      ].join('\n');
      const p = parseServerlessProject(file, text, { env: {}, options: {}, stage: 'prod', region: 'eu-west-1' });
      assert.equal(p.functions[0]?.timeout, 9);
      assert.deepEqual(p.functions[0]?.environment, { REGION: 'eu-west-1', ACCOUNT: '000000000000', TABLE: 'pets-prod', NESTED: 'hi from json', MISSING: 'fallback' });
      assert.equal(parseServerlessProject(file, text, { env: {}, options: {} }).functions[0]?.environment.REGION, 'us-east-1', 'the default region');
      // Inside an included file, ${sls:stage} and ${self:...} are the service's: its provider.stage, its members.
      writeFileSync(join(dir, 'service.yml'), ['table: ${self:service}-${sls:stage}'].join('\n'));
      const staged = text.replace('  name: aws', '  name: aws\n  stage: staging').replace('${file(./config.yml):table}', '${file(./service.yml):table}');
      assert.equal(parseServerlessProject(file, staged, { env: {}, options: {} }).functions[0]?.environment.TABLE, 'vars-staging');
      const fails = (replaced: string) => () => parseServerlessProject(file, text.replace('${aws:region}', replaced), { env: {}, options: {} });
      assert.throws(fails('${aws:partition}'), { message: `${file}:6:13: provider.environment.REGION: the variable \${aws:partition} is not supported: of the aws source Gatehouse resolves \${aws:region} and \${aws:accountId}` });
      assert.throws(fails('${file(./settings.js):x}'), {
        message: `${file}:6:13: provider.environment.REGION: the variable \${file(./settings.js):x} names a program (./settings.js): Gatehouse does not run JavaScript from a serverless.yml; put the values in a YAML or JSON file`,
      });
      assert.throws(fails('${file(./loop.yml):again}'), { message: new RegExp(`^${join(dir, 'loop.yml').replaceAll('.', '\\.')}:1:8: again: the variable \\$\\{file\\(\\./loop\\.yml\\):again\\} includes \\./loop\\.yml, which is already being included`) });
      assert.throws(fails('${file(./nothere.yml):x}'), { message: `${file}:6:13: provider.environment.REGION: the variable \${file(./nothere.yml):x} has no value; define it or give a fallback such as \${file(./nothere.yml):x, 'default'}` });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('provider.apiGateway / apiName / endpointType (REST settings) are notes, not refusals; resources may be a list, and API Gateway resources in any part are refused', () => {
    const file = join(FIXTURES, 'inline.yml');
    const text = [
      'service: rest-leftovers',
      'provider:',
      '  name: aws',
      '  apiGateway:',
      '    minimumCompressionSize: 1024',
      '  endpointType: REGIONAL',
      'functions:',
      '  hello:',
      '    handler: handlers/app.hello',
      '    events:',
      '      - httpApi: GET /hello',
      'resources:',
      '  - Resources:',
      '      Table:',
      '        Type: AWS::DynamoDB::Table',
      '  - Outputs:',
      '      TableName:',
      '        Value: x',
    ].join('\n');
    const p = parseServerlessProject(file, text, { env: {}, options: {} });
    assert.deepEqual(p.notes, [
      `${file}:5:5: provider.apiGateway configures REST APIs (http events) only; it changes nothing for httpApi and websocket events`,
      `${file}:6:17: provider.endpointType configures REST APIs (http events) only; it changes nothing for httpApi and websocket events`,
    ]);
    assert.deepEqual(p.httpApi?.routes, [{ routeKey: 'GET /hello', functionKey: 'hello' }]);
    const withApi = text.replace('AWS::DynamoDB::Table', 'AWS::ApiGatewayV2::Route');
    assert.throws(() => parseServerlessProject(file, withApi, { env: {}, options: {} }), {
      message: `${file}:15:15: resources[0].Resources.Table.Type: AWS::ApiGatewayV2::Route in resources: is not served from a serverless.yml; define the API with httpApi or websocket events`,
    });
  });

  it('a .ts/.mts handler loads where Node.js strips types, and is refused naming the fix elsewhere', () => {
    const file = join(FIXTURES, 'typescript-handler.yml');
    if (runsTypeScript()) {
      assert.equal(loadServerlessProject(file, { env: {}, options: {}, typescript: true }).functions[0]?.handler, join(FIXTURES, 'handlers/typed.mts#hello'));
    }
    assert.throws(() => loadServerlessProject(file, { env: {}, options: {}, typescript: false }), {
      name: 'ServerlessError',
      message: `${file}:7:14: functions.hello.handler: handlers/typed.mts cannot run on this Node.js (${process.version}), which does not strip TypeScript types; compile it to handlers/typed.js or run Gatehouse on Node.js 22.18+ / 23.6+`,
    });
  });

  const ERROR_MESSAGES: Record<string, string> = {
    'program-file.js': '<dir>/program-file.js: serverless.js files are programs; Gatehouse reads serverless.yml, serverless.yaml or serverless.json',
    'bad-route-string.yml': `<dir>/bad-route-string.yml:8:18: functions.hello.events[0].httpApi: "/hello" must be '*' or METHOD /path (e.g. GET /pets/{id})`,
    'cloudformation-api.yml': '<dir>/cloudformation-api.yml:12:13: resources.Resources.ExtraRoute.Type: AWS::ApiGatewayV2::Route in resources: is not served from a serverless.yml; define the API with httpApi or websocket events',
    'cf-variable.yml': `<dir>/cf-variable.yml:5:11: custom.bucket: the variable \${cf:other-stack.BucketName} cannot be resolved: Gatehouse does not read the "cf" variable source (it needs AWS or the Framework); replace it with a literal or \${env:NAME} (supported: \${self:...}, \${env:...}, \${opt:stage}, \${sls:stage}, \${aws:region}, \${aws:accountId}, \${file(./x.yml):path}, each with an optional fallback such as \${env:NAME, 'default'})`,
    'duplicate-route.yml': '<dir>/duplicate-route.yml:12:18: functions.bye.events[0].httpApi: route GET /hello is defined twice (also at <dir>/duplicate-route.yml:8:18 functions.hello.events[0].httpApi); keep one',
    'env-missing.yml': `<dir>/env-missing.yml:5:9: provider.environment.DB: the variable \${env:GATEHOUSE_FIXTURE_UNSET} has no value; set the environment variable GATEHOUSE_FIXTURE_UNSET or give a fallback such as \${env:GATEHOUSE_FIXTURE_UNSET, 'default'}`,
    'external-http-api.yml': '<dir>/external-http-api.yml:5:9: provider.httpApi.id: names an HTTP API created outside this project, which Gatehouse cannot serve; remove it so the project defines its own API',
    'invalid-yaml.yml': '<dir>/invalid-yaml.yml:4:3: not valid YAML: Map keys must be unique',
    'jwt-without-issuer.yml': '<dir>/jwt-without-issuer.yml:7:9: provider.httpApi.authorizers.jwt: a JWT authorizer needs issuerUrl',
    'missing-handler.yml': '<dir>/missing-handler.yml:6:14: functions.hello.handler: no handler file for "../handlers/nothere.hello": tried ../handlers/nothere.js, ../handlers/nothere.mjs, ../handlers/nothere.cjs relative to <dir>; fix the path',
    'not-aws.yml': '<dir>/not-aws.yml:3:9: provider.name: must be aws: Gatehouse serves AWS API Gateway projects, got "azure"',
    'python-runtime.yml': '<dir>/python-runtime.yml:4:12: provider.runtime: runtime python3.12 cannot run locally: Gatehouse runs Node.js handlers (nodejs18.x, nodejs20.x, ...); use a nodejs runtime',
    'request-function-arn.yml': '<dir>/request-function-arn.yml:8:22: provider.httpApi.authorizers.custom.functionArn: a function outside this project cannot run locally; use functionName: with a function of this serverless.yml (or register it with --function and use functionName)',
    'request-ttl-without-identity.yml': '<dir>/request-ttl-without-identity.yml:7:9: provider.httpApi.authorizers.custom: caching results (resultTtlInSeconds 300, the default) needs identitySource (e.g. $request.header.Authorization); add it or set resultTtlInSeconds: 0',
    'rest-http-event.yml': '<dir>/rest-http-event.yml:9:11: functions.hello.events[0].http: REST API events (http) are not supported: Gatehouse serves HTTP APIs only; change the event to httpApi (same method and path)',
    'self-cycle.yml': '<dir>/self-cycle.yml:5:6: custom.a: the variable ${self:custom.b} refers to itself (through custom.b); break the cycle',
    'ssm-variable.yml': `<dir>/ssm-variable.yml:5:13: provider.environment.SECRET: the variable \${ssm:/app/secret} cannot be resolved: Gatehouse does not read the "ssm" variable source (it needs AWS or the Framework); replace it with a literal or \${env:NAME} (supported: \${self:...}, \${env:...}, \${opt:stage}, \${sls:stage}, \${aws:region}, \${aws:accountId}, \${file(./x.yml):path}, each with an optional fallback such as \${env:NAME, 'default'})`,
    'unknown-authorizer.yml': '<dir>/unknown-authorizer.yml:12:19: functions.hello.events[0].httpApi.authorizer.name: no authorizer "nobody" under provider.httpApi.authorizers (authorizers: none)',
    'unknown-event-key.yml': '<dir>/unknown-event-key.yml:11:17: functions.hello.events[0].httpApi.cors: is not supported by Gatehouse (supported here: method, path, authorizer); remove it',
    'unknown-event.yml': '<dir>/unknown-event.yml:8:14: functions.hello.events[0].sqs: event type "sqs" is not served by Gatehouse (supported: httpApi, websocket); remove the event',
    'unknown-provider-key.yml': '<dir>/unknown-provider-key.yml:5:5: provider.httpapi: is not a provider setting; did you mean httpApi? Rename it',
    'ws-authorizer-not-connect.yml': '<dir>/ws-authorizer-not-connect.yml:10:23: functions.hello.events[0].websocket.authorizer: an authorizer can be set on the $connect route only',
    'ws-route-response.yml': '<dir>/ws-route-response.yml:10:45: functions.hello.events[0].websocket.routeResponseSelectionExpression: must be $default (the only value the Framework and AWS take for WebSocket routes), got $request.body.action',
  };

  it('has a test for every error fixture', () => {
    assert.deepEqual(readdirSync(ERRORS).sort(), Object.keys(ERROR_MESSAGES).sort());
  });

  for (const [file, message] of Object.entries(ERROR_MESSAGES)) {
    it(`refuses ${file} naming the position, the key path and the fix`, () => {
      assert.equal(failure(file), message);
    });
  }
});

describe('serverless.yml resources', () => {
  it('derives ids of AWS\'s shapes from the service, stage and key: the same every time, different per stage', () => {
    const ids = apiIds('petstore', 'dev');
    assert.match(ids.http, /^[a-z0-9]{10}$/);
    assert.deepEqual(apiIds('petstore', 'dev'), ids);
    assert.notEqual(apiIds('petstore', 'prod').http, ids.http);
    assert.notEqual(ids.webSocket, ids.http);
    assert.match(stableId('route', ids.http, 'GET /pets'), /^[a-z0-9]{7}$/);
  });

  it('maps full.yml to the management API\'s members', () => {
    const [http, ws] = desiredResources(load('full.yml'), 'eu-west-1');
    assert.ok(http && ws);
    assert.deepEqual(http.members, {
      name: 'qa-fixture',
      protocolType: 'HTTP',
      corsConfiguration: { allowOrigins: ['https://app.example.com'], allowHeaders: ['Content-Type', 'Authorization'], allowMethods: ['GET', 'POST'], allowCredentials: true, exposeHeaders: ['X-Request-Id'], maxAge: 600 },
    });
    assert.deepEqual(http.stages, [{ stageName: '$default', autoDeploy: true, deploy: false }]);
    const arn = (name: string) => `arn:aws:lambda:eu-west-1:000000000000:function:${name}`;
    assert.deepEqual(
      http.authorizers.map((a) => a.members),
      [
        { name: 'jwtAuth', authorizerType: 'JWT', identitySource: ['$request.header.Authorization'], jwtConfiguration: { issuer: 'https://issuer.example.com/', audience: ['fixture-api'] } },
        {
          name: 'customAuth',
          authorizerType: 'REQUEST',
          authorizerUri: `arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/${arn('fixture-qa-authorizer')}/invocations`,
          identitySource: ['$request.header.Authorization'],
          authorizerPayloadFormatVersion: '2.0',
          enableSimpleResponses: true,
          authorizerResultTtlInSeconds: 60,
        },
      ],
    );
    assert.deepEqual(
      http.integrations.map((i) => i.members),
      [
        { integrationType: 'AWS_PROXY', integrationMethod: 'POST', integrationUri: arn('fixture-qa-hello'), payloadFormatVersion: '1.0', timeoutInMillis: 3000 },
        { integrationType: 'AWS_PROXY', integrationMethod: 'POST', integrationUri: arn('custom-legacy-name'), payloadFormatVersion: '1.0', timeoutInMillis: 12000 },
      ],
    );
    const [jwtId, customId] = http.authorizers.map((a) => a.id);
    assert.deepEqual(
      http.routes.map((r) => [r.members.routeKey, r.members.authorizationType, r.members.authorizerId, r.members.authorizationScopes]),
      [
        ['GET /hello', 'NONE', '', []],
        ['$default', 'NONE', '', []],
        ['ANY /any/{proxy+}', 'NONE', '', []],
        ['GET /items/{id}', 'JWT', jwtId, ['items:read']],
        ['POST /items', 'CUSTOM', customId, []],
        ['DELETE /items/{id}', 'AWS_IAM', '', []],
        ['PUT /legacy', 'NONE', '', []],
      ],
    );
    assert.deepEqual(ws.members, { name: 'qa-fixture-websockets', protocolType: 'WEBSOCKET', routeSelectionExpression: '$request.body.type', description: 'Serverless Websockets' });
    assert.deepEqual(ws.stages, [{ stageName: 'qa', autoDeploy: false, deploy: true }]);
    assert.deepEqual(ws.authorizers.map((a) => a.members), [
      { name: 'wsAuth', authorizerType: 'REQUEST', authorizerUri: `arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/${arn('fixture-qa-wsAuth')}/invocations`, identitySource: ['route.request.querystring.token'] },
    ]);
    assert.deepEqual(
      ws.routes.map((r) => [r.members.routeKey, r.members.authorizationType, r.members.routeResponseSelectionExpression, r.routeResponses.map((rr) => rr.members)]),
      [
        ['$connect', 'CUSTOM', '', []],
        ['$disconnect', 'NONE', '', []],
        ['$default', 'NONE', '$default', [{ routeResponseKey: '$default' }]],
        ['shout', 'NONE', '', []],
      ],
    );
    assert.equal(ws.integrations[0]?.members.timeoutInMillis, 12000);
  });
});
