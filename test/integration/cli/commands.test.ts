/**
 * The `gatehouse` command as a user meets it, through child processes: --version, --help of every
 * command with a description of every option, and the start-up failures a user can fix, each one
 * line naming the setting and the fix, without a stack trace.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SETTINGS } from '../../../src/config.js';
import { SETTING_HELP } from '../../../src/cli/help.js';
import { ROOT, runCli } from '../../helpers/cli.js';

/** stderr is exactly one `gatehouse: ...` line (no stack trace), and the exit status is 2. */
function oneLine(result: { code: number | null; stderr: string }): string {
  assert.equal(result.code, 2, result.stderr);
  const lines = result.stderr.split('\n').filter((l) => l !== '');
  assert.equal(lines.length, 1, `one line expected:\n${result.stderr}`);
  assert.doesNotMatch(result.stderr, /^\s+at /m);
  return lines[0] as string;
}

describe('gatehouse CLI', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'gatehouse-cli-errors-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('--version prints the package version', async () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    for (const flag of ['--version', '-v']) {
      const r = await runCli([flag]);
      assert.deepEqual([r.code, r.stdout, r.stderr], [0, `gatehouse ${version}\n`, '']);
    }
  });

  it('serve --help (and help serve) describe every option with its variable, file key and default', async () => {
    for (const args of [['serve', '--help'], ['help', 'serve'], ['serve', '-h']]) {
      const r = await runCli(args);
      assert.equal(r.code, 0, r.stderr);
      for (const [name, s] of Object.entries(SETTINGS) as [keyof typeof SETTINGS, (typeof SETTINGS)[keyof typeof SETTINGS]][]) {
        const help = SETTING_HELP[name];
        assert.ok(help.text.length > 10, `${name} has a description`);
        assert.ok(r.stdout.includes(`  ${s.flag}${help.value ? ` ${help.value}` : ''}\n      ${help.text}\n      env ${s.env}`), `${s.flag} is described`);
      }
    }
  });

  it('token --help and --help describe their options; an unknown command is one line', async () => {
    const token = await runCli(['token', '--help']);
    assert.equal(token.code, 0);
    for (const flag of ['--issuer', '--aud', '--scope', '--sub', '--expires-in', '--claims', '--url', '--data-dir']) assert.match(token.stdout, new RegExp(`^  ${flag} \\S+\\s+\\S`, 'm'));
    const main = await runCli(['--help']);
    assert.equal(main.code, 0);
    assert.match(main.stdout, /^ {2}serve +serve the management API/m);
    assert.match(main.stdout, /^ {2}token +mint an access token/m);
    assert.equal(oneLine(await runCli(['deploy'])), 'gatehouse: unknown command "deploy"; the commands are serve, token and explain (gatehouse --help)');
  });

  it('a port in use names --port and the fix', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as AddressInfo).port;
    try {
      const line = oneLine(await runCli(['serve', '--port', String(port), '--data-dir', join(dir, 'inuse')]));
      assert.equal(
        line,
        `gatehouse: port ${port} on 127.0.0.1 is already in use (another Gatehouse?); stop that process or choose another port with --port (GATEHOUSE_PORT, "port" in --config), e.g. --port ${port + 1} (0 picks a free port)`,
      );
      const admin = oneLine(await runCli(['serve', '--port', '0', '--admin-port', String(port), '--data-dir', join(dir, 'inuse')]));
      assert.match(admin, new RegExp(`^gatehouse: port ${port} on 127\\.0\\.0\\.1 is already in use .* --admin-port \\(GATEHOUSE_ADMIN_PORT, "adminPort" in --config\\)`));
    } finally {
      blocker.close();
    }
  });

  it('an unreadable handler file stops start-up, naming the function, the path and the fix', async () => {
    const line = oneLine(await runCli(['serve', '--port', '0', '--data-dir', join(dir, 'fn'), '--function', 'pets=./handlers/pets.mjs#handler'], { cwd: dir }));
    assert.equal(
      line,
      `gatehouse: function "pets": cannot read its handler file ${join(dir, 'handlers/pets.mjs')}: no such file; fix the path in --function pets=<path>#<export> (relative to the working directory ${dir}), GATEHOUSE_FUNCTIONS or "functions" in the --config file (relative to the file)`,
    );
    writeFileSync(join(dir, 'fns.yaml'), 'functions:\n  orders: ./missing/orders.mjs\n');
    const fromFile = oneLine(await runCli(['serve', '--port', '0', '--data-dir', join(dir, 'fn'), '--config', join(dir, 'fns.yaml')]));
    assert.match(fromFile, new RegExp(`^gatehouse: function "orders": cannot read its handler file ${join(dir, 'missing/orders.mjs')}: no such file; `));
  });

  it('a bad key in the config file names the file, the key and the closest setting', async () => {
    const path = join(dir, 'bad-key.yaml');
    writeFileSync(path, 'prot: 4580\n');
    const line = oneLine(await runCli(['serve', '--config', path]));
    assert.match(line, new RegExp(`^gatehouse: ${path}: unknown setting "prot" \\(did you mean "port"\\?\\); rename it to "port" \\(settings: port, host, `));
  });

  it('a bad value in the config file blames the file\'s key, not the flag', async () => {
    const path = join(dir, 'bad-value.json');
    writeFileSync(path, '{"region": "moon-1"}');
    assert.equal(oneLine(await runCli(['serve', '--config', path])), `gatehouse: ${path}: "region" must be an AWS region such as us-east-1, got "moon-1"`);
    assert.equal(oneLine(await runCli(['serve', '--region', 'moon-1'])), 'gatehouse: --region / GATEHOUSE_REGION must be an AWS region such as us-east-1, got "moon-1"');
  });
});
