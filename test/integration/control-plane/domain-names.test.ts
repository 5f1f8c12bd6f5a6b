import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CreateApiCommand,
  CreateApiMappingCommand,
  CreateDomainNameCommand,
  CreateRoutingRuleCommand,
  DeleteDomainNameCommand,
  GetApiMappingsCommand,
  GetDomainNameCommand,
  GetDomainNamesCommand,
  ListRoutingRulesCommand,
  UpdateDomainNameCommand,
} from '@aws-sdk/client-apigatewayv2';
import { rejectsAws } from '../../helpers/assert-aws.js';
import type { TestServer } from '../../helpers/server.js';
import { rawRequest, sdkClient, startServer } from '../../helpers/server.js';

const CERT = 'arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555';
const CERT2 = 'arn:aws:acm:us-east-1:123456789012:certificate/66666666-7777-8888-9999-000000000000';
const EDGE_MESSAGE =
  'Only REGIONAL domain names can be managed through the API Gateway V2 API. For EDGE domain names, please use the API Gateway V1 API. ' +
  'Also note that only REST APIs can be attached to EDGE domain names.';

describe('DomainNames', () => {
  let s: TestServer;

  before(async () => {
    s = await startServer();
  });
  after(async () => {
    await s.close();
  });

  it('CreateDomainName fills in the AWS defaults and GetDomainName returns the same', async () => {
    const created = await s.client.send(
      new CreateDomainNameCommand({ DomainName: 'api.example.com', DomainNameConfigurations: [{ CertificateArn: CERT }], Tags: { team: 'pets' } }),
    );
    const got = await s.client.send(new GetDomainNameCommand({ DomainName: 'api.example.com' }));
    for (const d of [created, got]) {
      assert.equal(d.DomainName, 'api.example.com');
      assert.equal(d.DomainNameArn, 'arn:aws:apigateway:us-east-1::/domainnames/api.example.com');
      assert.equal(d.ApiMappingSelectionExpression, '$request.basepath');
      assert.equal(d.RoutingMode, 'API_MAPPING_ONLY');
      assert.deepEqual(d.Tags, { team: 'pets' });
      assert.equal(d.MutualTlsAuthentication, undefined);
      assert.equal(d.DomainNameConfigurations?.length, 1);
      const c = d.DomainNameConfigurations?.[0];
      assert.match(String(c?.ApiGatewayDomainName), /^d-[a-z0-9]{10}\.execute-api\.us-east-1\.amazonaws\.com$/);
      assert.equal(c?.HostedZoneId, 'Z1UJRXOUMOOFQ8');
      assert.equal(c?.DomainNameStatus, 'AVAILABLE');
      assert.equal(c?.EndpointType, 'REGIONAL');
      assert.equal(c?.SecurityPolicy, 'TLS_1_2');
      assert.equal(c?.IpAddressType, 'ipv4');
      assert.equal(c?.CertificateArn, CERT);
      // AWS reports no upload date for an ACM certificate of a REGIONAL domain (the AWS CLI's create-domain-name example).
      assert.equal(c?.CertificateUploadDate, undefined);
    }
    assert.equal(got.DomainNameConfigurations?.[0]?.ApiGatewayDomainName, created.DomainNameConfigurations?.[0]?.ApiGatewayDomainName);
  });

  it('CreateDomainName without configurations gets one REGIONAL TLS_1_2 configuration and no certificate date', async () => {
    const d = await s.client.send(new CreateDomainNameCommand({ DomainName: 'bare.example.com' }));
    const c = d.DomainNameConfigurations?.[0];
    assert.equal(c?.EndpointType, 'REGIONAL');
    assert.equal(c?.SecurityPolicy, 'TLS_1_2');
    assert.equal(c?.CertificateArn, undefined);
    assert.equal(c?.CertificateUploadDate, undefined);
    // CreateDomainName leaves out empty tags, GetDomainName shows {} (the AWS CLI's create- and get-domain-name examples).
    assert.equal(d.Tags, undefined);
    assert.deepEqual((await s.client.send(new GetDomainNameCommand({ DomainName: 'bare.example.com' }))).Tags, {});
  });

  it('CreateDomainName keeps the case given, accepts wildcards and finds the domain case-insensitively', async () => {
    // AWS renders the name as created (the AWS CLI's get-domain-names example lists newApi.example.com).
    const d = await s.client.send(new CreateDomainNameCommand({ DomainName: 'Mixed.Example.COM' }));
    assert.equal(d.DomainName, 'Mixed.Example.COM');
    assert.equal((await s.client.send(new GetDomainNameCommand({ DomainName: 'MIXED.example.com' }))).DomainName, 'Mixed.Example.COM');
    const wildcard = await s.client.send(new CreateDomainNameCommand({ DomainName: '*.wild.example.com' }));
    assert.equal(wildcard.DomainNameArn, 'arn:aws:apigateway:us-east-1::/domainnames/*.wild.example.com');
    assert.equal((await s.client.send(new GetDomainNameCommand({ DomainName: '*.wild.example.com' }))).DomainName, '*.wild.example.com');
  });

  it('CreateDomainName rejects names that are not DNS names', async () => {
    for (const name of ['localhost', 'a..example.com', '-a.example.com', 'a-.example.com', 'a.example.com.', '*.com', 'a.*.example.com', 'a_b.example.com', '10.0.0.1', `${'a'.repeat(64)}.example.com`]) {
      await rejectsAws(
        s.client.send(new CreateDomainNameCommand({ DomainName: name })),
        'BadRequestException',
        `Invalid domain name ${name.toLowerCase()}: must be a DNS name such as api.example.com, or a wildcard such as *.example.com`,
        400,
      );
    }
  });

  it('CreateDomainName duplicate is 409 ConflictException, also when only the case differs', async () => {
    await s.client.send(new CreateDomainNameCommand({ DomainName: 'dup.example.com' }));
    for (const name of ['dup.example.com', 'DUP.example.com']) {
      await rejectsAws(s.client.send(new CreateDomainNameCommand({ DomainName: name })), 'ConflictException', 'The domain name you provided already exists.', 409);
    }
  });

  it('CreateDomainName validates configurations, certificates, mutual TLS and tags', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ DomainNameConfigurations: [{ EndpointType: 'EDGE', CertificateArn: CERT }] }, EDGE_MESSAGE],
      [{ DomainNameConfigurations: [{}, {}] }, 'A domain name can have only one domain name configuration'],
      [
        { DomainNameConfigurations: [{ CertificateArn: 'arn:aws:iam::123456789012:server-certificate/x' }] },
        'Invalid certificateArn arn:aws:iam::123456789012:server-certificate/x: must be an ACM certificate ARN such as arn:aws:acm:us-east-1:123456789012:certificate/abc-123',
      ],
      [
        { DomainNameConfigurations: [{ OwnershipVerificationCertificateArn: 'cert' }] },
        'Invalid ownershipVerificationCertificateArn cert: must be an ACM certificate ARN such as arn:aws:acm:us-east-1:123456789012:certificate/abc-123',
      ],
      [{ MutualTlsAuthentication: { TruststoreUri: 'https://bucket/key' } }, 'Invalid truststoreUri https://bucket/key: must be an S3 URI such as s3://bucket-name/key-name'],
      [{ MutualTlsAuthentication: { TruststoreUri: 's3://bucket-name' } }, 'Invalid truststoreUri s3://bucket-name: must be an S3 URI such as s3://bucket-name/key-name'],
      [
        { DomainNameConfigurations: [{ SecurityPolicy: 'TLS_1_0' }], MutualTlsAuthentication: { TruststoreUri: 's3://bucket-name/truststore.pem' } },
        'Mutual TLS authentication requires the TLS_1_2 security policy',
      ],
      [{ Tags: { 'aws:cloudformation:stack-name': 'x' } }, 'Invalid tag key aws:cloudformation:stack-name: the aws: prefix is reserved'],
      [{ DomainNameConfigurations: [{ SecurityPolicy: 'TLS_1_3' }] }, "1 validation error detected: Value 'TLS_1_3' at 'domainNameConfigurations.1.member.securityPolicy' failed to satisfy constraint: Member must satisfy enum value set: [TLS_1_0, TLS_1_2]"],
      [{ RoutingMode: 'RULES' }, "1 validation error detected: Value 'RULES' at 'routingMode' failed to satisfy constraint: Member must satisfy enum value set: [API_MAPPING_ONLY, ROUTING_RULE_ONLY, ROUTING_RULE_THEN_API_MAPPING]"],
    ];
    for (const [extra, message] of cases) {
      await rejectsAws(s.client.send(new CreateDomainNameCommand({ DomainName: 'invalid.example.com', ...extra })), 'BadRequestException', message, 400);
    }
    await rejectsAws(s.client.send(new GetDomainNameCommand({ DomainName: 'invalid.example.com' })), 'NotFoundException', 'Invalid domain name identifier specified');
  });

  it('CreateDomainName with mutual TLS, a TLS 1.0 policy and a routing mode', async () => {
    const d = await s.client.send(
      new CreateDomainNameCommand({
        DomainName: 'mtls.example.com',
        DomainNameConfigurations: [{ CertificateArn: CERT, SecurityPolicy: 'TLS_1_2', IpAddressType: 'dualstack' }],
        MutualTlsAuthentication: { TruststoreUri: 's3://bucket-name/truststore.pem', TruststoreVersion: 'v1' },
        RoutingMode: 'ROUTING_RULE_THEN_API_MAPPING',
      }),
    );
    assert.deepEqual(d.MutualTlsAuthentication, { TruststoreUri: 's3://bucket-name/truststore.pem', TruststoreVersion: 'v1' });
    assert.equal(d.RoutingMode, 'ROUTING_RULE_THEN_API_MAPPING');
    assert.equal(d.DomainNameConfigurations?.[0]?.IpAddressType, 'dualstack');
    const legacy = await s.client.send(new CreateDomainNameCommand({ DomainName: 'legacy.example.com', DomainNameConfigurations: [{ SecurityPolicy: 'TLS_1_0' }] }));
    assert.equal(legacy.DomainNameConfigurations?.[0]?.SecurityPolicy, 'TLS_1_0');
  });

  it('GetDomainName unknown name is 404 NotFoundException', async () => {
    const err = await rejectsAws(
      s.client.send(new GetDomainNameCommand({ DomainName: 'nope.example.com' })),
      'NotFoundException',
      'Invalid domain name identifier specified',
      404,
    );
    assert.equal((err as { ResourceType?: string }).ResourceType, 'DomainName');
  });

  it('GetDomainNames pages with maxResults and nextToken', async () => {
    const names: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await s.client.send(new GetDomainNamesCommand({ MaxResults: '2', ...(token ? { NextToken: token } : {}) }));
      assert.ok((page.Items?.length ?? 0) <= 2);
      names.push(...(page.Items ?? []).map((d) => d.DomainName as string));
      token = page.NextToken;
      pages++;
    } while (token);
    const all = await s.client.send(new GetDomainNamesCommand({}));
    assert.deepEqual(names, all.Items?.map((d) => d.DomainName));
    assert.ok(pages >= 2);
    assert.equal(all.NextToken, undefined);
    assert.ok(names.includes('api.example.com'));
    await rejectsAws(s.client.send(new GetDomainNamesCommand({ NextToken: 'garbage' })), 'BadRequestException', 'Invalid nextToken');
  });

  it('UpdateDomainName replaces the configuration, keeps the generated endpoint and updates mutual TLS and routing mode', async () => {
    const created = await s.client.send(
      new CreateDomainNameCommand({
        DomainName: 'update.example.com',
        DomainNameConfigurations: [{ CertificateArn: CERT }],
        MutualTlsAuthentication: { TruststoreUri: 's3://bucket-name/a.pem' },
      }),
    );
    const before = created.DomainNameConfigurations?.[0];
    const sameCert = await s.client.send(new UpdateDomainNameCommand({ DomainName: 'update.example.com', RoutingMode: 'ROUTING_RULE_ONLY' }));
    assert.equal(sameCert.RoutingMode, 'ROUTING_RULE_ONLY');
    assert.deepEqual(sameCert.DomainNameConfigurations, created.DomainNameConfigurations, 'members not in the update are kept');
    assert.deepEqual(sameCert.MutualTlsAuthentication, { TruststoreUri: 's3://bucket-name/a.pem' });
    const updated = await s.client.send(
      new UpdateDomainNameCommand({ DomainName: 'UPDATE.example.com', DomainNameConfigurations: [{ CertificateArn: CERT2, CertificateName: 'second' }] }),
    );
    const after = updated.DomainNameConfigurations?.[0];
    assert.equal(after?.ApiGatewayDomainName, before?.ApiGatewayDomainName, 'the API Gateway domain name stays');
    assert.equal(after?.CertificateArn, CERT2);
    assert.equal(after?.CertificateName, 'second');
    await rejectsAws(
      s.client.send(new UpdateDomainNameCommand({ DomainName: 'update.example.com', DomainNameConfigurations: [{ SecurityPolicy: 'TLS_1_0' }] })),
      'BadRequestException',
      'Mutual TLS authentication requires the TLS_1_2 security policy',
    );
    const versioned = await s.client.send(new UpdateDomainNameCommand({ DomainName: 'update.example.com', MutualTlsAuthentication: { TruststoreVersion: 'v2' } }));
    assert.deepEqual(versioned.MutualTlsAuthentication, { TruststoreUri: 's3://bucket-name/a.pem', TruststoreVersion: 'v2' }, 'a version alone keeps the truststore');
    // terraform-provider-aws domain_name.go turns mutual TLS off with truststoreUri "".
    const noMtls = await s.client.send(new UpdateDomainNameCommand({ DomainName: 'update.example.com', MutualTlsAuthentication: { TruststoreUri: '' } }));
    assert.equal(noMtls.MutualTlsAuthentication, undefined, 'truststoreUri "" turns mutual TLS off');
    const legacy = await s.client.send(new UpdateDomainNameCommand({ DomainName: 'update.example.com', DomainNameConfigurations: [{ SecurityPolicy: 'TLS_1_0' }] }));
    assert.equal(legacy.DomainNameConfigurations?.[0]?.SecurityPolicy, 'TLS_1_0');
    assert.equal(legacy.DomainNameConfigurations?.[0]?.CertificateArn, undefined, 'a given configuration replaces the current one');
    const got = await s.client.send(new GetDomainNameCommand({ DomainName: 'update.example.com' }));
    assert.deepEqual(got.DomainNameConfigurations, legacy.DomainNameConfigurations);
    await rejectsAws(
      s.client.send(new UpdateDomainNameCommand({ DomainName: 'update.example.com', DomainNameConfigurations: [{ EndpointType: 'EDGE' }] })),
      'BadRequestException',
      EDGE_MESSAGE,
    );
    await rejectsAws(
      s.client.send(new UpdateDomainNameCommand({ DomainName: 'nope.example.com', RoutingMode: 'API_MAPPING_ONLY' })),
      'NotFoundException',
      'Invalid domain name identifier specified',
    );
  });

  it('DeleteDomainName deletes its API mappings and routing rules with it', async () => {
    const apiId = (await s.client.send(new CreateApiCommand({ Name: 'cascade', ProtocolType: 'HTTP', Target: 'https://example.com' }))).ApiId as string;
    await s.client.send(new CreateDomainNameCommand({ DomainName: 'cascade.example.com' }));
    await s.client.send(new CreateDomainNameCommand({ DomainName: 'cascade.example.com.other.org' }));
    await s.client.send(new CreateApiMappingCommand({ DomainName: 'cascade.example.com', ApiId: apiId, Stage: '$default', ApiMappingKey: 'v1' }));
    await s.client.send(new CreateApiMappingCommand({ DomainName: 'cascade.example.com.other.org', ApiId: apiId, Stage: '$default' }));
    await s.client.send(
      new CreateRoutingRuleCommand({ DomainName: 'cascade.example.com', Priority: 10, Conditions: [], Actions: [{ InvokeApi: { ApiId: apiId, Stage: '$default' } }] }),
    );
    await s.client.send(new DeleteDomainNameCommand({ DomainName: 'Cascade.Example.com' }));
    await rejectsAws(s.client.send(new GetDomainNameCommand({ DomainName: 'cascade.example.com' })), 'NotFoundException', 'Invalid domain name identifier specified');
    await rejectsAws(s.client.send(new DeleteDomainNameCommand({ DomainName: 'cascade.example.com' })), 'NotFoundException', 'Invalid domain name identifier specified', 404);
    await rejectsAws(
      s.client.send(new GetApiMappingsCommand({ DomainName: 'cascade.example.com' })),
      'NotFoundException',
      'Invalid domain name identifier specified',
    );
    await s.client.send(new CreateDomainNameCommand({ DomainName: 'cascade.example.com' }));
    assert.deepEqual((await s.client.send(new GetApiMappingsCommand({ DomainName: 'cascade.example.com' }))).Items, [], 'a re-created domain starts empty');
    assert.deepEqual((await s.client.send(new ListRoutingRulesCommand({ DomainName: 'cascade.example.com' }))).RoutingRules, []);
    const other = await s.client.send(new GetApiMappingsCommand({ DomainName: 'cascade.example.com.other.org' }));
    assert.equal(other.Items?.length, 1, 'another domain whose name starts with the deleted one keeps its mappings');
  });

  it('the envelope format names the domain by its name', async () => {
    const res = await rawRequest(s.url, 'GET', '/v2/domainnames/api.example.com', { headers: { 'x-gatehouse-response-format': 'envelope' } });
    assert.equal(res.status, 200);
    const data = (res.json as { data: Record<string, unknown> }).data;
    assert.equal(data.id, 'api.example.com');
    assert.match(String(data.created_at), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });
});

describe('DomainNames in another region', () => {
  it("CreateDomainName reports the caller's region (from the signature) in the ARN, the endpoint and the hosted zone", async () => {
    const s = await startServer();
    const eu = sdkClient(s.url, { region: 'eu-west-1' });
    try {
      const d = await eu.send(new CreateDomainNameCommand({ DomainName: 'eu.example.com' }));
      assert.equal(d.DomainNameArn, 'arn:aws:apigateway:eu-west-1::/domainnames/eu.example.com');
      assert.match(String(d.DomainNameConfigurations?.[0]?.ApiGatewayDomainName), /^d-[a-z0-9]{10}\.execute-api\.eu-west-1\.amazonaws\.com$/);
      assert.equal(d.DomainNameConfigurations?.[0]?.HostedZoneId, 'ZLY8HYME6SFDD');
    } finally {
      eu.destroy();
      await s.close();
    }
  });

  it('--region is the region of unsigned requests', async () => {
    const s = await startServer({ args: ['--region', 'eu-west-1'] });
    try {
      const created = await rawRequest(s.url, 'POST', '/v2/domainnames', { body: JSON.stringify({ domainName: 'unsigned.example.com' }), headers: { 'content-type': 'application/json' } });
      assert.equal(created.status, 201);
      assert.equal((created.json as { domainNameArn: string }).domainNameArn, 'arn:aws:apigateway:eu-west-1::/domainnames/unsigned.example.com');
    } finally {
      await s.close();
    }
  });
});
