/**
 * Prerequisites of the examples about APIs and their children (routes, integrations, authorizers,
 * stages, deployments, tags, import/export). Each creates the state the example's command and
 * recorded output imply (names, settings shown in the output that the command did not set).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { ExampleSpec } from './kit.js';
import {
  apiArn, COGNITO, deployment, httpApi, importedRoute, integration, jwtAuthorizer, LAMBDA, petsRoute, route, stage, stageDeployment, webSocketApi,
} from './kit.js';

const JWT = { audience: '123456abc', issuer: COGNITO };

/** Example file name (without `.rst`) -> how to run it. */
export const API_EXAMPLES: Record<string, ExampleSpec> = {
  'create-api': {
    errata: [{
      command: 2,
      path: 'RouteSelectionExpression',
      recorded: "'$request.body.action'",
      corrected: '$request.body.action',
      why: "the output was recorded from a shell that passes single quotes through (cmd.exe); the POSIX shell the example is written for passes $request.body.action",
    }, {
      command: 2,
      path: 'ApiEndpoint',
      recorded: undefined,
      corrected: 'wss://a1b2c3d4.execute-api.us-west-2.amazonaws.com',
      why: 'recorded on 2018-11-15, before WebSocket APIs were released; the get-apis example (2020) shows the wss:// endpoint AWS returns for WebSocket APIs',
    }],
  },
  'create-authorizer': { setup: async (s) => void (await httpApi(s, 'a1b2c3d4')) },
  'create-deployment': {
    setup: async (s) => {
      const api = await httpApi(s, 'a1b2c3d4');
      await petsRoute(s, api);
      await stage(s, api, 'dev');
    },
  },
  'create-integration': {
    // #1 is "a mock integration for a WebSocket API", #2 "an AWS Lambda integration for an HTTP API".
    setup: async (s, c) => void (c.index === 1 ? await webSocketApi(s, 'aabbccddee') : await httpApi(s, 'a1b2c3d4')),
  },
  // "$default route for a WebSocket or HTTP API" and "a route for an HTTP API" on the same API id: an HTTP API.
  'create-route': { setup: async (s) => void (await httpApi(s, 'aabbccddee')) },
  'create-stage': { setup: async (s) => void (await httpApi(s, 'a1b2c3d4')) },
  'delete-access-log-settings': {
    setup: async (s) => {
      const api = await httpApi(s, 'a1b2c3d4');
      const AccessLogSettings = { DestinationArn: 'arn:aws:logs:us-east-1:123456789012:log-group:my-http-api-logs', Format: '$context.requestId' };
      await stage(s, api, '$default', { AccessLogSettings });
    },
  },
  'delete-api': { setup: async (s) => void (await httpApi(s, 'a1b2c3d4')) },
  'delete-authorizer': { setup: async (s) => void (await jwtAuthorizer(s, await httpApi(s, 'a1b2c3d4'), 'a1b2c3', 'my-jwt-authorizer', JWT)) },
  'delete-cors-configuration': { setup: async (s) => void (await httpApi(s, 'a1b2c3d4', { CorsConfiguration: { AllowOrigins: ['https://www.example.com'] } })) },
  'delete-deployment': {
    setup: async (s) => {
      const api = await httpApi(s, 'a1b2c3d4');
      await petsRoute(s, api);
      await deployment(s, api, 'a1b2c3');
    },
  },
  'delete-integration': { setup: async (s) => void (await integration(s, await httpApi(s, 'a1b2c3d4'), 'a1b2c3')) },
  'delete-route-settings': {
    setup: async (s) => {
      const api = await httpApi(s, 'a1b2c3d4');
      await petsRoute(s, api);
      await stage(s, api, 'dev', { RouteSettings: { 'GET /pets': { ThrottlingBurstLimit: 100, ThrottlingRateLimit: 2000 } } });
    },
  },
  'delete-route': { setup: async (s) => void (await route(s, await httpApi(s, 'a1b2c3d4'), 'GET /pets', 'a1b2c3')) },
  'delete-stage': { setup: async (s) => void (await stage(s, await httpApi(s, 'a1b2c3d4'), 'test')) },
  'export-api': {
    setup: async (s) => {
      const api = await httpApi(s, 'a1b2c3d4');
      await petsRoute(s, api);
      await stage(s, api, 'prod', { DeploymentId: await deployment(s, api) });
    },
    // The command's effect is the file it writes.
    verify: (s) => {
      const doc = parseYaml(readFileSync(join(s.dir, 'stage-definition.yaml'), 'utf8')) as { openapi?: unknown; paths?: Record<string, unknown> };
      assert.match(String(doc.openapi), /^3\.0\./, 'stage-definition.yaml is an OpenAPI 3.0 document');
      assert.ok(doc.paths?.['/pets'], 'stage-definition.yaml has the deployed route GET /pets');
    },
  },
  'get-api': { setup: async (s) => void (await httpApi(s, 'a1b2c3d4', { Name: 'my-api', Tags: { department: 'finance' } })) },
  'get-apis': {
    setup: async (s) => {
      await webSocketApi(s, 'a1b2c3d4', { Name: 'my-websocket-api', RouteSelectionExpression: '$request.body.message' });
      await httpApi(s, 'a1b2c3d5', { Name: 'my-http-api' });
    },
  },
  'get-authorizer': { setup: async (s) => void (await jwtAuthorizer(s, await httpApi(s, 'a1b2c3d4'), 'a1b2c3', 'my-jwt-authorizer', JWT)) },
  'get-authorizers': {
    setup: async (s) => {
      const api = await httpApi(s, 'a1b2c3d4');
      await jwtAuthorizer(s, api, 'a1b2c3', 'my-jwt-authorizer', JWT);
      await jwtAuthorizer(s, api, 'a1b2c4', 'new-jwt-authorizer', { audience: '6789abcde', issuer: 'https://cognito-idp.us-west-2.amazonaws.com/us-west-2_abc234' });
    },
  },
  // "Automatic deployment triggered by changes to the Api configuration": the $default stage of a quick-created API.
  'get-deployment': {
    setup: async (s) => {
      const api = await httpApi(s, 'a1b2c3d4', { Target: LAMBDA });
      s.ids.set('abcdef', await stageDeployment(s, api, '$default'));
    },
  },
  'get-deployments': {
    setup: async (s) => {
      const api = await httpApi(s, 'a1b2c3d4', { Target: LAMBDA });
      s.ids.set('bcdefg', await stageDeployment(s, api, '$default'));
      // One more change (one route to the existing integration), one more automatic deployment.
      const managed = (await s.gw.getIntegrations({ ApiId: api })).Items?.[0]?.IntegrationId ?? 'none';
      await route(s, api, 'GET /pets', undefined, { Target: `integrations/${managed}` });
      s.ids.set('abcdef', await stageDeployment(s, api, '$default'));
    },
  },
  // "ApiGatewayManaged": true: the integration quick create made. Its URI is the recorded one, whose account has
  // 11 digits (12356789012, as in reimport-api.rst): AWS returned it, so Gatehouse must take it.
  'get-integration': {
    setup: async (s) => {
      const api = await httpApi(s, 'a1b2c3d4', { Target: 'arn:aws:lambda:us-west-2:12356789012:function:hello12' });
      s.ids.set('a1b2c3', (await s.gw.getIntegrations({ ApiId: api })).Items?.[0]?.IntegrationId ?? 'none');
    },
  },
  'get-integrations': {
    setup: async (s) => {
      const api = await httpApi(s, 'a1b2c3d4', { Target: LAMBDA });
      s.ids.set('a1b2c3', (await s.gw.getIntegrations({ ApiId: api })).Items?.[0]?.IntegrationId ?? 'none');
      await integration(s, api, 'a1b2c4', { IntegrationType: 'HTTP_PROXY', IntegrationMethod: 'ANY', IntegrationUri: 'https://www.example.com', PayloadFormatVersion: '1.0' });
    },
  },
  'get-route': {
    setup: async (s) => {
      const api = await httpApi(s, 'a1b2c3d4');
      await route(s, api, 'ANY /pets', '72jz1wk', { Target: `integrations/${await integration(s, api, 'a1b2c3')}` });
    },
  },
  // The $default route (ApiGatewayManaged) comes from quick create; ANY /admin was added.
  'get-routes': {
    setup: async (s) => {
      const api = await httpApi(s, 'a1b2c3d4', { Target: LAMBDA });
      const managed = (await s.gw.getRoutes({ ApiId: api })).Items?.[0];
      s.ids.set('go65gqi', managed?.RouteId ?? 'none');
      s.ids.set('a1b2c4', managed?.Target?.replace('integrations/', '') ?? 'none');
      await route(s, api, 'ANY /admin', '72jz1wk', { Target: `integrations/${await integration(s, api, 'a1b2c3')}` });
    },
  },
  'get-stage': {
    setup: async (s) => {
      const api = await httpApi(s, 'a1b2c3d4');
      await petsRoute(s, api);
      await stage(s, api, 'prod', { DeploymentId: await deployment(s, api, 'x1zwyv'), StageVariables: { function: 'my-prod-function' } });
    },
  },
  // In the order of the recorded CreatedDates: $default (quick create), dev (auto-deploy), prod (manual deployment).
  'get-stages': {
    errata: [{
      command: 1,
      path: 'Items[1].DeploymentId',
      recorded: undefined,
      corrected: 'dev001',
      why: 'AWS deploys auto-deploy stages asynchronously and the recording caught the dev stage before its first deployment; Gatehouse deploys within the request (README "Serving your APIs")',
    }, {
      command: 1,
      path: 'Items[1].LastDeploymentStatusMessage',
      recorded: undefined,
      corrected: "Successfully deployed stage with deployment ID 'dev001'",
      why: 'the same deployment, as AWS reports it once it is done (the $default stage of the same recording)',
    }],
    setup: async (s) => {
      const api = await httpApi(s, 'a1b2c3d4', { Target: LAMBDA });
      await stage(s, api, 'dev', { AutoDeploy: true, StageVariables: { function: 'my-dev-function' } });
      await stage(s, api, 'prod', { DeploymentId: await deployment(s, api, 'x1zwyv'), StageVariables: { function: 'my-prod-function' } });
      s.ids.set('dty748', await stageDeployment(s, api, '$default'));
    },
  },
  'get-tags': { setup: async (s) => apiArn(s, 'a1b2c3d4', await httpApi(s, 'a1b2c3d4', { Tags: { owner: 'dev-team', environment: 'prod' } })) },
  'import-api': {},
  'reimport-api': { setup: async (s) => void (await httpApi(s, 'a1b2c3d4', { Name: 'my-api' })) },
  'tag-resource': { setup: async (s) => apiArn(s, 'a1b2c3d4', await httpApi(s, 'a1b2c3d4')) },
  'untag-resource': { setup: async (s) => apiArn(s, 'a1b2c3d4', await httpApi(s, 'a1b2c3d4', { Tags: { Project: 'pets', Owner: 'dev-team' } })) },
  // The output shows headers, methods, a version and AllowCredentials that the command did not set: the API had them.
  'update-api': {
    setup: async (s) => {
      const CorsConfiguration = { AllowCredentials: false, AllowHeaders: ['header1', 'header2'], AllowMethods: ['GET', 'OPTIONS'], AllowOrigins: ['https://old.example.com'] };
      await httpApi(s, 'a1b2c3d4', { Name: 'my-http-api', Version: 'v1.0', CorsConfiguration });
    },
  },
  'update-authorizer': {
    setup: async (s) => void (await jwtAuthorizer(s, await httpApi(s, 'a1b2c3d4'), 'a1b2c3', 'my-jwt-authorizer', { ...JWT, identitySource: '$request.header.X-Auth-Token' })),
  },
  'update-deployment': {
    setup: async (s) => {
      const api = await httpApi(s, 'a1b2c3d4');
      await petsRoute(s, api);
      await deployment(s, api, 'abcdef');
    },
  },
  // The recorded TimeoutInMillis 5000 and payload 2.0 were the integration's settings.
  'update-integration': {
    setup: async (s) => {
      const uri = 'arn:aws:apigateway:us-west-2:lambda:path/2015-03-31/functions/arn:aws:lambda:us-west-2:123456789012:function:my-function/invocations';
      await integration(s, await httpApi(s, 'a1b2c3d4'), 'a1b2c3', { IntegrationUri: uri, TimeoutInMillis: 5000 });
    },
  },
  'update-route': {
    setup: async (s, c) => {
      const api = await httpApi(s, 'a1b2c3d4');
      if (c.index === 1) {
        await integration(s, api, 'a1b2c6');
        await route(s, api, 'ANY /pets', 'a1b2c3');
        return;
      }
      // Example 2's route already had the integration, an operation name and RequestParameters {} (in the
      // output, not in the command): the marks of an imported route, so it is imported here (first:
      // ReimportApi replaces an API's integrations and authorizers).
      const routeId = await importedRoute(s, api, 'GET /pets', 'a1b2c3', 'GET HTTP');
      await s.gw.updateRoute({ ApiId: api, RouteId: routeId, Target: `integrations/${await integration(s, api, 'a1b2c6')}` });
      await jwtAuthorizer(s, api, 'a1b2c5', 'my-jwt-authorizer', JWT);
    },
  },
  'update-stage': {
    setup: async (s) => {
      const api = await httpApi(s, 'a1b2c3d4');
      await petsRoute(s, api);
      await stage(s, api, 'dev', { DeploymentId: await deployment(s, api, 'shktxb') });
    },
  },
};
