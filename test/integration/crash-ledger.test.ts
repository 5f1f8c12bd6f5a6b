import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Ledger, TOP_SCOPE } from './crash-ledger.js';
import { Dump } from './crash-store.js';

/** The store after a kill: one API (quick-created, so with its route and auto-deploy stage) carrying `tags`. */
function dumpWith(apiId: string, token: string, tags: Record<string, string>): Dump {
  return new Dump([
    { kind: 'api', scope: TOP_SCOPE, id: apiId, key: null, data: { name: token, tags } },
    { kind: 'stage', scope: apiId, id: '$default', key: null, data: { autoDeploy: true } },
  ]);
}

describe('crash ledger: a tag set again after an acknowledged UntagResource, in flight at the kill', () => {
  const setUp = () => {
    const ledger = new Ledger('t');
    const tag = ledger.track({ kind: 'tag', owner: 0, token: 'old', apiId: 'api1', id: 'w0', exists: 'yes' });
    ledger.settle(tag, 'acked', undefined); // UntagResource acknowledged
    ledger.settle(tag, 'unknown', 'new'); // TagResource w0=new, in flight at the kill
    return ledger;
  };
  const tagProblems = (ledger: Ledger, tags: Record<string, string>) => ledger.reconcile(dumpWith('api1', 'apiname', tags)).filter((p) => p.startsWith('tag '));

  it('may be present with the new value, or absent', () => {
    assert.deepEqual(tagProblems(setUp(), { w0: 'new' }), []);
    assert.deepEqual(tagProblems(setUp(), {}), []);
  });

  it('is a problem with the value the acknowledged deletion removed', () => {
    assert.deepEqual(tagProblems(setUp(), { w0: 'old' }), ['tag w0 of API api1 holds old, expected new']);
  });
});
