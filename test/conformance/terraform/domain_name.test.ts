/**
 * aws_apigatewayv2_domain_name: the request sequences of terraform-provider-aws's acceptance tests
 * (internal/service/apigatewayv2/domain_name_test.go, commit 3277329285f5730eeff9c56fbe69836c9448ab78) and
 * domain_name.go (commit bbb4af8736c1da565708c36f6eceda54a1062731): create then wait for AVAILABLE; every update
 * resends domainNameConfigurations; removing the mutual_tls_authentication block sends
 * mutualTlsAuthentication {truststoreUri: ""} ("To disable mutual TLS for a custom domain name, remove the
 * truststore from your custom domain name").
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TestServer } from '../../helpers/server.js';
import { startServer } from '../../helpers/server.js';
import { assertEmpty, assertUnset, call, certificateArn, createDomainName, label, ok, REGION } from './helpers.js';

const config = (n: number) => [{ certificateArn: certificateArn(n), endpointType: 'REGIONAL', securityPolicy: 'TLS_1_2' }];

describe('terraform aws_apigatewayv2_domain_name', () => {
  let s: TestServer;
  before(async () => {
    s = await startServer();
  });
  after(() => s.close());

  const get = async (name: string) => ok(await call(s, 'GET', `/v2/domainnames/${name}`));

  // TestAccAPIGatewayV2DomainName_basic: what flattenDomainNameConfiguration reads after the AVAILABLE wait.
  it('CreateDomainName REGIONAL TLS_1_2', async () => {
    await createDomainName(s, 'tf-basic.example.com');
    const d = await get('tf-basic.example.com');
    assert.equal(d.domainName, 'tf-basic.example.com');
    assert.equal(d.apiMappingSelectionExpression, '$request.basepath');
    assert.equal(d.domainNameConfigurations.length, 1);
    const c = d.domainNameConfigurations[0];
    assert.equal(c.certificateArn, certificateArn(0));
    assert.equal(c.endpointType, 'REGIONAL');
    assert.equal(c.securityPolicy, 'TLS_1_2');
    assert.equal(c.domainNameStatus, 'AVAILABLE');
    assert.ok(c.hostedZoneId);
    assert.ok(c.apiGatewayDomainName);
    assert.equal(d.mutualTlsAuthentication, undefined);
    assertEmpty(d.tags, 'tags');
  });

  // TestAccAPIGatewayV2DomainName_updateCertificate + _tags: another certificate, then tags via TagResource.
  it('UpdateDomainName certificate; TagResource / UntagResource', async () => {
    await createDomainName(s, 'tf-cert.example.com');
    ok(await call(s, 'PATCH', '/v2/domainnames/tf-cert.example.com', { domainNameConfigurations: config(1) }));
    let d = await get('tf-cert.example.com');
    assert.equal(d.domainNameConfigurations[0].certificateArn, certificateArn(1));
    assert.equal(d.domainNameConfigurations[0].domainNameStatus, 'AVAILABLE');

    const arn = label(`arn:aws:apigateway:${REGION}::/domainnames/tf-cert.example.com`);
    ok(await call(s, 'POST', `/v2/tags/${arn}`, { tags: { Key1: 'Value1', Key2: 'Value2' } }), 201);
    ok(await call(s, 'PATCH', '/v2/domainnames/tf-cert.example.com', { domainNameConfigurations: config(0) }));
    d = await get('tf-cert.example.com');
    assert.equal(d.domainNameConfigurations[0].certificateArn, certificateArn(0));
    assert.deepEqual(d.tags, { Key1: 'Value1', Key2: 'Value2' });
    ok(await call(s, 'DELETE', `/v2/tags/${arn}?tagKeys=Key1&tagKeys=Key2`), 204);
    assertEmpty((await get('tf-cert.example.com')).tags, 'tags');
  });

  // TestAccAPIGatewayV2DomainName_MutualTLSAuthentication_basic: mutual TLS with a truststore version, then the
  // block removed -- UpdateDomainName with truststoreUri "" -- and mutual_tls_authentication.# = 0 afterwards
  // (flattenMutualTLSAuthentication returns one element whenever the member is present).
  it('UpdateDomainName: truststoreUri "" turns mutual TLS off', async () => {
    await createDomainName(s, 'tf-mtls.example.com', { mutualTlsAuthentication: { truststoreUri: 's3://tf-acc-test/tf-acc-test', truststoreVersion: 'v1' } });
    assert.deepEqual((await get('tf-mtls.example.com')).mutualTlsAuthentication, { truststoreUri: 's3://tf-acc-test/tf-acc-test', truststoreVersion: 'v1' });
    ok(await call(s, 'PATCH', '/v2/domainnames/tf-mtls.example.com', { domainNameConfigurations: config(0), mutualTlsAuthentication: { truststoreUri: '' } }));
    const d = await get('tf-mtls.example.com');
    assert.equal(d.mutualTlsAuthentication, undefined);
    assert.equal(d.domainNameConfigurations[0].domainNameStatus, 'AVAILABLE');
  });

  // TestAccAPIGatewayV2DomainName_MutualTLSAuthentication_noVersion: truststore_version reads back "".
  it('CreateDomainName mutual TLS without a truststore version', async () => {
    await createDomainName(s, 'tf-mtls-nv.example.com', { mutualTlsAuthentication: { truststoreUri: 's3://tf-acc-test/tf-acc-test' } });
    const m = (await get('tf-mtls-nv.example.com')).mutualTlsAuthentication;
    assert.equal(m.truststoreUri, 's3://tf-acc-test/tf-acc-test');
    assertUnset(m.truststoreVersion, 'truststoreVersion');
  });

  // TestAccAPIGatewayV2DomainName_MutualTLSAuthentication_ownership: ownershipVerificationCertificateArn echoed.
  it('CreateDomainName with an ownership verification certificate', async () => {
    await createDomainName(s, 'tf-owner.example.com', {
      domainNameConfigurations: [{ certificateArn: certificateArn(2), endpointType: 'REGIONAL', securityPolicy: 'TLS_1_2', ownershipVerificationCertificateArn: certificateArn(3) }],
      mutualTlsAuthentication: { truststoreUri: 's3://tf-acc-test/tf-acc-test', truststoreVersion: 'v1' },
    });
    const c = (await get('tf-owner.example.com')).domainNameConfigurations[0];
    assert.equal(c.certificateArn, certificateArn(2));
    assert.equal(c.ownershipVerificationCertificateArn, certificateArn(3));
  });

  // TestAccAPIGatewayV2DomainName_disappears / resourceDomainNameDelete: NotFoundException once deleted.
  it('DeleteDomainName, then GetDomainName answers NotFoundException', async () => {
    await createDomainName(s, 'tf-gone.example.com');
    ok(await call(s, 'DELETE', '/v2/domainnames/tf-gone.example.com'), 204);
    const res = await call(s, 'GET', '/v2/domainnames/tf-gone.example.com');
    assert.equal(res.status, 404);
    assert.equal(res.type, 'NotFoundException');
  });
});
