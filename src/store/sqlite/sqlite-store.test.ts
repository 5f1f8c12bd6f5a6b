import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { storeContract } from '../store.contract.js';
import { openSqliteStore } from './sqlite-store.js';

const dirs: string[] = [];
const freshDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-sqlite-'));
  dirs.push(dir);
  return dir;
};
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

storeContract('sqlite', async () => openSqliteStore(freshDir()));

it('sqlite store keeps data across reopen', async () => {
  const dir = freshDir();
  const first = openSqliteStore(dir);
  await first.apply([{ op: 'insert', kind: 'api', scope: '', id: 'a1', data: { name: 'pets' } }]);
  await first.close();
  const second = openSqliteStore(dir);
  assert.deepEqual((await second.get('api', '', 'a1'))?.data, { name: 'pets' });
  await second.close();
});
