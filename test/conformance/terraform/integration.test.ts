/**
 * aws_apigatewayv2_integration: the request sequences of terraform-provider-aws's acceptance tests
 * (internal/service/apigatewayv2/integration_test.go, commit af55dfb90500e80afb9d9ba64a76024e500c948a) and
 * the members resourceIntegrationCreate/Update send (integration.go, commit 3db496c3ef13bcbf12b401ce6f353c55b76701fa):
 * connectionType/passthroughBehavior/payloadFormatVersion always on create (schema defaults), integrationType
 * always on update, removed request parameters as "", removed response parameters as {}.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TestServer } from '../../helpers/server.js';
import { startServer } from '../../helpers/server.js';
import {
  ACCOUNT, assertEmpty, assertUnset, call, createIntegration, httpApi, LAMBDA_INVOKE_ARN, ok, refused, REGION, ROLE_ARN, wsApi,
} from './helpers.js';

const LISTENER_ARN = `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:listener/net/tf-acc-test/50dc6c495c0c9188/f1e7b1c8a9d2e3f4`;
const queueUrl = (n: number) => `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/tf-acc-test-${n}`;

describe('terraform aws_apigatewayv2_integration', () => {
  let s: TestServer;
  before(async () => {
    s = await startServer();
  });
  after(() => s.close());

  const get = async (apiId: string, id: string) => ok(await call(s, 'GET', `/v2/apis/${apiId}/integrations/${id}`));
  const update = async (apiId: string, id: string, body: Record<string, unknown>) => call(s, 'PATCH', `/v2/apis/${apiId}/integrations/${id}`, body);

  // TestAccAPIGatewayV2Integration_basicWebSocket (testAccIntegrationConfig_basic): MOCK with the provider's defaults.
  it('CreateIntegration WebSocket MOCK with the provider defaults', async () => {
    const { apiId } = await wsApi(s);
    const { integrationId } = await createIntegration(s, apiId, { integrationType: 'MOCK' });
    const i = await get(apiId, integrationId);
    assertUnset(i.connectionId, 'connectionId');
    assert.equal(i.connectionType, 'INTERNET');
    assertUnset(i.contentHandlingStrategy, 'contentHandlingStrategy');
    assertUnset(i.integrationMethod, 'integrationMethod');
    assert.equal(i.integrationResponseSelectionExpression, '${integration.response.statuscode}');
    assertUnset(i.integrationUri, 'integrationUri');
    assert.equal(i.passthroughBehavior, 'WHEN_NO_MATCH');
    assert.equal(i.payloadFormatVersion, '1.0');
    assertEmpty(i.requestParameters, 'requestParameters');
    assertEmpty(i.requestTemplates, 'requestTemplates');
    assertEmpty(i.responseParameters, 'responseParameters');
    assert.equal(i.timeoutInMillis, 29000);
    assert.equal(i.tlsConfig, undefined);
  });

  // TestAccAPIGatewayV2Integration_basicHTTP (testAccIntegrationConfig_httpProxy): the provider sends
  // passthroughBehavior WHEN_NO_MATCH to an HTTP API; AWS accepts it and does not echo it (the check is
  // passthrough_behavior = "", and the schema's DiffSuppressFunc says "Not set for HTTP APIs").
  it('CreateIntegration HTTP_PROXY accepts passthroughBehavior on an HTTP API and does not echo it', async () => {
    const { apiId } = await httpApi(s);
    const { integrationId } = await createIntegration(s, apiId, { integrationType: 'HTTP_PROXY', integrationMethod: 'GET', integrationUri: 'https://example.com' });
    const i = await get(apiId, integrationId);
    assert.equal(i.connectionType, 'INTERNET');
    assert.equal(i.integrationMethod, 'GET');
    assertUnset(i.integrationResponseSelectionExpression, 'integrationResponseSelectionExpression');
    assert.equal(i.integrationUri, 'https://example.com');
    assertUnset(i.passthroughBehavior, 'passthroughBehavior');
    assert.equal(i.payloadFormatVersion, '1.0');
    assert.equal(i.timeoutInMillis, 30000);
  });

  // TestAccAPIGatewayV2Integration_dataMappingHTTP: the update sends every new request parameter, the removed
  // one as "", the kept response parameters and the removed status code as {} (resourceIntegrationUpdate).
  // AWS then reads back exactly two request parameters and the 500 mappings; the removed "404" comes back as
  // an empty map, which is why flattenIntegrationResponseParameters skips entries with no mappings.
  it('UpdateIntegration: "" removes a request parameter, {} empties a response status code', async () => {
    const { apiId } = await httpApi(s);
    const r500 = { 'append:header.header1': '$context.requestId', 'overwrite:statuscode': '403' };
    const { integrationId } = await createIntegration(s, apiId, {
      integrationType: 'HTTP_PROXY', integrationMethod: 'ANY', integrationUri: 'http://www.example.com',
      requestParameters: { 'append:header.header1': '$context.requestId', 'remove:querystring.qs1': "''" },
      responseParameters: { 500: r500, 404: { 'append:header.error': '$stageVariables.environmentId' } },
    });
    let i = await get(apiId, integrationId);
    assert.deepEqual(i.requestParameters, { 'append:header.header1': '$context.requestId', 'remove:querystring.qs1': "''" });
    assert.deepEqual(i.responseParameters, { 500: r500, 404: { 'append:header.error': '$stageVariables.environmentId' } });

    ok(await update(apiId, integrationId, {
      integrationType: 'HTTP_PROXY',
      requestParameters: { 'append:header.header1': '$context.accountId', 'overwrite:header.header2': '$stageVariables.environmentId', 'remove:querystring.qs1': '' },
      responseParameters: { 500: r500, 404: {} },
    }));
    i = await get(apiId, integrationId);
    assert.deepEqual(i.requestParameters, { 'append:header.header1': '$context.accountId', 'overwrite:header.header2': '$stageVariables.environmentId' });
    assert.deepEqual(i.responseParameters, { 500: r500, 404: {} });
    assertUnset(i.passthroughBehavior, 'passthroughBehavior');
  });

  // TestAccAPIGatewayV2Integration_integrationTypeHTTP: a WebSocket HTTP integration with every attribute; an empty
  // request template is kept and echoed as ""; the update removes the querystring parameter with "" and sets
  // timeoutInMillis 51.
  it('CreateIntegration / UpdateIntegration WebSocket HTTP with every attribute', async () => {
    const { apiId } = await wsApi(s);
    const { integrationId } = await createIntegration(s, apiId, {
      integrationType: 'HTTP', contentHandlingStrategy: 'CONVERT_TO_TEXT', description: 'Test HTTP', integrationMethod: 'GET',
      integrationUri: 'http://www.example.com', templateSelectionExpression: '$request.body.name', timeoutInMillis: 28999,
      requestParameters: { 'integration.request.querystring.stage': "'value1'" }, requestTemplates: { 'application/json': '' },
    });
    let i = await get(apiId, integrationId);
    assert.equal(i.contentHandlingStrategy, 'CONVERT_TO_TEXT');
    assert.equal(i.integrationResponseSelectionExpression, '${integration.response.statuscode}');
    assert.equal(i.passthroughBehavior, 'WHEN_NO_MATCH');
    assert.deepEqual(i.requestTemplates, { 'application/json': '' });
    assert.equal(i.templateSelectionExpression, '$request.body.name');
    assert.equal(i.timeoutInMillis, 28999);

    ok(await update(apiId, integrationId, {
      integrationType: 'HTTP', contentHandlingStrategy: 'CONVERT_TO_BINARY', description: 'Test HTTP updated', integrationMethod: 'POST',
      integrationUri: 'http://www.example.org', passthroughBehavior: 'WHEN_NO_TEMPLATES', templateSelectionExpression: '$request.body.id', timeoutInMillis: 51,
      requestParameters: { 'integration.request.header.x-userid': "'value2'", 'integration.request.path.op': "'value3'", 'integration.request.querystring.stage': '' },
      requestTemplates: { 'application/json': '#set($number=42)', 'application/xml': '#set($percent=$number/100)' },
    }));
    i = await get(apiId, integrationId);
    assert.equal(i.contentHandlingStrategy, 'CONVERT_TO_BINARY');
    assert.equal(i.description, 'Test HTTP updated');
    assert.equal(i.integrationMethod, 'POST');
    assert.equal(i.integrationUri, 'http://www.example.org');
    assert.equal(i.passthroughBehavior, 'WHEN_NO_TEMPLATES');
    assert.deepEqual(i.requestParameters, { 'integration.request.header.x-userid': "'value2'", 'integration.request.path.op': "'value3'" });
    assert.deepEqual(i.requestTemplates, { 'application/json': '#set($number=42)', 'application/xml': '#set($percent=$number/100)' });
    assert.equal(i.templateSelectionExpression, '$request.body.id');
    assert.equal(i.timeoutInMillis, 51);
  });

  // TestAccAPIGatewayV2Integration_lambdaWebSocket: an AWS (Lambda) integration of a WebSocket API gets
  // integrationMethod POST (the schema's DiffSuppressFunc: "Default HTTP method for Lambda integration is POST")
  // and integrationResponseSelectionExpression ${integration.response.body.errorMessage}.
  it('CreateIntegration WebSocket AWS (Lambda) gets POST and the errorMessage response selection', async () => {
    const { apiId } = await wsApi(s);
    const { integrationId } = await createIntegration(s, apiId, {
      integrationType: 'AWS', contentHandlingStrategy: 'CONVERT_TO_TEXT', description: 'Test Lambda', integrationUri: LAMBDA_INVOKE_ARN,
    });
    const i = await get(apiId, integrationId);
    assert.equal(i.integrationMethod, 'POST');
    assert.equal(i.integrationResponseSelectionExpression, '${integration.response.body.errorMessage}');
    assert.equal(i.passthroughBehavior, 'WHEN_NO_MATCH');
    assert.equal(i.payloadFormatVersion, '1.0');
    assert.equal(i.timeoutInMillis, 29000);
  });

  // TestAccAPIGatewayV2Integration_lambdaHTTP: AWS_PROXY 2.0 on an HTTP API, passthroughBehavior sent and not echoed.
  it('CreateIntegration HTTP AWS_PROXY gets POST and no passthroughBehavior', async () => {
    const { apiId } = await httpApi(s);
    const { integrationId } = await createIntegration(s, apiId, {
      integrationType: 'AWS_PROXY', description: 'Test Lambda', integrationUri: LAMBDA_INVOKE_ARN, payloadFormatVersion: '2.0',
    });
    const i = await get(apiId, integrationId);
    assert.equal(i.integrationMethod, 'POST');
    assertUnset(i.integrationResponseSelectionExpression, 'integrationResponseSelectionExpression');
    assertUnset(i.passthroughBehavior, 'passthroughBehavior');
    assert.equal(i.payloadFormatVersion, '2.0');
    assert.equal(i.timeoutInMillis, 30000);
  });

  // TestAccAPIGatewayV2Integration_vpcLinkWebSocket: connectionType VPC_LINK with the id of a REST API VPC link
  // (aws_api_gateway_vpc_link), which the V2 API cannot look up; passthroughBehavior NEVER.
  it('CreateIntegration WebSocket HTTP_PROXY through a VPC link', async () => {
    const { apiId } = await wsApi(s);
    const { integrationId } = await createIntegration(s, apiId, {
      integrationType: 'HTTP_PROXY', connectionId: 'xyz123', connectionType: 'VPC_LINK', contentHandlingStrategy: 'CONVERT_TO_TEXT',
      description: 'Test VPC Link', integrationMethod: 'PUT', integrationUri: 'http://www.example.net', passthroughBehavior: 'NEVER', timeoutInMillis: 12345,
    });
    const i = await get(apiId, integrationId);
    assert.equal(i.connectionId, 'xyz123');
    assert.equal(i.connectionType, 'VPC_LINK');
    assertUnset(i.integrationResponseSelectionExpression, 'integrationResponseSelectionExpression');
    assert.equal(i.passthroughBehavior, 'NEVER');
    assert.equal(i.timeoutInMillis, 12345);
  });

  // TestAccAPIGatewayV2Integration_vpcLinkHTTP: a private integration to a load balancer listener with tlsConfig;
  // the update changes description, method and tlsConfig (timeout_milliseconds is Optional+Computed: not resent).
  it('CreateIntegration / UpdateIntegration HTTP private integration with tlsConfig', async () => {
    const { apiId } = await httpApi(s);
    const link = ok(await call(s, 'POST', '/v2/vpclinks', { name: 'tf-acc-test', securityGroupIds: ['sg-0123456789abcdef0'], subnetIds: ['subnet-0123456789abcdef0', 'subnet-0fedcba9876543210'] }), 201);
    const { integrationId } = await createIntegration(s, apiId, {
      integrationType: 'HTTP_PROXY', connectionType: 'VPC_LINK', connectionId: link.vpcLinkId, description: 'Test private integration',
      integrationMethod: 'GET', integrationUri: LISTENER_ARN, timeoutInMillis: 29001, tlsConfig: { serverNameToVerify: 'www.example.com' },
    });
    let i = await get(apiId, integrationId);
    assert.equal(i.connectionId, link.vpcLinkId);
    assertUnset(i.passthroughBehavior, 'passthroughBehavior');
    assert.deepEqual(i.tlsConfig, { serverNameToVerify: 'www.example.com' });
    assert.equal(i.timeoutInMillis, 29001);
    ok(await update(apiId, integrationId, {
      integrationType: 'HTTP_PROXY', description: 'Test private integration updated', integrationMethod: 'POST', tlsConfig: { serverNameToVerify: 'www.example.org' },
    }));
    i = await get(apiId, integrationId);
    assert.equal(i.description, 'Test private integration updated');
    assert.equal(i.integrationMethod, 'POST');
    assert.deepEqual(i.tlsConfig, { serverNameToVerify: 'www.example.org' });
    assert.equal(i.timeoutInMillis, 29001);
  });

  // TestAccAPIGatewayV2Integration_serviceIntegration (testAccIntegrationConfig_sqs): SQS-SendMessage; the update
  // always resends integrationSubtype and every request parameter ("some parameters are always required").
  it('CreateIntegration / UpdateIntegration SQS-SendMessage service integration', async () => {
    const { apiId } = await httpApi(s);
    const params = (n: number) => ({ QueueUrl: queueUrl(n), MessageGroupId: '$request.body.authentication_key', MessageBody: '$request.body' });
    const { integrationId } = await createIntegration(s, apiId, {
      integrationType: 'AWS_PROXY', integrationSubtype: 'SQS-SendMessage', credentialsArn: ROLE_ARN, description: 'Test SQS send', requestParameters: params(0),
    });
    let i = await get(apiId, integrationId);
    assert.equal(i.credentialsArn, ROLE_ARN);
    assertUnset(i.integrationMethod, 'integrationMethod');
    assert.equal(i.integrationSubtype, 'SQS-SendMessage');
    assertUnset(i.integrationUri, 'integrationUri');
    assertUnset(i.passthroughBehavior, 'passthroughBehavior');
    assert.equal(i.payloadFormatVersion, '1.0');
    assert.deepEqual(i.requestParameters, params(0));
    ok(await update(apiId, integrationId, { integrationType: 'AWS_PROXY', integrationSubtype: 'SQS-SendMessage', requestParameters: params(1) }));
    i = await get(apiId, integrationId);
    assert.deepEqual(i.requestParameters, params(1));
  });

  // resourceIntegrationUpdate: connection_id removed from the configuration is sent as connectionId "" together
  // with the new connectionType (integration.go: `if d.HasChange("connection_id") { ConnectionId = d.Get(...) }`).
  it('UpdateIntegration: connectionId "" when a private integration goes back to INTERNET', async () => {
    const { apiId } = await wsApi(s);
    const { integrationId } = await createIntegration(s, apiId, {
      integrationType: 'HTTP_PROXY', connectionId: 'xyz123', connectionType: 'VPC_LINK', integrationMethod: 'GET', integrationUri: 'http://www.example.net',
    });
    ok(await update(apiId, integrationId, { integrationType: 'HTTP_PROXY', connectionId: '', connectionType: 'INTERNET' }));
    const i = await get(apiId, integrationId);
    assert.equal(i.connectionType, 'INTERNET');
    assertUnset(i.connectionId, 'connectionId');
  });

  // AWS's refusal of a non-proxy integration on an HTTP API, quoted in aws/aws-cli#6363
  // (create-integration --integration-type AWS on an HTTP API).
  it('CreateIntegration refuses integrationType AWS on an HTTP API', async () => {
    const { apiId } = await httpApi(s);
    refused(
      await call(s, 'POST', `/v2/apis/${apiId}/integrations`, { integrationType: 'AWS', integrationUri: LAMBDA_INVOKE_ARN }),
      400, 'BadRequestException', 'Currently, an API with a protocol type of HTTP may only be associated with proxy integrations (AWS_PROXY, HTTP_PROXY)',
    );
  });

  // TestAccAPIGatewayV2Integration_disappears / resourceIntegrationDelete: NotFoundException once deleted.
  it('DeleteIntegration, then GetIntegration answers NotFoundException', async () => {
    const { apiId } = await wsApi(s);
    const { integrationId } = await createIntegration(s, apiId, { integrationType: 'MOCK' });
    ok(await call(s, 'DELETE', `/v2/apis/${apiId}/integrations/${integrationId}`), 204);
    const res = await call(s, 'GET', `/v2/apis/${apiId}/integrations/${integrationId}`);
    assert.equal(res.status, 404);
    assert.equal(res.type, 'NotFoundException');
  });
});
