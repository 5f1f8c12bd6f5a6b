import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { authorizeCaller, createIamDirectory, executeApiDenial, managementDenial, maskAccount, requestContext } from './iam-callers.js';
import { parseIamPolicy } from './iam-policy.js';

const POLICY = parseIamPolicy({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'execute-api:Invoke', Resource: 'arn:aws:execute-api:*:*:abc/*/GET/*' }] });
const directory = createIamDirectory([
  { accessKeyId: '111122223333', secretAccessKey: 's1', userName: 'ann', policies: [POLICY] },
  { accessKeyId: 'AKIDROOT', secretAccessKey: 's2' },
]);
const FACTS = { sourceIp: '127.0.0.1', secure: false, now: Date.parse('2024-05-01T12:00:00Z') };

describe('IAM callers', () => {
  it('a 12-digit key is its account; the user ARN names userName, or the key id without one', () => {
    assert.equal(directory.secretOf('111122223333'), 's1');
    assert.equal(directory.callerOf('111122223333')?.userArn, 'arn:aws:iam::111122223333:user/ann');
    assert.equal(directory.callerOf('AKIDROOT')?.userArn, 'arn:aws:iam::000000000000:user/AKIDROOT');
    assert.equal(directory.callerOf('AKIDNONE'), undefined);
  });

  it('a key without policies may do anything; one with policies only what they allow', () => {
    const root = directory.callerOf('AKIDROOT');
    const ann = directory.callerOf('111122223333');
    assert.ok(root && ann);
    assert.equal(authorizeCaller(root, 'apigateway:DELETE', 'arn:aws:apigateway:us-east-1::/apis/x', FACTS), 'allow');
    assert.equal(authorizeCaller(ann, 'execute-api:Invoke', 'arn:aws:execute-api:us-east-1:111122223333:abc/$default/GET/pets', FACTS), 'allow');
    assert.equal(authorizeCaller(ann, 'execute-api:Invoke', 'arn:aws:execute-api:us-east-1:111122223333:abc/$default/POST/pets', FACTS), 'implicit-deny');
  });

  it("the request context carries IAM's global keys", () => {
    const ann = directory.callerOf('111122223333');
    assert.ok(ann);
    assert.deepEqual(requestContext(ann, { ...FACTS, secure: true, userAgent: 'curl/8', region: 'eu-west-1' }), {
      'aws:sourceip': '127.0.0.1',
      'aws:securetransport': 'true',
      'aws:currenttime': '2024-05-01T12:00:00Z',
      'aws:epochtime': '1714564800',
      'aws:principalarn': 'arn:aws:iam::111122223333:user/ann',
      'aws:principalaccount': '111122223333',
      'aws:principaltype': 'User',
      'aws:userid': '111122223333',
      'aws:username': 'ann',
      'aws:useragent': 'curl/8',
      'aws:requestedregion': 'eu-west-1',
    });
  });

  // https://aws.amazon.com/premiumsupport/knowledge-center/api-gateway-troubleshoot-403-forbidden/ (the sentences);
  // the account shown as ********{last four} as execute-api answers (ASFHyP3/hyp3#2283: "arn:aws:execute-api:us-west-2:********2543:...").
  it("execute-api's denials: masked account, ' with an explicit deny' for a Deny", () => {
    const ann = directory.callerOf('111122223333');
    assert.ok(ann);
    const arn = 'arn:aws:execute-api:us-east-1:111122223333:abc/$default/POST/pets';
    assert.equal(maskAccount(arn), 'arn:aws:execute-api:us-east-1:********3333:abc/$default/POST/pets');
    assert.equal(executeApiDenial(ann, 'execute-api:Invoke', arn, 'implicit-deny'), 'User: arn:aws:iam::111122223333:user/ann is not authorized to perform: execute-api:Invoke on resource: arn:aws:execute-api:us-east-1:********3333:abc/$default/POST/pets');
    assert.match(executeApiDenial(ann, 'execute-api:Invoke', arn, 'explicit-deny'), / with an explicit deny$/);
  });

  // mattclay/aws-terminator#284: "... is not authorized to perform: apigateway:PUT on resource: arn:aws:apigateway:us-east-1::/tags/... because no identity-based policy allows the apigateway:PUT action"
  it("the management API's denials in IAM's current wording", () => {
    const ann = directory.callerOf('111122223333');
    assert.ok(ann);
    assert.equal(
      managementDenial(ann, 'apigateway:POST', 'arn:aws:apigateway:us-east-1::/apis', 'implicit-deny'),
      'User: arn:aws:iam::111122223333:user/ann is not authorized to perform: apigateway:POST on resource: arn:aws:apigateway:us-east-1::/apis because no identity-based policy allows the apigateway:POST action',
    );
    assert.equal(
      managementDenial(ann, 'apigateway:POST', 'arn:aws:apigateway:us-east-1::/apis', 'explicit-deny'),
      'User: arn:aws:iam::111122223333:user/ann is not authorized to perform: apigateway:POST on resource: arn:aws:apigateway:us-east-1::/apis with an explicit deny in an identity-based policy',
    );
  });
});
