import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RoutingRuleRecord } from '../model/resources.js';
import { compileRoutingRule, compileValueGlob, firstMatchingRule } from './routing-rules.js';

// https://docs.aws.amazon.com/apigateway/latest/developerguide/rest-api-routing-rules.html
// ("Using wildcards with header conditions", "Match base path conditions", "Strip the base path").

const rule = (id: string, priority: number, conditions: RoutingRuleRecord['conditions'], stripBasePath = false): RoutingRuleRecord => ({
  routingRuleId: id,
  routingRuleArn: `arn:aws:apigateway:us-east-1:000000000000:/domainnames/example.com/routingrules/${id}`,
  priority,
  conditions,
  actions: [{ invokeApi: { apiId: `api-${id}`, stage: 'prod', stripBasePath } }],
  apiId: `api-${id}`,
  apiStage: `api-${id}/prod`,
  createdDate: '2024-05-01T12:00:00Z',
});
const header = (name: string, valueGlob: string) => ({ matchHeaders: { anyOf: [{ header: name, valueGlob }] } });
const basePath = (...anyOf: string[]) => ({ matchBasePaths: { anyOf } });

describe('routing rules: value globs (the documented x-version table)', () => {
  const values = ['account', 'alpha', 'backup', 'beta', 'users'];
  const matching = (glob: string) => values.filter(compileValueGlob(glob));
  it('a* is a prefix match', () => assert.deepEqual(matching('a*'), ['account', 'alpha']));
  it('*a is a suffix match', () => assert.deepEqual(matching('*a'), ['alpha', 'beta']));
  it('*a* is a contains match', () => assert.deepEqual(matching('*a*'), ['account', 'alpha', 'backup', 'beta']));
  it('* matches every value', () => assert.deepEqual(matching('*'), values));
  it('no wildcard is an exact, case-sensitive match', () => {
    assert.deepEqual(matching('beta'), ['beta']);
    assert.deepEqual(matching('Beta'), []);
  });
});

describe('routing rules: evaluation', () => {
  const match = (rules: RoutingRuleRecord[], path: string, headers: [string, string][] = []) =>
    firstMatchingRule(rules.map(compileRoutingRule).sort((a, b) => a.priority - b.priority), path, headers.flat());

  it('header names are case-insensitive, values case-sensitive: Hello:World matches hello:World, not Hello:world', () => {
    const rules = [rule('abc123', 10, [header('Hello', 'World')])];
    assert.equal(match(rules, '/', [['hello', 'World']])?.routingRuleIdMatched, 'abc123');
    assert.equal(match(rules, '/', [['Hello', 'world']]), undefined);
  });

  it('header conditions AND together; each header line is matched on its own (Accept: *json)', () => {
    const rules = [rule('two', 1, [header('x-version', '*a*'), header('x-version', '*b*')])];
    assert.ok(match(rules, '/', [['x-version', 'beta']]));
    assert.equal(match(rules, '/', [['x-version', 'alpha']]), undefined);
    const accept = [rule('json', 1, [header('Accept', '*json')])];
    assert.ok(match(accept, '/', [['Accept', 'application/json'], ['Accept', 'text/xml']]), 'two header lines');
    assert.equal(match(accept, '/', [['Accept', 'application/json,text/xml']]), undefined, 'one comma-joined line');
  });

  it('base paths: case-sensitive, whole segments; New/Users does not match new/users', () => {
    const rules = [rule('bp', 1, [basePath('New/Users')])];
    assert.ok(match(rules, '/New/Users'));
    assert.ok(match(rules, '/New/Users/42'));
    assert.equal(match(rules, '/new/users'), undefined);
    assert.equal(match(rules, '/New/UsersX'), undefined);
  });

  it('stripBasePath (the documented PetStoreShopper table)', () => {
    const routed = (base: string, strip: boolean, path: string) => match([rule('r', 1, [basePath(base)], strip)], path)?.routePath;
    assert.equal(routed('PetStoreShopper/dogs', true, '/PetStoreShopper/dogs'), '/');
    assert.equal(routed('PetStoreShopper/dogs', false, '/PetStoreShopper/dogs'), '/PetStoreShopper/dogs');
    assert.equal(routed('PetStoreShopper', true, '/PetStoreShopper/dogs'), '/dogs');
    assert.equal(routed('PetStoreShopper', false, '/PetStoreShopper/dogs'), '/PetStoreShopper/dogs');
    assert.equal(routed('PetStoreShopper', true, '/PetStoreShopper'), '/');
  });

  it('the lowest priority that matches wins; a rule without conditions is a catch-all', () => {
    const rules = [rule('catchall', 100, []), rule('zzz000', 50, [header('Pet', 'Dog-*'), basePath('PetStoreShopper')]), rule('abc123', 10, [header('Hello', 'World')])];
    assert.equal(match(rules, '/PetStoreShopper', [['Hello', 'World'], ['Pet', 'Dog-Bella']])?.routingRuleIdMatched, 'abc123');
    assert.equal(match(rules, '/PetStoreShopper', [['Pet', 'Dog-Bella']])?.routingRuleIdMatched, 'zzz000');
    assert.equal(match(rules, '/Other', [['Pet', 'Dog-Bella']])?.routingRuleIdMatched, 'catchall');
    assert.deepEqual(match(rules, '/x'), { apiId: 'api-catchall', stageName: 'prod', routePath: '/x', routingRuleIdMatched: 'catchall' });
  });

  it('Host is compared without the port (clients of AWS send none)', () => {
    const rules = [rule('a', 10, [header('Host', 'a.example.com')])];
    assert.ok(match(rules, '/', [['Host', 'a.example.com:4580']]));
    assert.equal(match(rules, '/', [['Host', 'b.example.com:4580']]), undefined);
  });
});
