import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evaluatePolicy, parsePolicyDocument, wildcardMatch, type PolicyStatement } from './policy.js';

const ARN = 'arn:aws:execute-api:us-east-1:123456789012:abc123/dev/GET/pets/1';

function parse(statement: unknown): PolicyStatement[] {
  const parsed = parsePolicyDocument({ Version: '2012-10-17', Statement: statement });
  assert.ok(Array.isArray(parsed), String(parsed));
  return parsed;
}

describe('wildcardMatch', () => {
  it('matches * (across /) and ? as IAM does', () => {
    assert.equal(wildcardMatch('*', ''), true);
    assert.equal(wildcardMatch('*', ARN), true);
    assert.equal(wildcardMatch('arn:aws:execute-api:*:*:abc123/*/GET/*', ARN), true);
    assert.equal(wildcardMatch('arn:aws:execute-api:us-east-1:123456789012:abc123/dev/GET/pets/?', ARN), true);
    assert.equal(wildcardMatch('arn:aws:execute-api:us-east-1:123456789012:abc123/dev/GET/pets/??', ARN), false);
    assert.equal(wildcardMatch('arn:aws:execute-api:us-east-1:123456789012:abc123/dev/POST/*', ARN), false);
    assert.equal(wildcardMatch(ARN, ARN), true);
    assert.equal(wildcardMatch(`${ARN}/`, ARN), false);
    assert.equal(wildcardMatch('a*b*c', 'aXbYc'), true);
    assert.equal(wildcardMatch('a*b*c', 'aXbY'), false);
    assert.equal(wildcardMatch('a.c', 'abc'), false, 'regex characters are literal');
  });

  it('stays fast on adversarial patterns', () => {
    const started = Date.now();
    assert.equal(wildcardMatch(`${'*a'.repeat(50)}b`, 'a'.repeat(10_000)), false);
    assert.ok(Date.now() - started < 1000);
  });
});

describe('evaluatePolicy', () => {
  it('allows by a matching Allow; otherwise denies implicitly', () => {
    assert.equal(evaluatePolicy(parse([{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: ARN }]), ARN), 'allow');
    assert.equal(evaluatePolicy(parse({ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: [ARN] }), ARN), 'allow', 'a single statement object');
    assert.equal(evaluatePolicy(parse([{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: 'arn:other' }]), ARN), 'implicit-deny');
    assert.equal(evaluatePolicy(parse([]), ARN), 'implicit-deny');
    assert.equal(evaluatePolicy(parse([{ Action: 'lambda:Invoke', Effect: 'Allow', Resource: '*' }]), ARN), 'implicit-deny');
    assert.equal(evaluatePolicy(parse([{ Action: 'EXECUTE-API:invoke', Effect: 'Allow', Resource: '*' }]), ARN), 'allow', 'actions are case-insensitive');
  });

  it('an explicit Deny wins over any Allow', () => {
    const statements = parse([
      { Action: '*', Effect: 'Allow', Resource: '*' },
      { Action: 'execute-api:Invoke', Effect: 'Deny', Resource: '*/GET/pets/*' },
    ]);
    assert.equal(evaluatePolicy(statements, ARN), 'deny');
    assert.equal(evaluatePolicy(statements, ARN.replace('GET', 'POST')), 'allow');
  });

  it('NotAction and NotResource', () => {
    assert.equal(evaluatePolicy(parse([{ NotAction: 's3:*', Effect: 'Allow', NotResource: '*/admin/*' }]), ARN), 'allow');
    assert.equal(evaluatePolicy(parse([{ Action: '*', Effect: 'Allow', NotResource: '*/pets/*' }]), ARN), 'implicit-deny');
  });

  it('conditions fail closed', () => {
    assert.equal(evaluatePolicy(parse([{ Action: '*', Effect: 'Allow', Resource: '*', Condition: { IpAddress: {} } }]), ARN), 'implicit-deny');
    assert.equal(
      evaluatePolicy(parse([{ Action: '*', Effect: 'Allow', Resource: '*' }, { Action: '*', Effect: 'Deny', Resource: '*', Condition: { Bool: {} } }]), ARN),
      'deny',
    );
  });

  it('malformed documents say why', () => {
    assert.equal(parsePolicyDocument(undefined), 'policyDocument is not an object');
    assert.equal(parsePolicyDocument({}), 'policyDocument.Statement is missing');
    assert.equal(parsePolicyDocument({ Statement: ['x'] }), 'a policy statement is not an object');
    assert.equal(parsePolicyDocument({ Statement: [{ Effect: 'Permit', Action: '*', Resource: '*' }] }), 'a policy statement has Effect "Permit", not Allow or Deny');
    assert.equal(parsePolicyDocument({ Statement: [{ Effect: 'Allow', Resource: '*' }] }), 'a policy statement has no valid Action');
    assert.equal(parsePolicyDocument({ Statement: [{ Effect: 'Allow', Action: '*', Resource: 5 }] }), 'a policy statement has no valid Resource');
  });
});
