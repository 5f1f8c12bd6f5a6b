import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { IntegrationRecord } from '../../model/resources.js';
import { describeIntegration } from './describe.js';

const label = (record: object) => describeIntegration(record as IntegrationRecord);

describe('describeIntegration (the request log names integrations this way)', () => {
  it('names the function of a Lambda integration (either ARN form), the method and URL of an HTTP one, the subtype of a service one', () => {
    assert.equal(label({ integrationType: 'AWS_PROXY', integrationUri: 'arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:pets/invocations' }), 'AWS_PROXY pets');
    assert.equal(label({ integrationType: 'AWS_PROXY', integrationUri: 'arn:aws:lambda:us-east-1:123456789012:function:orders:live' }), 'AWS_PROXY orders');
    assert.equal(label({ integrationType: 'AWS', integrationUri: 'arn:aws:lambda:us-east-1:123456789012:function:chat' }), 'AWS chat');
    assert.equal(label({ integrationType: 'HTTP_PROXY', integrationMethod: 'GET', integrationUri: 'https://example.com/{proxy}' }), 'HTTP_PROXY GET https://example.com/{proxy}');
    assert.equal(label({ integrationType: 'HTTP_PROXY', integrationUri: 'https://example.com' }), 'HTTP_PROXY ANY https://example.com');
    assert.equal(label({ integrationType: 'AWS_PROXY', integrationSubtype: 'SQS-SendMessage' }), 'AWS_PROXY SQS-SendMessage');
    assert.equal(label({ integrationType: 'MOCK' }), 'MOCK');
  });
});
