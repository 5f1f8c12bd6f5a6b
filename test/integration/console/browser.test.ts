/**
 * The console end to end in headless Chromium: an API created through the SDK shows up, a request
 * appears live with the event its Lambda received, an explain ranks the routes, and a message sent
 * from the page reaches a connected `ws` client. Screenshots go to test-artifacts/console-*.png.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import { artifact, launchChromium } from '../../helpers/browser.js';
import { createPetsApi, PETS_FUNCTIONS } from '../../helpers/console.js';
import { call } from '../../helpers/data-plane.js';
import type { TestServer } from '../../helpers/server.js';
import { sdkClient, startServer } from '../../helpers/server.js';
import { connect, createWsApi, HANDLERS } from '../websocket/ws-helpers.js';

describe('console in a browser', { timeout: 120_000 }, () => {
  let s: TestServer;
  let browser: { context: BrowserContext; close(): Promise<void> } | undefined;
  let page: Page;
  let apiId: string;
  let wsApiId: string;
  /** Script errors and console errors of the page (a CSP violation is one), for the last test to check. */
  const errors: string[] = [];

  before(async () => {
    s = await startServer({ args: [...PETS_FUNCTIONS, '--function', `ws=${HANDLERS}#handler`] });
    ({ apiId } = await createPetsApi(s.client));
    wsApiId = await createWsApi(s.client, [{ key: '$connect' }, { key: '$default' }, { key: 'sendmessage' }, { key: '$disconnect' }]);
    browser = await launchChromium();
    page = await browser.context.newPage();
    page.setDefaultTimeout(10_000);
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') errors.push(m.text());
    });
  });
  after(async () => {
    await browser?.close();
    await s.close();
  });

  it('shows the API created through the SDK with its stage, invoke URL and routes', async () => {
    await page.goto(`${s.url}/_gatehouse/console`);
    const api = page.locator(`li[data-api="${apiId}"]`);
    await api.waitFor();
    assert.match(await api.innerText(), /pets\s*HTTP/);
    await api.getByRole('button', { name: 'prod' }).click();
    await page.locator('#routes-table tbody tr').nth(4).waitFor();
    assert.equal(await page.locator('#invoke-url').innerText(), `http://localhost:${s.gatehouse.port}/_aws/execute-api/${apiId}/prod`);
    const routes = await page.locator('#routes-table tbody tr td:first-child').allInnerTexts();
    assert.deepEqual(routes, ['ANY /pets/dog', 'GET /pets/{id}', 'GET /pets/{proxy+}', 'GET /private', 'POST /pets']);
    assert.match(await page.locator('#routes-table tbody tr', { hasText: 'GET /private' }).innerText(), /CUSTOM token-check/);
    await page.screenshot({ path: artifact('console-api.png') });
  });

  it('shows a request live, and the event its Lambda received when clicked', async () => {
    await page.locator('#tabs button[data-tab="live"]').click();
    await page.locator('#live-state', { hasText: 'live' }).waitFor();
    const reply = await call(s.gatehouse.port, apiId, 'GET', '/prod/pets/7?color=brown', { headers: { authorization: 'Bearer do-not-show' } });
    assert.equal(reply.status, 200);
    const row = page.locator('#live-table tbody tr', { hasText: '/prod/pets/7?color=brown' });
    await row.waitFor();
    assert.match(await row.innerText(), /200\s+GET\s+\/prod\/pets\/7\?color=brown\s+\S+\/prod\s+GET \/pets\/\{id\}\s+AWS_PROXY echo/);
    await call(s.gatehouse.port, apiId, 'GET', '/prod/private', { headers: { 'x-token': 'wrong' } });
    await page.locator('#live-table tbody tr', { hasText: 'CUSTOM deny' }).waitFor();
    await row.click();
    const event = await page.locator('#live-detail pre.lambda-event').innerText();
    const parsed = JSON.parse(event) as { routeKey: string; pathParameters: unknown; headers: Record<string, string> };
    assert.deepEqual([parsed.routeKey, parsed.pathParameters, parsed.headers.authorization], ['GET /pets/{id}', { id: '7' }, 'Bearer ****']);
    assert.ok(!(await page.locator('#live-detail').innerText()).includes('do-not-show'));
    // Filters: 4xx leaves the denied request only.
    await page.locator('#live-status').selectOption('4xx');
    assert.equal(await page.locator('#live-table tbody tr').count(), 1);
    await page.screenshot({ path: artifact('console-live-filtered.png') });
    await page.locator('#live-status').selectOption('');
    await call(s.gatehouse.port, apiId, 'POST', '/prod/pets', { body: '{"name":"Rex"}', headers: { 'content-type': 'application/json' } });
    await call(s.gatehouse.port, apiId, 'GET', '/prod/pets/dog');
    await call(s.gatehouse.port, apiId, 'GET', '/prod/private', { headers: { 'x-token': 'let-me-in' } });
    await call(s.gatehouse.port, apiId, 'DELETE', '/prod/cats');
    await page.locator('#live-table tbody tr', { hasText: '/prod/cats' }).waitFor();
    assert.equal(await page.locator('#live-count').innerText(), '6');
    await page.locator('#live-table tbody tr', { hasText: '/prod/pets/7?color=brown' }).click();
    await page.screenshot({ path: artifact('console-live.png') });
  });

  it('explains a request: the matching route and why the others lost', async () => {
    await page.locator('#tabs button[data-tab="explain"]').click();
    await page.locator('#explain-api').selectOption(apiId);
    await page.locator('#explain-stage').selectOption('prod');
    await page.locator('#explain-request').fill('GET /pets/dog');
    await page.locator('#explain-form button[type=submit]').click();
    await page.locator('#explain-verdict').waitFor();
    assert.equal(await page.locator('#explain-verdict .verdict').innerText(), 'Matches ANY /pets/dog');
    const rows = await page.locator('#candidates tbody tr').allInnerTexts();
    assert.deepEqual(
      rows.map((r) => r.split('\t').slice(1, 3).join(' ')),
      ['ANY /pets/dog MATCHED', 'GET /pets/{id} LOST', 'GET /pets/{proxy+} LOST', 'POST /pets NO-MATCH', 'GET /private NO-MATCH'],
    );
    await page.screenshot({ path: artifact('console-explain.png'), fullPage: true });
  });

  it('sends a message to a connected ws client and disconnects it', async () => {
    const client = await connect(s.gatehouse.port, wsApiId, { headers: { 'user-agent': 'browser-test-client' } });
    try {
      await page.locator('#refresh-apis').click();
      await page.locator(`li[data-api="${wsApiId}"]`).getByRole('button', { name: 'prod' }).click();
      await page.locator('#tabs button[data-tab="connections"]').click();
      const row = page.locator('#connections-table tbody tr');
      await row.waitFor();
      assert.match(await row.innerText(), /browser-test-client/);
      await row.locator('input').fill('hello from the console');
      await row.getByRole('button', { name: 'Send' }).click();
      assert.equal(await client.next(5000), 'hello from the console');
      await page.screenshot({ path: artifact('console-connections.png') });
      await page.locator('#connections-table tbody tr').getByRole('button', { name: 'Disconnect' }).click();
      assert.equal((await client.closed).code, 1000);
      await page.locator('#connections', { hasText: 'No open connections.' }).waitFor();
    } finally {
      await client.close();
    }
  });

  it('ran without a script error or a content security policy violation', () => {
    assert.deepEqual(errors, []);
  });
});

describe('console in a browser, behind the management API\'s credentials on the admin listener', { timeout: 120_000 }, () => {
  let s: TestServer;
  let browser: { context: BrowserContext; close(): Promise<void> } | undefined;

  before(async () => {
    s = await startServer({ args: ['--admin-port', '0', ...PETS_FUNCTIONS], env: { GATEHOUSE_CREDENTIALS: '123456789012:browser-secret' } });
    browser = await launchChromium({ httpCredentials: { username: '123456789012', password: 'browser-secret' } });
  });
  after(async () => {
    await browser?.close();
    await s.close();
  });

  it('asks for the key once; the page\'s reads and its live stream reuse it', async () => {
    const client = sdkClient(s.gatehouse.adminUrl as string, { credentials: { accessKeyId: '123456789012', secretAccessKey: 'browser-secret' } });
    try {
      const { apiId } = await createPetsApi(client, 'signed');
      const page = await (browser as { context: BrowserContext }).context.newPage();
      page.setDefaultTimeout(10_000);
      await page.goto(`${s.gatehouse.adminUrl as string}/_gatehouse/console#live`);
      await page.locator(`li[data-api="${apiId}"]`).waitFor();
      assert.equal(await page.locator('#whoami').innerText(), 'account 123456789012 · us-east-1');
      await page.locator('#live-state', { hasText: 'live' }).waitFor();
      assert.equal((await call(s.gatehouse.port, apiId, 'GET', '/prod/pets/3')).status, 200);
      await page.locator('#live-table tbody tr', { hasText: '/prod/pets/3' }).waitFor();
    } finally {
      client.destroy();
    }
  });
});
