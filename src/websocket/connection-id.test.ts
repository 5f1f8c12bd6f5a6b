import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CONNECTION_ID, newConnectionId } from './connection-id.js';

// Connection ids AWS issued or documents: the AWS CLI's post-to-connection example
// (aws/aws-cli awscli/examples/apigatewaymanagementapi/post-to-connection.rst), the developer guide's
// @connections page (R0oXAdfD0kwCH6w=), aws/aws-lambda-go events/testdata/apigw-websocket-request*.json,
// and a captured us-east-1 event with `-` in its ids (HEJGadx-IAMCJPQ=, HLc8-HNyoAMEFhA=).
const AWS_IDS = ['L0SM9cOFvHcCIhw=', 'R0oXAdfD0kwCH6w=', 'TWegAcC4EowCHnA=', 'R1kmxc2VNjMCFIA=', 'HEJGadx-IAMCJPQ=', 'HLc8-HNyoAMEFhA='];

describe('connection ids', () => {
  it("AWS's ids have the shape Gatehouse checks", () => {
    for (const id of AWS_IDS) assert.match(id, CONNECTION_ID);
    for (const bad of ['L0SM9cOFvHcCIhw', 'L0SM9cOFvHcCIh/=', 'L0SM9cOFvHcCIh+=', 'L0SM9cOFvHcCIhw==', 'not-an-id']) assert.doesNotMatch(bad, CONNECTION_ID);
  });

  it('newConnectionId: 16 URL-safe characters (11 random bytes), a path segment as it is, unique', () => {
    const ids = Array.from({ length: 10_000 }, newConnectionId);
    assert.equal(new Set(ids).size, ids.length);
    const seen = new Set<string>();
    for (const id of ids) {
      assert.match(id, CONNECTION_ID);
      assert.equal(Buffer.from(id, 'base64url').length, 11);
      // The character before the pad carries 4 bits, so it is one of these, as in AWS's ids.
      assert.match(id[14] as string, /[AEIMQUYcgkosw048]/);
      assert.equal(new URL(`http://h/prod/@connections/${id}`).pathname, `/prod/@connections/${id}`);
      for (const c of id) seen.add(c);
    }
    assert.ok(seen.has('-') && seen.has('_'), 'the URL-safe characters are used');
    assert.ok(!seen.has('/') && !seen.has('+'));
  });
});
