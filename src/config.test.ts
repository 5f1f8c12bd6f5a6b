import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { checkHandlerFiles, ConfigError, loadConfig, SETTINGS } from './config.js';

const rejects = (argv: string[], env: Record<string, string | undefined>, message: string) =>
  assert.throws(() => loadConfig(argv, env), (err: unknown) => {
    assert.ok(err instanceof ConfigError, `expected ConfigError, got ${String(err)}`);
    assert.equal(err.name, 'ConfigError');
    assert.equal(err.message, message);
    return true;
  });

const FULL_ENV = {
  GATEHOUSE_PORT: '8080',
  GATEHOUSE_HOST: '0.0.0.0',
  GATEHOUSE_DATA_DIR: '/var/lib/gatehouse',
  GATEHOUSE_RESPONSE_FORMAT: 'envelope',
  GATEHOUSE_REGION: 'eu-west-1',
  GATEHOUSE_PUBLIC_URL: 'https://gw.example.com',
};

/** The named settings of a config, so each test compares what it is about. */
const pick = (config: object, expected: object) =>
  Object.fromEntries(Object.keys(expected).map((k) => [k, (config as Record<string, unknown>)[k]]));

describe('loadConfig', () => {
  it('uses the defaults with no flags and no environment', () => {
    const expected = {
      port: 4580,
      host: '127.0.0.1',
      dataDir: './.gatehouse',
      responseFormat: 'aws',
      region: 'us-east-1',
      publicUrl: undefined,
      functions: {},
      functionIsolation: 'inprocess',
      lambdaEndpoint: undefined,
      lambdaCredentials: undefined,
      accessLog: 'stdout',
    };
    assert.deepEqual(pick(loadConfig([], {}), expected), expected);
  });

  it('returns a frozen object', () => {
    const config = loadConfig([], {});
    assert.equal(Object.isFrozen(config), true);
    assert.throws(() => {
      (config as { port: number }).port = 1;
    }, TypeError);
    assert.equal(config.port, 4580);
  });

  it('reads every setting from its environment variable', () => {
    const expected = {
      port: 8080,
      host: '0.0.0.0',
      dataDir: '/var/lib/gatehouse',
      responseFormat: 'envelope',
      region: 'eu-west-1',
      publicUrl: 'https://gw.example.com',
    };
    assert.deepEqual(pick(loadConfig([], FULL_ENV), expected), expected);
  });

  it('treats an empty environment variable as unset', () => {
    const config = loadConfig([], { GATEHOUSE_PORT: '', GATEHOUSE_DATA_DIR: '', GATEHOUSE_REGION: '', GATEHOUSE_PUBLIC_URL: '' });
    assert.equal(config.port, 4580);
    assert.equal(config.dataDir, './.gatehouse');
    assert.equal(config.region, 'us-east-1');
    assert.equal(config.publicUrl, undefined);
  });

  it('ignores unrelated environment variables', () => {
    assert.equal(loadConfig([], { PORT: '9999', GATEHOUSE_PORTS: '1' }).port, 4580);
  });

  it('lets flags override the environment', () => {
    const config = loadConfig(
      ['--port', '9000', '--host', '::1', '--data-dir', '/tmp/gh', '--response-format', 'aws', '--region', 'ap-southeast-2', '--public-url', 'http://localhost:9000'],
      FULL_ENV,
    );
    const expected = {
      port: 9000,
      host: '::1',
      dataDir: '/tmp/gh',
      responseFormat: 'aws',
      region: 'ap-southeast-2',
      publicUrl: 'http://localhost:9000',
    };
    assert.deepEqual(pick(config, expected), expected);
  });

  it('accepts the --flag=value form, with = inside the value', () => {
    const config = loadConfig(['--port=0', '--data-dir=/a=b', '--public-url=http://127.0.0.1:4580'], FULL_ENV);
    assert.equal(config.port, 0);
    assert.equal(config.dataDir, '/a=b');
    assert.equal(config.publicUrl, 'http://127.0.0.1:4580');
    assert.equal(config.host, '0.0.0.0');
  });

  it('lets the last occurrence of a flag win', () => {
    assert.equal(loadConfig(['--port', '1', '--port=2'], {}).port, 2);
  });

  it('clears the public URL with an empty --public-url=', () => {
    assert.equal(loadConfig(['--public-url='], FULL_ENV).publicUrl, undefined);
  });

  it('accepts the port range ends and region forms of other partitions', () => {
    assert.equal(loadConfig(['--port', '65535'], {}).port, 65535);
    assert.equal(loadConfig(['--region', 'us-gov-west-1'], {}).region, 'us-gov-west-1');
    assert.equal(loadConfig(['--region', 'cn-north-1'], {}).region, 'cn-north-1');
  });

  it('rejects an unknown flag, listing the known ones', () => {
    const known = Object.values(SETTINGS).map((s) => s.flag).join(', ');
    for (const flag of ['--port', '--host', '--data-dir', '--response-format', '--region', '--public-url', '--function', '--access-log']) {
      assert.ok(known.includes(flag), `${flag} is listed`);
    }
    rejects(['--verbose'], {}, `unknown option --verbose (known: ${known})`);
    rejects(['--colour=red'], {}, `unknown option --colour (known: ${known})`);
    rejects(['4580'], {}, `unknown option 4580 (known: ${known})`);
  });

  it('rejects a flag without a value', () => {
    rejects(['--port'], {}, 'option --port needs a value');
    rejects(['--host', '127.0.0.1', '--region'], {}, 'option --region needs a value');
  });

  for (const bad of ['abc', '-1', '65536', '80.5', '', ' 80', '0x50', '1e3']) {
    it(`rejects the port "${bad}" from a flag`, () => {
      rejects([`--port=${bad}`], {}, `--port / GATEHOUSE_PORT must be a port number 0-65535, got "${bad}"`);
    });
  }

  it('rejects a bad port from the environment', () => {
    rejects([], { GATEHOUSE_PORT: 'http' }, '--port / GATEHOUSE_PORT must be a port number 0-65535, got "http"');
  });

  it('rejects a bad response format', () => {
    rejects(['--response-format', 'json'], {}, '--response-format / GATEHOUSE_RESPONSE_FORMAT must be "aws" or "envelope", got "json"');
    rejects([], { GATEHOUSE_RESPONSE_FORMAT: 'AWS' }, '--response-format / GATEHOUSE_RESPONSE_FORMAT must be "aws" or "envelope", got "AWS"');
  });

  for (const bad of ['us-east', 'US-EAST-1', 'useast1', 'us-east-12', 'u-east-1', 'us-east-1 ']) {
    it(`rejects the region "${bad}"`, () => {
      rejects(['--region', bad], {}, `--region / GATEHOUSE_REGION must be an AWS region such as us-east-1, got "${bad}"`);
    });
  }

  for (const bad of ['localhost:4580', 'http://localhost:4580/', 'https://gw.example.com/base', 'ftp://gw.example.com', 'http://']) {
    it(`rejects the public URL "${bad}"`, () => {
      rejects(
        [],
        { GATEHOUSE_PUBLIC_URL: bad },
        `--public-url / GATEHOUSE_PUBLIC_URL must be an origin such as http://localhost:4580 (no path), got "${bad}"`,
      );
    });
  }

  it('rejects an empty data directory given as a flag', () => {
    rejects(['--data-dir='], {}, '--data-dir / GATEHOUSE_DATA_DIR must not be empty');
  });
});

describe('loadConfig regressions', () => {
  it('does not take the next flag as a value', () => {
    assert.throws(() => loadConfig(['--port', '--host'], {}), /option --port needs a value/);
  });
  it('rejects a public URL with a query or spaces', () => {
    assert.throws(() => loadConfig(['--public-url', 'http://x:1?y=1 z'], {}), /--public-url/);
    assert.equal(loadConfig(['--public-url', 'http://[::1]:4580'], {}).publicUrl, 'http://[::1]:4580');
  });
});

describe('loadConfig: functions and access logs', () => {
  it('collects repeated --function flags; the export defaults to handler', () => {
    const config = loadConfig(['--function', 'pets=./h/pets.js#list', '--function=auth=./h/auth.mjs'], {});
    assert.deepEqual(config.functions, { pets: './h/pets.js#list', auth: './h/auth.mjs#handler' });
  });

  it('reads functions, isolation, Lambda endpoint, credentials and access log from the environment', () => {
    const config = loadConfig([], {
      GATEHOUSE_FUNCTIONS: 'a=./a.js#h,b=./b.js',
      GATEHOUSE_FUNCTION_ISOLATION: 'worker',
      GATEHOUSE_LAMBDA_ENDPOINT: 'http://localhost:9001/',
      GATEHOUSE_ACCESS_LOG: '/tmp/access.log',
      AWS_ACCESS_KEY_ID: 'AKID',
      AWS_SECRET_ACCESS_KEY: 'secret',
      AWS_SESSION_TOKEN: 'token',
    });
    assert.deepEqual(config.functions, { a: './a.js#h', b: './b.js#handler' });
    assert.equal(config.functionIsolation, 'worker');
    assert.equal(config.lambdaEndpoint, 'http://localhost:9001');
    assert.deepEqual(config.lambdaCredentials, { accessKeyId: 'AKID', secretAccessKey: 'secret', sessionToken: 'token' });
    assert.equal(config.accessLog, '/tmp/access.log');
  });

  it('names the setting when a value is invalid', () => {
    rejects(['--function', 'no-equals-sign'], {}, '--function / GATEHOUSE_FUNCTIONS takes name=path#export (e.g. pets=./handlers/pets.js#handler), got "no-equals-sign"');
    rejects(['--function-isolation', 'process'], {}, '--function-isolation / GATEHOUSE_FUNCTION_ISOLATION must be "inprocess" or "worker", got "process"');
    rejects(['--lambda-endpoint', 'localhost:9001'], {}, '--lambda-endpoint / GATEHOUSE_LAMBDA_ENDPOINT must be an origin such as http://localhost:9001, got "localhost:9001"');
  });
});

describe('loadConfig: request timeouts', () => {
  it('defaults to 10 s for headers and 30 s for a whole request (AWS bounds a request at 30 s)', () => {
    const config = loadConfig([], {});
    assert.equal(config.headersTimeoutMs, 10_000);
    assert.equal(config.requestTimeoutMs, 30_000);
  });

  it('takes both from flags, the environment or the configuration file', () => {
    const config = loadConfig(['--headers-timeout', '200'], { GATEHOUSE_REQUEST_TIMEOUT: '500' });
    assert.deepEqual([config.headersTimeoutMs, config.requestTimeoutMs], [200, 500]);
  });

  it('rejects values that are not milliseconds, and a headers timeout over the request timeout', () => {
    rejects(['--request-timeout', '0'], {}, '--request-timeout / GATEHOUSE_REQUEST_TIMEOUT must be milliseconds from 1 to 3600000, got "0"');
    rejects(['--headers-timeout', '1.5'], {}, '--headers-timeout / GATEHOUSE_HEADERS_TIMEOUT must be milliseconds from 1 to 3600000, got "1.5"');
    rejects(
      ['--headers-timeout', '40000'],
      {},
      '--headers-timeout / GATEHOUSE_HEADERS_TIMEOUT (40000) must not exceed --request-timeout / GATEHOUSE_REQUEST_TIMEOUT (30000)',
    );
  });
});

describe('loadConfig: drain timeout and metrics token', () => {
  it('drains for 10 s by default; the metrics are open unless a token is set', () => {
    const config = loadConfig([], {});
    assert.equal(config.drainTimeoutMs, 10_000);
    assert.equal(config.metricsToken, undefined);
    const set = loadConfig(['--drain-timeout', '2500'], { GATEHOUSE_METRICS_TOKEN: 'a-token-of-sixteen+' });
    assert.deepEqual([set.drainTimeoutMs, set.metricsToken], [2500, 'a-token-of-sixteen+']);
  });

  it('holds V8 semi-spaces at 8 MB by default; 0 leaves V8 its own ceiling; other sizes are refused', () => {
    assert.equal(loadConfig([], {}).semiSpaceMb, 8);
    assert.equal(loadConfig(['--semi-space-size', '0'], {}).semiSpaceMb, 0);
    assert.equal(loadConfig([], { GATEHOUSE_SEMI_SPACE_SIZE: '4' }).semiSpaceMb, 4);
    for (const bad of ['3', '32', '8MB', '-1']) {
      rejects(['--semi-space-size', bad], {}, `--semi-space-size / GATEHOUSE_SEMI_SPACE_SIZE must be MB of a V8 semi-space: 1, 2, 4, 8 or 16 (0 = V8's own ceiling), got "${bad}"`);
    }
  });

  it("keeps V8's old-generation growth at 10% by default; 0 leaves V8 its own factor; other values are refused", () => {
    assert.equal(loadConfig([], {}).heapGrowingPercent, 10);
    assert.equal(loadConfig(['--heap-growing-percent', '0'], {}).heapGrowingPercent, 0);
    assert.equal(loadConfig([], { GATEHOUSE_HEAP_GROWING_PERCENT: '300' }).heapGrowingPercent, 300);
    for (const bad of ['301', '-1', '10%', '1.5', '010']) {
      rejects(['--heap-growing-percent', bad], {}, `--heap-growing-percent / GATEHOUSE_HEAP_GROWING_PERCENT must be a whole percent from 1 to 300 (0 = V8's own growth), got "${bad}"`);
    }
  });

  it('rejects a drain timeout that is not milliseconds and a short or spaced token', () => {
    rejects(['--drain-timeout', 'soon'], {}, '--drain-timeout / GATEHOUSE_DRAIN_TIMEOUT must be milliseconds from 1 to 3600000, got "soon"');
    rejects(['--metrics-token', 'short'], {}, '--metrics-token / GATEHOUSE_METRICS_TOKEN must be 16-256 printable characters without spaces');
    rejects([], { GATEHOUSE_METRICS_TOKEN: 'sixteen characters or more' }, '--metrics-token / GATEHOUSE_METRICS_TOKEN must be 16-256 printable characters without spaces');
  });
});

describe('loadConfig: store', () => {
  it('defaults to the embedded store and takes a postgres URL', () => {
    assert.equal(loadConfig([], {}).store, undefined);
    assert.equal(loadConfig(['--store', 'postgres://gh@db:5432/gatehouse'], {}).store, 'postgres://gh@db:5432/gatehouse');
    assert.equal(loadConfig([], { GATEHOUSE_STORE: 'postgresql://db/gh' }).store, 'postgresql://db/gh');
    rejects(['--store', 'mysql://db'], {}, '--store / GATEHOUSE_STORE must be "sqlite" or a postgres:// URL, got "mysql://db"');
  });
});

describe('loadConfig: OIDC issuers', () => {
  it('creates none by default; collects --oidc-issuer flags, GATEHOUSE_OIDC_ISSUERS and the file, without duplicates', () => {
    assert.deepEqual(loadConfig([], {}).oidcIssuers, []);
    const config = loadConfig(['--oidc-issuer', 'dev', '--oidc-issuer=ci'], { GATEHOUSE_OIDC_ISSUERS: 'staging, dev' });
    assert.deepEqual(config.oidcIssuers, ['staging', 'dev', 'ci']);
    assert.equal(Object.isFrozen(config.oidcIssuers), true);
  });

  it('refuses names that are not one safe path segment of at most 64 characters', () => {
    const message = (got: string) => `--oidc-issuer / GATEHOUSE_OIDC_ISSUERS takes issuer names of 1-64 letters, digits, _ or -, got ${JSON.stringify(got)}`;
    for (const bad of ['../etc', 'a/b', 'dev.json', '%2e%2e', 'a'.repeat(65), 'dev name']) rejects(['--oidc-issuer', bad], {}, message(bad));
    rejects([], { GATEHOUSE_OIDC_ISSUERS: 'dev,,ci' }, message(''));
    assert.deepEqual(loadConfig(['--oidc-issuer', 'a'.repeat(64)], {}).oidcIssuers, ['a'.repeat(64)]);
  });
});

describe('loadConfig: configuration file', () => {
  const withFile = (name: string, text: string, fn: (path: string, dir: string) => void) => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-config-'));
    try {
      writeFileSync(join(dir, name), text);
      fn(join(dir, name), dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };

  it('reads YAML settings between the defaults and the environment; function paths are relative to the file', () => {
    withFile('gatehouse.yaml', 'port: 8081\nregion: eu-west-1\nfunctions:\n  pets: ./handlers/pets.js#list\n  auth: /abs/auth.mjs\n', (path, dir) => {
      const config = loadConfig(['--config', path], { GATEHOUSE_REGION: 'ap-south-1', GATEHOUSE_FUNCTIONS: 'extra=./x.js' });
      assert.equal(config.port, 8081);
      assert.equal(config.region, 'ap-south-1', 'the environment wins over the file');
      assert.deepEqual(config.functions, { pets: `${join(dir, 'handlers/pets.js')}#list`, auth: '/abs/auth.mjs#handler', extra: './x.js#handler' });
      assert.equal(loadConfig([`--config=${path}`, '--port', '9000'], {}).port, 9000, 'flags win over the file');
    });
  });

  it('reads a function as {handler, environment, timeout, memorySize}; every function gets PATH, LANG, TZ and the credentials', () => {
    const text = 'functions:\n  orders:\n    handler: ./orders.mjs#list\n    environment: { TABLE_NAME: orders, RETRIES: 3 }\n    timeout: 10\n    memorySize: 256\n  pets: ./pets.mjs\n';
    withFile('gatehouse.yaml', text, (path, dir) => {
      const config = loadConfig(['--config', path], { PATH: '/usr/bin', HOME: '/home/me', AWS_ACCESS_KEY_ID: 'AKID', AWS_SECRET_ACCESS_KEY: 'SECRET', AWS_PROFILE: 'dev' });
      assert.deepEqual(config.functions, { orders: `${join(dir, 'orders.mjs')}#list`, pets: `${join(dir, 'pets.mjs')}#handler` });
      assert.deepEqual(config.functionSettings, { orders: { environment: { TABLE_NAME: 'orders', RETRIES: '3' }, timeout: 10, memorySize: 256 } });
      assert.deepEqual(config.functionEnvironment, { PATH: '/usr/bin', AWS_ACCESS_KEY_ID: 'AKID', AWS_SECRET_ACCESS_KEY: 'SECRET' });
    });
  });

  it('refuses a function entry Lambda would refuse, naming the file and the key', () => {
    const cases: [string, string][] = [
      ['{"functions": {"f": {"environment": {}}}}', '"functions.f".handler must be a "./path.js#export" string'],
      ['{"functions": {"f": {"handler": "./f.mjs", "memory": 256}}}', '"functions.f": unknown key "memory" (known: handler, environment, timeout, memorySize)'],
      ['{"functions": {"f": {"handler": "./f.mjs", "environment": {"AWS_REGION": "x"}}}}', '"functions.f".environment: AWS_REGION is reserved: Lambda sets it (remove it)'],
      ['{"functions": {"f": {"handler": "./f.mjs", "environment": {"9LIVES": "x"}}}}', '"functions.f".environment: "9LIVES" is not a variable name Lambda accepts (a letter, then letters, digits or _)'],
      ['{"functions": {"f": {"handler": "./f.mjs", "timeout": 901}}}', '"functions.f".timeout must be whole seconds from 1 to 900, got 901'],
      ['{"functions": {"f": {"handler": "./f.mjs", "memorySize": 64}}}', '"functions.f".memorySize must be whole megabytes from 128 to 10240, got 64'],
      ['{"functions": {"f": 42}}', '"functions.f" must be "./path.js#export" or {handler: "./path.js#export", environment: {NAME: "value"}, timeout: 3, memorySize: 256}'],
    ];
    for (const [text, message] of cases) withFile('g.json', text, (path) => rejects(['--config', path], {}, `${path}: ${message}`));
  });

  it('reads oidcIssuers as a list (YAML or JSON), added to the environment and flags', () => {
    withFile('issuers.yaml', 'oidcIssuers: [dev, ci]\n', (path) => {
      assert.deepEqual(loadConfig(['--config', path, '--oidc-issuer', 'cli'], { GATEHOUSE_OIDC_ISSUERS: 'env' }).oidcIssuers, ['dev', 'ci', 'env', 'cli']);
    });
    withFile('issuers.json', '{"oidcIssuers": ["dev"]}', (path) => assert.deepEqual(loadConfig(['--config', path], {}).oidcIssuers, ['dev']));
    withFile('bad.json', '{"oidcIssuers": [1]}', (path) => rejects(['--config', path], {}, `--config / GATEHOUSE_CONFIG (${path}): "oidcIssuers" must be a list of issuer names`));
    withFile('trick.yaml', 'oidcIssuers: [../../etc/passwd]\n', (path) => assert.throws(() => loadConfig(['--config', path], {}), /takes issuer names of 1-64/));
  });

  it('reads JSON and names the file and the setting on errors', () => {
    withFile('g.json', '{"dataDir": "/var/gh", "functionIsolation": "worker"}', (path) => {
      const config = loadConfig([], { GATEHOUSE_CONFIG: path });
      assert.equal(config.dataDir, '/var/gh');
      assert.equal(config.functionIsolation, 'worker');
    });
    withFile('bad.yaml', 'prot: 1\n', (path) => {
      assert.throws(() => loadConfig(['--config', path], {}), (err: unknown) => err instanceof ConfigError && err.message.startsWith(`${path}: unknown setting "prot" (did you mean "port"?); rename it to "port" (settings: port, host,`));
    });
    withFile('list.yaml', '- 1\n', (path) => rejects(['--config', path], {}, `--config / GATEHOUSE_CONFIG (${path}): the file must hold an object of settings`));
    assert.throws(() => loadConfig(['--config', '/nonexistent/g.yaml'], {}), /cannot read the configuration file/);
  });
});

describe('loadConfig: IAM policies and the AWS endpoint', () => {
  const withCredentials = (doc: unknown, fn: (path: string) => void) => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-iam-'));
    try {
      const path = join(dir, 'credentials.json');
      writeFileSync(path, JSON.stringify(doc));
      fn(path);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  const POLICY = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'execute-api:Invoke', Resource: '*' }] };

  it('reads userName and policies of a credentials-file entry; keys without them stay unrestricted', () => {
    withCredentials(
      { credentials: [{ accessKeyId: 'AKIDANN', secretAccessKey: 's1', userName: 'ann', policies: [POLICY, JSON.stringify(POLICY)] }, { accessKeyId: 'AKIDROOT', secretAccessKey: 's2' }] },
      (path) => {
        const [ann, root] = loadConfig(['--credentials', path], {}).credentials ?? [];
        assert.equal(ann?.userName, 'ann');
        assert.equal(ann?.policies?.length, 2);
        assert.equal(ann?.policies?.[0]?.statements[0]?.effect, 'Allow');
        assert.equal(root?.policies, undefined);
      },
    );
  });

  it('keeps the policies of a file entry when the environment names the same key again', () => {
    withCredentials({ credentials: [{ accessKeyId: 'AKIDANN', secretAccessKey: 's1', policies: [POLICY] }] }, (path) => {
      const keys = loadConfig(['--credentials', path], { GATEHOUSE_CREDENTIALS: 'AKIDANN:s1' }).credentials ?? [];
      assert.equal(keys.length, 1);
      assert.equal(keys[0]?.policies?.length, 1);
    });
  });

  it('refuses a malformed policy at start-up, naming the file, the key and the statement', () => {
    withCredentials({ credentials: [{ accessKeyId: 'AKIDANN', secretAccessKey: 's1', policies: [{ Statement: [{ Effect: 'Allow', Action: '*' }] }] }] }, (path) => {
      rejects(['--credentials', path], {}, `--credentials / GATEHOUSE_CREDENTIALS_FILE (${path}): access key AKIDANN: policy 1: Statement 1: needs exactly one of Resource and NotResource`);
    });
    withCredentials({ credentials: [{ accessKeyId: 'AKIDANN', secretAccessKey: 's1', policies: POLICY }] }, (path) => {
      rejects(['--credentials', path], {}, `--credentials / GATEHOUSE_CREDENTIALS_FILE (${path}): access key AKIDANN: policies must be a list of IAM policy documents`);
    });
    withCredentials({ credentials: [{ accessKeyId: 'AKIDANN', secretAccessKey: 's1', userName: 'a b' }] }, (path) => {
      rejects(['--credentials', path], {}, `--credentials / GATEHOUSE_CREDENTIALS_FILE (${path}): access key AKIDANN: userName must be an IAM user name (1-64 letters, digits or _+=,.@-), got "a b"`);
    });
  });

  it('--aws-endpoint takes "aws" or an origin; unset by default', () => {
    assert.equal(loadConfig([], {}).awsEndpoint, undefined);
    assert.equal(loadConfig(['--aws-endpoint', 'aws'], {}).awsEndpoint, 'aws');
    assert.equal(loadConfig([], { GATEHOUSE_AWS_ENDPOINT: 'http://localhost:4566/' }).awsEndpoint, 'http://localhost:4566');
    rejects(['--aws-endpoint', 'localstack'], {}, '--aws-endpoint / GATEHOUSE_AWS_ENDPOINT must be "aws" (the real AWS endpoints) or an origin such as http://localhost:4566, got "localstack"');
  });
});

describe('loadConfig: --api-keys', () => {
  const KEY = 'abcdefghij0123456789';
  const withDir = (fn: (dir: string) => void) => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-keys-'));
    try {
      fn(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };

  it('reads a keys file of lines (id=value or the value alone) or JSON, and inline lists in the configuration file', () => {
    withDir((dir) => {
      const lines = join(dir, 'keys.txt');
      writeFileSync(lines, `# comment\nci=${KEY}\n\n${KEY.toUpperCase()}\n`);
      assert.deepEqual(loadConfig(['--api-keys', lines], {}).apiKeys, [{ id: 'ci', value: KEY }, { id: 'key-2', value: KEY.toUpperCase() }]);
      const json = join(dir, 'keys.json');
      writeFileSync(json, JSON.stringify({ apiKeys: [{ id: 'web', value: KEY }] }));
      assert.deepEqual(loadConfig([], { GATEHOUSE_API_KEYS_FILE: json }).apiKeys, [{ id: 'web', value: KEY }]);
      const config = join(dir, 'gatehouse.yaml');
      writeFileSync(config, `apiKeys:\n  - ${KEY}\n`);
      assert.deepEqual(loadConfig(['--config', config], {}).apiKeys, [{ id: 'key-1', value: KEY }]);
      assert.deepEqual(loadConfig([], {}).apiKeys, []);
    });
  });

  it('refuses keys shorter than AWS allows (20 characters) and unreadable files', () => {
    withDir((dir) => {
      const short = join(dir, 'short.txt');
      writeFileSync(short, 'too-short\n');
      rejects(['--api-keys', short], {}, `--api-keys / GATEHOUSE_API_KEYS_FILE (${short}): entry 1 must be a key of 20-128 printable characters without spaces`);
      assert.throws(() => loadConfig(['--api-keys', join(dir, 'none')], {}), /cannot read the API keys file/);
    });
  });
});

describe('loadConfig: where a value comes from', () => {
  const withDir = (files: Record<string, string>, fn: (dir: string) => void) => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-config-'));
    try {
      for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
      fn(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };

  it('blames an invalid value on the file\'s key, the variable or the flag that set it', () => {
    withDir({ 'g.yaml': 'port: abc\nlogFormat: fancy\n' }, (dir) => {
      const path = join(dir, 'g.yaml');
      rejects(['--config', path], {}, `${path}: "port" must be a port number 0-65535, got "abc"`);
      rejects(['--config', path, '--port', '1'], {}, `${path}: "logFormat" must be "pretty", "json" or "auto" (pretty on a terminal), got "fancy"`);
      rejects(['--config', path], { GATEHOUSE_PORT: 'xyz' }, '--port / GATEHOUSE_PORT must be a port number 0-65535, got "xyz"');
      assert.equal(loadConfig(['--config', path, '--port', '7', '--log-format', 'json'], {}).port, 7, 'a flag replaces the file\'s value');
    });
  });

  it('resolves dataDir, accessLog and credentialsFile in the file relative to the file; stdout/stderr and absolute paths stay', () => {
    withDir({ 'g.json': '{"dataDir": "state", "accessLog": "logs/access.log", "credentialsFile": "./keys.json"}', 'keys.json': '{"credentials":[{"accessKeyId":"AKIDFILE","secretAccessKey":"s"}]}' }, (dir) => {
      const config = loadConfig(['--config', join(dir, 'g.json')], {});
      assert.equal(config.dataDir, join(dir, 'state'));
      assert.equal(config.accessLog, join(dir, 'logs/access.log'));
      assert.deepEqual(config.credentials, [{ accessKeyId: 'AKIDFILE', secretAccessKey: 's' }]);
      assert.equal(loadConfig(['--config', join(dir, 'g.json'), '--data-dir', 'rel'], {}).dataDir, 'rel', 'a flag is relative to the working directory');
    });
    withDir({ 'g.yaml': 'accessLog: stderr\ndataDir: /var/lib/gh\n' }, (dir) => {
      const config = loadConfig(['--config', join(dir, 'g.yaml')], {});
      assert.equal(config.accessLog, 'stderr');
      assert.equal(config.dataDir, '/var/lib/gh');
    });
  });

  it('names the closest setting for an unknown key, also when a flag or variable is written as a key', () => {
    for (const [key, closest] of [['data_dir', 'dataDir'], ['--port', 'port'], ['GATEHOUSE_REGION', 'region'], ['logformat', 'logFormat']] as const) {
      withDir({ 'g.json': JSON.stringify({ [key]: 'x' }) }, (dir) => {
        assert.throws(() => loadConfig(['--config', join(dir, 'g.json')], {}), (err: unknown) =>
          err instanceof ConfigError && err.message.startsWith(`${join(dir, 'g.json')}: unknown setting "${key}" (did you mean "${closest}"?); rename it to "${closest}" (settings: `));
      });
    }
    withDir({ 'g.json': '{"zzzzzzzzzz": 1}' }, (dir) => {
      assert.throws(() => loadConfig(['--config', join(dir, 'g.json')], {}), /unknown setting "zzzzzzzzzz"; remove it \(settings: /);
    });
  });

  it('a key named like an inherited property (constructor, toString) is an unknown setting', () => {
    for (const key of ['constructor', 'toString', 'hasOwnProperty']) {
      withDir({ 'g.json': JSON.stringify({ [key]: 1 }) }, (dir) => {
        assert.throws(() => loadConfig(['--config', join(dir, 'g.json')], {}), (err: unknown) => err instanceof ConfigError && err.message.startsWith(`${join(dir, 'g.json')}: unknown setting "${key}"`));
      });
    }
  });
});

describe('loadConfig: function reload', () => {
  it('reloads edited handlers by default; --function-reload off turns it off; anything else is refused', () => {
    assert.equal(loadConfig([], {}).functionReload, 'on');
    assert.equal(loadConfig(['--function-reload', 'off'], {}).functionReload, 'off');
    assert.equal(loadConfig([], { GATEHOUSE_FUNCTION_RELOAD: 'off' }).functionReload, 'off');
    rejects(['--function-reload', 'false'], {}, '--function-reload / GATEHOUSE_FUNCTION_RELOAD must be "on" or "off", got "false"');
  });
});

describe('loadConfig: logs and endpoints', () => {
  it('defaults to auto log format and request log, and path-style endpoints', () => {
    const config = loadConfig([], {});
    assert.deepEqual([config.logFormat, config.requestLog, config.endpointStyle], ['auto', 'auto', 'path']);
    const set = loadConfig(['--log-format', 'json', '--request-log=on'], { GATEHOUSE_ENDPOINT_STYLE: 'host', GATEHOUSE_PUBLIC_URL: 'https://gw.example.com' });
    assert.deepEqual([set.logFormat, set.requestLog, set.endpointStyle], ['json', 'on', 'host']);
    rejects(['--request-log', 'yes'], {}, '--request-log / GATEHOUSE_REQUEST_LOG must be "on", "off" or "auto" (on with pretty logs), got "yes"');
    rejects(['--endpoint-style', 'aws'], {}, '--endpoint-style / GATEHOUSE_ENDPOINT_STYLE must be "path" or "host", got "aws"');
  });

  it('refuses host-style endpoints on an IP address or localhost, whose subdomains do not resolve', () => {
    for (const publicUrl of [undefined, 'http://127.0.0.1:4580', 'http://[::1]:4580', 'http://localhost:4580', 'http://x.localhost']) {
      assert.throws(
        () => loadConfig(['--endpoint-style', 'host', ...(publicUrl ? ['--public-url', publicUrl] : [])], {}),
        /--endpoint-style \/ GATEHOUSE_ENDPOINT_STYLE "host" needs --public-url \/ GATEHOUSE_PUBLIC_URL with a DNS name .* use the default "path" style instead$/,
      );
    }
  });
});

describe('checkHandlerFiles', () => {
  it('accepts readable files and names the function, the resolved path and the fix otherwise', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-handlers-'));
    try {
      writeFileSync(join(dir, 'ok.mjs'), 'export const handler = async () => ({});\n');
      checkHandlerFiles({ ok: './ok.mjs#handler', abs: `${join(dir, 'ok.mjs')}#handler` }, dir);
      assert.throws(
        () => checkHandlerFiles({ ok: './ok.mjs#handler', pets: './handlers/pets.mjs#handler' }, dir),
        (err: unknown) =>
          err instanceof ConfigError &&
          err.message ===
            `function "pets": cannot read its handler file ${join(dir, 'handlers/pets.mjs')}: no such file; fix the path in --function pets=<path>#<export> (relative to the working directory ${dir}), GATEHOUSE_FUNCTIONS or "functions" in the --config file (relative to the file)`,
      );
      assert.throws(() => checkHandlerFiles({ d: `${dir}#handler` }, dir), /cannot read its handler file .*: it is not a file;/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('serverless settings', () => {
  it('--serverless and --stage name the project (its path resolved), with the environment its ${env:...} variables read', () => {
    const config = loadConfig(['--serverless', 'examples/petstore-serverless/serverless.yml', '--stage', 'prod'], { FOO: 'bar' });
    assert.deepEqual(config.serverless, { file: join(process.cwd(), 'examples/petstore-serverless/serverless.yml'), stage: 'prod', env: { FOO: 'bar' } });
    assert.equal(loadConfig([], {}).serverless, undefined);
    assert.deepEqual(loadConfig([], { GATEHOUSE_SERVERLESS: '/app/serverless.yml' }).serverless, { file: '/app/serverless.yml', env: { GATEHOUSE_SERVERLESS: '/app/serverless.yml' } });
  });

  it('--template and --parameter-overrides name a SAM template (its path resolved) and its parameter values', () => {
    const config = loadConfig(['--template', 'test/fixtures/sam/template.yaml', '--parameter-overrides', 'Stage=prod  Issuer=http://x/a=b'], {});
    assert.deepEqual(config.serverless, { file: join(process.cwd(), 'test/fixtures/sam/template.yaml'), format: 'sam', parameterOverrides: { Stage: 'prod', Issuer: 'http://x/a=b' }, env: {} });
    assert.deepEqual(loadConfig([], { GATEHOUSE_TEMPLATE: '/app/template.yaml' }).serverless, { file: '/app/template.yaml', format: 'sam', parameterOverrides: {}, env: { GATEHOUSE_TEMPLATE: '/app/template.yaml' } });
    rejects(['--template', 't.yaml', '--parameter-overrides', 'Stage'], {}, '--parameter-overrides / GATEHOUSE_PARAMETER_OVERRIDES must be Name=Value (or ParameterKey=Name,ParameterValue=Value) pairs separated by spaces, got "Stage"');
  });

  it('--parameter-overrides takes the aws cloudformation form too; --stack-name names AWS::StackName', () => {
    const config = loadConfig(['--template', '/app/t.yaml', '--parameter-overrides', 'ParameterKey=Stage,ParameterValue=prod Issuer=http://x/?a=b,c', '--stack-name', 'chat'], {});
    assert.deepEqual(config.serverless, { file: '/app/t.yaml', format: 'sam', parameterOverrides: { Stage: 'prod', Issuer: 'http://x/?a=b,c' }, stackName: 'chat', env: {} });
    rejects(['--stack-name', 'chat'], {}, '--stack-name / GATEHOUSE_STACK_NAME applies to a SAM or CloudFormation template, or chooses the stacks of a CDK cloud assembly; add --template ./template.yaml or --cdk ./cdk.out');
    rejects(['--template', '/app/t.yaml', '--stack-name', '1chat'], {}, '--stack-name / GATEHOUSE_STACK_NAME must start with a letter and hold up to 128 letters, digits and hyphens (as CloudFormation requires), got "1chat"');
  });

  it('--cdk names a cloud assembly by its manifest.json; --stack-name chooses stacks, comma separated', () => {
    const config = loadConfig(['--cdk', 'examples/cdk-http-api/cdk.out', '--stack-name', 'Api, Prod/Chat'], {});
    assert.deepEqual(config.serverless, { file: join(process.cwd(), 'examples/cdk-http-api/cdk.out/manifest.json'), format: 'cdk', parameterOverrides: {}, stackNames: ['Api', 'Prod/Chat'], env: {} });
    assert.deepEqual(loadConfig([], { GATEHOUSE_CDK: '/app/cdk.out', GATEHOUSE_PARAMETER_OVERRIDES: 'Greeting=hey' }).serverless, {
      file: '/app/cdk.out/manifest.json',
      format: 'cdk',
      parameterOverrides: { Greeting: 'hey' },
      env: { GATEHOUSE_CDK: '/app/cdk.out', GATEHOUSE_PARAMETER_OVERRIDES: 'Greeting=hey' },
    });
    rejects(['--cdk', 'cdk.out', '--serverless', 'serverless.yml'], {}, '--cdk / GATEHOUSE_CDK and --serverless / GATEHOUSE_SERVERLESS cannot be used together; serve one project');
  });

  it('serverless: (and cdk:) in the config file is relative to the file; stage: and stackName: too', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-sls-config-'));
    try {
      writeFileSync(join(dir, 'gatehouse.yaml'), 'serverless: ./app/serverless.yml\nstage: qa\n');
      const config = loadConfig(['--config', join(dir, 'gatehouse.yaml')], {});
      assert.equal(config.serverless?.file, join(dir, 'app/serverless.yml'));
      assert.equal(config.serverless?.stage, 'qa');
      writeFileSync(join(dir, 'cdk.yaml'), 'cdk: ./app/cdk.out\nstackName: Prod/Api\n');
      const cdk = loadConfig(['--config', join(dir, 'cdk.yaml')], {});
      assert.equal(cdk.serverless?.file, join(dir, 'app/cdk.out/manifest.json'));
      assert.deepEqual(cdk.serverless?.stackNames, ['Prod/Api']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a stage with other characters, and a stage without a project', () => {
    rejects(['--serverless', 'x.yml', '--stage', 'a/b'], {}, '--stage / GATEHOUSE_STAGE must hold only letters, digits, - and _, got "a/b"');
    rejects(['--stage', 'prod'], {}, '--stage / GATEHOUSE_STAGE applies to a serverless.yml project; add --serverless ./serverless.yml');
  });
});
