import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseLambdaUri } from './lambda-arn.js';

const invocation = (functionArn: string, region = 'us-east-1', partition = 'aws') =>
  `arn:${partition}:apigateway:${region}:lambda:path/2015-03-31/functions/${functionArn}/invocations`;

describe('parseLambdaUri', () => {
  it('parses a plain function ARN', () => {
    const arn = 'arn:aws:lambda:us-east-1:123456789012:function:pets';
    assert.deepEqual(parseLambdaUri(arn), { region: 'us-east-1', accountId: '123456789012', functionName: 'pets', functionArn: arn });
  });

  it('has no qualifier member when there is no alias', () => {
    const ref = parseLambdaUri('arn:aws:lambda:us-east-1:123456789012:function:pets');
    assert.ok(ref);
    assert.equal('qualifier' in ref, false);
  });

  it('parses a function ARN with an alias or version', () => {
    const arn = 'arn:aws:lambda:eu-west-2:123456789012:function:my_pets-fn:live';
    assert.deepEqual(parseLambdaUri(arn), {
      region: 'eu-west-2',
      accountId: '123456789012',
      functionName: 'my_pets-fn',
      qualifier: 'live',
      functionArn: arn,
    });
    assert.equal(parseLambdaUri('arn:aws:lambda:us-east-1:123456789012:function:pets:7')?.qualifier, '7');
  });

  it('parses the API Gateway invocation form and returns the inner function ARN', () => {
    const fn = 'arn:aws:lambda:us-west-2:123456789012:function:pets:prod';
    assert.deepEqual(parseLambdaUri(invocation(fn, 'us-west-2')), {
      region: 'us-west-2',
      accountId: '123456789012',
      functionName: 'pets',
      qualifier: 'prod',
      functionArn: fn,
    });
  });

  it("takes the function's region, not the invocation's", () => {
    const fn = 'arn:aws:lambda:eu-central-1:123456789012:function:pets';
    assert.equal(parseLambdaUri(invocation(fn, 'us-east-1'))?.region, 'eu-central-1');
  });

  it('accepts ${stageVariables.x} in the function name and the alias', () => {
    const arn = 'arn:aws:lambda:us-east-1:123456789012:function:${stageVariables.fn}';
    assert.deepEqual(parseLambdaUri(arn), {
      region: 'us-east-1',
      accountId: '123456789012',
      functionName: '${stageVariables.fn}',
      functionArn: arn,
    });
    const mixed = 'arn:aws:lambda:us-east-1:123456789012:function:pets-${stageVariables.env}:${stageVariables.alias}';
    assert.deepEqual(parseLambdaUri(invocation(mixed)), {
      region: 'us-east-1',
      accountId: '123456789012',
      functionName: 'pets-${stageVariables.env}',
      qualifier: '${stageVariables.alias}',
      functionArn: mixed,
    });
  });

  it('accepts ${stageVariables.x} as the account id', () => {
    assert.equal(parseLambdaUri('arn:aws:lambda:us-east-1:${stageVariables.account}:function:pets')?.accountId, '${stageVariables.account}');
  });

  it('accepts the aws-cn and aws-us-gov partitions', () => {
    const cn = 'arn:aws-cn:lambda:cn-north-1:123456789012:function:pets';
    assert.deepEqual(parseLambdaUri(cn), { region: 'cn-north-1', accountId: '123456789012', functionName: 'pets', functionArn: cn });
    const gov = 'arn:aws-us-gov:lambda:us-gov-west-1:123456789012:function:pets:v2';
    assert.deepEqual(parseLambdaUri(invocation(gov, 'us-gov-west-1', 'aws-us-gov')), {
      region: 'us-gov-west-1',
      accountId: '123456789012',
      functionName: 'pets',
      qualifier: 'v2',
      functionArn: gov,
    });
  });

  const notLambda = [
    'https://example.com/pets',
    'http://localhost:3000/lambda/function:pets',
    'arn:aws:sqs:us-east-1:123456789012:queue',
    'arn:aws:s3:::bucket/function:pets',
    'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/lb/1/2',
    'arn:aws:lambda:us-east-1:123456789012:layer:pets:1',
    'arn:aws:lambda:us-east-1:1234567890123:function:pets', // 13 digits (AWS accepted 11: the AWS CLI's get-integration example)
    'arn:aws:lambda:us-east-1:123456789012:function:',
    'arn:aws:lambda:us-east-1:123456789012:function:pets:live:extra',
    'arn:aws:lambda:us-east-1:123456789012:function:pe ts',
    'arn:aws:lambda:us-east-1:123456789012:function:${stageVariables.}',
    'arn:aws:lambda:us-east-1:123456789012:function:${other.fn}',
    'arn:gcp:lambda:us-east-1:123456789012:function:pets',
    'arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/https://example.com/invocations',
    'arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:pets',
    'arn:aws:apigateway:us-east-1:sqs:path/123456789012/queue',
    '',
  ];
  for (const uri of notLambda) {
    it(`returns undefined for '${uri}'`, () => {
      assert.equal(parseLambdaUri(uri), undefined);
    });
  }
});

describe('parseLambdaUri regressions', () => {
  it('accepts the $LATEST qualifier and rejects non-partitions', () => {
    assert.equal(parseLambdaUri('arn:aws:lambda:us-east-1:123456789012:function:pets:$LATEST')?.qualifier, '$LATEST');
    assert.equal(parseLambdaUri('arn:awsfoo:lambda:us-east-1:123456789012:function:pets'), undefined);
  });
});
