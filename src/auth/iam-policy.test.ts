import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { IamDecision, RequestContext } from './iam-policy.js';
import { evaluateIamPolicies, parseIamPolicy, PolicyError } from './iam-policy.js';

// IAM's evaluation logic: explicit Deny > Allow > implicit deny; Action case-insensitive, Resource
// case-sensitive and matched per ARN component; conditions per the condition-operator reference.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html

const API = 'arn:aws:execute-api:us-east-1:123456789012:a1b2c3';
const PETS = `${API}/$default/GET/pets/42`;
const CONTEXT: RequestContext = {
  'aws:sourceip': '203.0.113.7',
  'aws:securetransport': 'true',
  'aws:currenttime': '2024-05-01T12:00:00Z',
  'aws:epochtime': '1714564800',
  'aws:username': 'ann',
  'aws:principalaccount': '123456789012',
};

const allow = (extra: Record<string, unknown>) => ({ Effect: 'Allow', Action: 'execute-api:Invoke', Resource: `${API}/*`, ...extra });
const deny = (extra: Record<string, unknown>) => ({ Effect: 'Deny', Action: 'execute-api:Invoke', Resource: `${API}/*`, ...extra });

interface Case {
  readonly name: string;
  readonly statements: readonly Record<string, unknown>[];
  readonly action?: string;
  readonly resource?: string;
  readonly context?: RequestContext;
  readonly version?: string;
  readonly expect: IamDecision;
}

const CASES: readonly Case[] = [
  { name: 'an Allow naming the exact route ARN', statements: [allow({ Resource: PETS })], expect: 'allow' },
  { name: 'no statement applies: implicit deny', statements: [allow({ Resource: `${API}/$default/POST/*` })], expect: 'implicit-deny' },
  { name: 'no policy statements at all for the action', statements: [allow({ Action: 'execute-api:ManageConnections' })], expect: 'implicit-deny' },
  { name: 'action names are case-insensitive', statements: [allow({ Action: 'EXECUTE-API:invoke' })], expect: 'allow' },
  { name: 'action wildcards', statements: [allow({ Action: 'execute-api:*' })], expect: 'allow' },
  { name: 'Action "*"', statements: [allow({ Action: '*', Resource: '*' })], expect: 'allow' },
  { name: 'Action list', statements: [allow({ Action: ['s3:GetObject', 'execute-api:Invoke'] })], expect: 'allow' },
  { name: 'resources are case-sensitive', statements: [allow({ Resource: `${API}/$default/get/pets/42` })], expect: 'implicit-deny' },
  { name: 'wildcard path segments', statements: [allow({ Resource: `${API}/*/GET/pets/*` })], expect: 'allow' },
  { name: '? matches exactly one character', statements: [allow({ Resource: `${API}/$default/GET/pets/4?` })], expect: 'allow' },
  { name: '? does not match two', statements: [allow({ Resource: `${API}/$default/GET/pets/?` })], expect: 'implicit-deny' },
  { name: 'wildcard region and account', statements: [allow({ Resource: 'arn:aws:execute-api:*:*:a1b2c3/*' })], expect: 'allow' },
  { name: 'another account does not match', statements: [allow({ Resource: 'arn:aws:execute-api:us-east-1:999999999999:a1b2c3/*' })], expect: 'implicit-deny' },
  { name: 'a wildcard does not span ARN components', statements: [allow({ Resource: 'arn:aws:execute-api:us-*:a1b2c3/*' })], expect: 'implicit-deny' },
  { name: 'Resource "*"', statements: [allow({ Resource: '*' })], expect: 'allow' },
  { name: 'explicit Deny wins over an Allow before it', statements: [allow({}), deny({ Resource: `${API}/*/GET/pets/*` })], expect: 'explicit-deny' },
  { name: 'explicit Deny wins over an Allow after it', statements: [deny({}), allow({})], expect: 'explicit-deny' },
  { name: 'a Deny that does not apply leaves the Allow', statements: [allow({}), deny({ Resource: `${API}/*/DELETE/*` })], expect: 'allow' },
  { name: 'NotAction: Allow everything but ManageConnections covers Invoke', statements: [{ Effect: 'Allow', NotAction: 'execute-api:ManageConnections', Resource: '*' }], expect: 'allow' },
  {
    name: 'NotAction: the excluded action stays implicitly denied',
    statements: [{ Effect: 'Allow', NotAction: 'execute-api:ManageConnections', Resource: '*' }],
    action: 'execute-api:ManageConnections',
    expect: 'implicit-deny',
  },
  { name: 'NotResource: Deny outside the prod stage denies $default', statements: [allow({}), deny({ Resource: undefined, NotResource: `${API}/prod/*` })], expect: 'explicit-deny' },
  {
    name: 'NotResource: the named resource is untouched by the Deny',
    statements: [allow({}), deny({ Resource: undefined, NotResource: `${API}/prod/*` })],
    resource: `${API}/prod/GET/pets`,
    expect: 'allow',
  },
  // aws:SourceIp with IpAddress / NotIpAddress (CIDR, bare address, IPv6)
  { name: 'IpAddress: inside the CIDR', statements: [allow({ Condition: { IpAddress: { 'aws:SourceIp': '203.0.113.0/24' } } })], expect: 'allow' },
  { name: 'IpAddress: outside the CIDR', statements: [allow({ Condition: { IpAddress: { 'aws:SourceIp': '198.51.100.0/24' } } })], expect: 'implicit-deny' },
  { name: 'IpAddress: any of several CIDRs', statements: [allow({ Condition: { IpAddress: { 'aws:SourceIp': ['198.51.100.0/24', '203.0.113.7'] } } })], expect: 'allow' },
  { name: 'IpAddress: condition keys are case-insensitive', statements: [allow({ Condition: { IpAddress: { 'AWS:SOURCEIP': '203.0.113.0/24' } } })], expect: 'allow' },
  { name: 'IpAddress: IPv6 CIDR', statements: [allow({ Condition: { IpAddress: { 'aws:SourceIp': '2001:db8::/32' } } })], context: { ...CONTEXT, 'aws:sourceip': '2001:db8::1' }, expect: 'allow' },
  { name: 'NotIpAddress Deny: caller outside the office network', statements: [allow({}), deny({ Condition: { NotIpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } })], expect: 'explicit-deny' },
  { name: 'NotIpAddress Deny: caller inside it', statements: [allow({}), deny({ Condition: { NotIpAddress: { 'aws:SourceIp': '203.0.113.0/24' } } })], expect: 'allow' },
  // aws:CurrentTime / aws:EpochTime with date operators
  { name: 'DateLessThan: before the cut-off', statements: [allow({ Condition: { DateLessThan: { 'aws:CurrentTime': '2024-06-01T00:00:00Z' } } })], expect: 'allow' },
  { name: 'DateLessThan: after the cut-off', statements: [allow({ Condition: { DateLessThan: { 'aws:CurrentTime': '2024-04-01T00:00:00Z' } } })], expect: 'implicit-deny' },
  {
    name: 'a time window (two operators: both must hold)',
    statements: [allow({ Condition: { DateGreaterThan: { 'aws:CurrentTime': '2024-04-30T00:00:00Z' }, DateLessThanEquals: { 'aws:CurrentTime': '2024-05-01T12:00:00Z' } } })],
    expect: 'allow',
  },
  { name: 'dates compare as epoch seconds too', statements: [allow({ Condition: { DateGreaterThan: { 'aws:EpochTime': 1714564799 } } })], expect: 'allow' },
  // aws:SecureTransport with Bool
  { name: 'Bool: Deny when not over TLS, request over TLS', statements: [allow({}), deny({ Condition: { Bool: { 'aws:SecureTransport': 'false' } } })], expect: 'allow' },
  {
    name: 'Bool: Deny when not over TLS, request over plain HTTP',
    statements: [allow({}), deny({ Condition: { Bool: { 'aws:SecureTransport': false } } })],
    context: { ...CONTEXT, 'aws:securetransport': 'false' },
    expect: 'explicit-deny',
  },
  // absent keys
  { name: 'absent key: a positive operator does not hold', statements: [allow({ Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-1' } } })], expect: 'implicit-deny' },
  { name: 'absent key: a negated operator holds', statements: [allow({}), deny({ Condition: { StringNotEquals: { 'aws:PrincipalOrgID': 'o-1' } } })], expect: 'explicit-deny' },
  { name: 'absent key: ...IfExists holds', statements: [allow({ Condition: { StringEqualsIfExists: { 'aws:PrincipalOrgID': 'o-1' } } })], expect: 'allow' },
  { name: 'Null: true for an absent key', statements: [allow({ Condition: { Null: { 'aws:PrincipalOrgID': 'true' } } })], expect: 'allow' },
  { name: 'Null: false for a present key', statements: [allow({ Condition: { Null: { 'aws:SourceIp': 'true' } } })], expect: 'implicit-deny' },
  // strings, policy variables, sets
  { name: 'StringLike with wildcards', statements: [allow({ Condition: { StringLike: { 'aws:username': 'a*' } } })], expect: 'allow' },
  { name: 'StringEqualsIgnoreCase', statements: [allow({ Condition: { StringEqualsIgnoreCase: { 'aws:username': 'ANN' } } })], expect: 'allow' },
  { name: 'StringEquals is case-sensitive', statements: [allow({ Condition: { StringEquals: { 'aws:username': 'ANN' } } })], expect: 'implicit-deny' },
  { name: 'policy variable in Resource (2012-10-17)', statements: [allow({ Resource: `${API}/*/GET/users/\${aws:username}` })], resource: `${API}/$default/GET/users/ann`, expect: 'allow' },
  { name: 'policy variable of another user', statements: [allow({ Resource: `${API}/*/GET/users/\${aws:username}` })], resource: `${API}/$default/GET/users/bob`, expect: 'implicit-deny' },
  { name: 'no substitution in 2008-10-17 policies', statements: [allow({ Resource: `${API}/*/GET/users/\${aws:username}` })], resource: `${API}/$default/GET/users/ann`, version: '2008-10-17', expect: 'implicit-deny' },
  { name: 'ForAnyValue over a multivalued key', statements: [allow({ Condition: { 'ForAnyValue:StringEquals': { 'aws:tagkeys': ['team', 'cost'] } } })], context: { ...CONTEXT, 'aws:tagkeys': ['cost', 'x'] }, expect: 'allow' },
  { name: 'ForAllValues: one value outside the set', statements: [allow({ Condition: { 'ForAllValues:StringEquals': { 'aws:tagkeys': ['team', 'cost'] } } })], context: { ...CONTEXT, 'aws:tagkeys': ['cost', 'x'] }, expect: 'implicit-deny' },
  { name: 'NumericLessThan', statements: [allow({ Condition: { NumericLessThan: { 'aws:epochtime': '1800000000' } } })], expect: 'allow' },
  { name: 'ArnLike on the principal', statements: [allow({ Condition: { ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:user/a*' } } })], context: { ...CONTEXT, 'aws:principalarn': 'arn:aws:iam::123456789012:user/ann' }, expect: 'allow' },
];

describe('evaluateIamPolicies', () => {
  for (const c of CASES) {
    it(c.name, () => {
      const policy = parseIamPolicy({ Version: c.version ?? '2012-10-17', Statement: c.statements });
      const result = evaluateIamPolicies([policy], { action: c.action ?? 'execute-api:Invoke', resource: c.resource ?? PETS, context: c.context ?? CONTEXT });
      assert.equal(result.decision, c.expect);
    });
  }

  it('statements of several policies combine: a Deny in one beats an Allow in another', () => {
    const a = parseIamPolicy({ Version: '2012-10-17', Statement: allow({}) });
    const d = parseIamPolicy({ Version: '2012-10-17', Statement: [deny({ Sid: 'NoPets', Resource: `${API}/*/*/pets/*` })] });
    assert.deepEqual(evaluateIamPolicies([a, d], { action: 'execute-api:Invoke', resource: PETS, context: CONTEXT }), { decision: 'explicit-deny', sid: 'NoPets' });
    assert.equal(evaluateIamPolicies([a], { action: 'execute-api:Invoke', resource: PETS, context: CONTEXT }).decision, 'allow');
  });

  it('a policy given as JSON text', () => {
    const policy = parseIamPolicy(JSON.stringify({ Version: '2012-10-17', Statement: [allow({})] }));
    assert.equal(evaluateIamPolicies([policy], { action: 'execute-api:Invoke', resource: PETS, context: CONTEXT }).decision, 'allow');
  });
});

describe('parseIamPolicy', () => {
  const refused: [string, unknown, RegExp][] = [
    ['not an object', 7, /must be an object with a Statement/],
    ['no Statement', { Version: '2012-10-17' }, /needs a Statement/],
    ['bad Version', { Version: '2020-01-01', Statement: allow({}) }, /Version must be/],
    ['bad Effect', { Statement: [{ Effect: 'Maybe', Action: '*', Resource: '*' }] }, /Statement 1: Effect must be Allow or Deny/],
    ['Action and NotAction', { Statement: [{ Effect: 'Allow', Action: '*', NotAction: 's3:*', Resource: '*' }] }, /exactly one of Action and NotAction/],
    ['no Resource', { Statement: [{ Effect: 'Allow', Action: '*' }] }, /exactly one of Resource and NotResource/],
    ['a Principal (resource-based policies only)', { Statement: [{ Sid: 'X', Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' }] }, /Statement 1 \(X\): identity-based policies cannot name a Principal/],
    ['unknown operator', { Statement: [{ Effect: 'Allow', Action: '*', Resource: '*', Condition: { StringSortOf: { 'aws:username': 'a' } } }] }, /Condition operator StringSortOf is not supported/],
    ['condition value of the wrong type', { Statement: [{ Effect: 'Allow', Action: '*', Resource: '*', Condition: { Bool: { 'aws:SecureTransport': { x: 1 } } } }] }, /values must be strings/],
    ['empty Action list', { Statement: [{ Effect: 'Allow', Action: [], Resource: '*' }] }, /Action must be a string or a non-empty list/],
    ['invalid JSON text', '{"Statement": [', /not valid JSON/],
  ];
  for (const [name, doc, message] of refused) {
    it(`refuses ${name}`, () => {
      assert.throws(() => parseIamPolicy(doc), (err: unknown) => err instanceof PolicyError && message.test(err.message));
    });
  }
});
