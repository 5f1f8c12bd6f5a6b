/**
 * Every command of the AWS CLI's own apigatewayv2 examples (shipped in the installed awscli package,
 * recorded by AWS's docs team against real AWS) runs against Gatehouse with the real `aws` binary, and
 * its output must equal the recorded one, ids, dates and the endpoint host aside. Prerequisites (the
 * APIs, stages, domain names... an example refers to) are created first and their ids substituted.
 * GATEHOUSE_CLI_EXAMPLES_REPORT=<file> writes a Markdown report of all differences.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { after, before, describe, test } from 'node:test';
import { ApiGatewayV2 } from '@aws-sdk/client-apigatewayv2';
import type { TestServer } from '../helpers/server.js';
import { startServer } from '../helpers/server.js';
import { compareOutputs, latestRecordedDate } from './aws-cli-examples/compare.js';
import { API_EXAMPLES } from './aws-cli-examples/fixtures-apis.js';
import { DOMAIN_EXAMPLES } from './aws-cli-examples/fixtures-domains.js';
import { emptyAccount, findInstallation, IdMap, runAws } from './aws-cli-examples/harness.js';
import type { ExampleSpec } from './aws-cli-examples/kit.js';
import type { ExampleResult } from './aws-cli-examples/report.js';
import { describeDifference, writeReport } from './aws-cli-examples/report.js';
import type { ExampleCommand, ExampleFile } from './aws-cli-examples/rst.js';
import { parseExampleFile, parseRecordedJson } from './aws-cli-examples/rst.js';
import { getPath, setPath } from './aws-cli-examples/paths.js';

const SPECS: Record<string, ExampleSpec> = { ...API_EXAMPLES, ...DOMAIN_EXAMPLES };
const installation = await findInstallation();
const exampleFiles = 'skip' in installation ? [] : readdirSync(installation.examples).filter((f) => f.endsWith('.rst')).sort();

describe('AWS CLI apigatewayv2 examples', { skip: 'skip' in installation ? installation.skip : false }, () => {
  if ('skip' in installation) return;
  const { aws, examples } = installation;
  let server: TestServer;
  let gw: ApiGatewayV2;
  const results: ExampleResult[] = [];

  before(async () => {
    // AWS's apiEndpoint shape ({apiId}.execute-api.{host}, no path), which the recorded outputs show; the default is path style.
    server = await startServer({ args: ['--endpoint-style', 'host', '--public-url', 'http://gatehouse.example.com'] });
    gw = new ApiGatewayV2({ endpoint: server.url, region: 'us-east-1', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' }, maxAttempts: 1 });
  });
  after(async () => {
    gw.destroy();
    await server.close();
    const reportPath = process.env.GATEHOUSE_CLI_EXAMPLES_REPORT;
    if (reportPath) writeReport(reportPath, results, { aws: installation.version, examples });
  });

  /** Runs one command of `file` and compares its output with the recorded one. */
  async function runExample(t: TestContext, file: string, example: ExampleFile, command: ExampleCommand, spec: ExampleSpec): Promise<void> {
    const result: ExampleResult = {
      file, index: command.index, title: command.title, command: `aws apigatewayv2 ${command.operation} ${command.args.join(' ')}`,
      status: 'fail', differences: [], tolerated: [], notes: [],
    };
    results.push(result);
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-cli-example-'));
    try {
      for (const [name, content] of example.files) writeFileSync(join(dir, name), content);
      await emptyAccount(gw);
      const ids = new IdMap();
      const setup = { gw, ids, dir };
      try {
        await spec.setup?.(setup, command);
      } catch (err) {
        result.reason = `the prerequisites could not be created: ${(err as Error).message}`;
        throw new Error(`${result.command}\n${result.reason}`, { cause: err });
      }
      let args = command.args;
      if (spec.addArgs?.command === command.index) {
        args = [...args, ...spec.addArgs.args];
        result.notes.push(`added ${spec.addArgs.args.join(' ')}: ${spec.addArgs.why}`);
      }
      const run = await runAws(aws, server.url, dir, command.operation, args.map((a) => ids.substitute(a)));
      if (run.code !== 0) {
        result.reason = `aws exited with ${run.code}: ${run.stderr.trim()}`;
        assert.fail(`${result.command}\n${result.reason}`);
      }
      if (command.output === undefined) {
        assert.equal(run.stdout.trim(), '', `${result.command}: the example produces no output`);
      } else {
        const recorded = parseRecordedJson(command.output);
        if (recorded.repaired) result.notes.push('the recorded output is not valid JSON (missing or extra commas); read with the commas repaired');
        for (const e of spec.errata ?? []) {
          if (e.command !== command.index) continue;
          assert.deepEqual(getPath(recorded.value, e.path), e.recorded, `erratum for ${e.path} no longer applies: the recording changed`);
          setPath(recorded.value, e.path, e.corrected);
          result.notes.push(`erratum ${e.path}: recorded ${JSON.stringify(e.recorded)}, compared with ${JSON.stringify(e.corrected)} (${e.why})`);
        }
        const recordedAt = latestRecordedDate(example.commands.map((c) => (c.output === undefined ? undefined : parseRecordedJson(c.output).value)));
        const ours: unknown = JSON.parse(run.stdout);
        const { differences, tolerated } = compareOutputs(ids.substituteJson(recorded.value), ours, { knownIds: ids.reals(), recordedAt });
        result.differences = differences;
        result.tolerated = tolerated;
        for (const d of tolerated) t.diagnostic(`tolerated, newer than the recording: ${describeDifference(d)}`);
        if (differences.length > 0) {
          assert.fail(`${result.command}\ndiffers from AWS's recorded output:\n${differences.map((d) => `  - ${describeDifference(d)}`).join('\n')}`);
        }
      }
      spec.verify?.(setup);
      result.status = 'pass';
    } catch (err) {
      result.reason ??= result.differences.length === 0 ? String((err as Error).message) : undefined;
      throw err;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  for (const file of exampleFiles) {
    test(file, { timeout: 120_000 }, async (t) => {
      const spec = SPECS[file.replace(/\.rst$/, '')];
      assert.ok(spec, `${file} is a new example: add its prerequisites to test/conformance/aws-cli-examples/fixtures-*.ts`);
      const example = parseExampleFile(readFileSync(join(examples, file), 'utf8'));
      assert.ok(example.commands.length > 0, `no aws apigatewayv2 command found in ${file}`);
      if (spec.skip) {
        for (const c of example.commands) {
          results.push({ file, index: c.index, title: c.title, command: `aws apigatewayv2 ${c.operation} ${c.args.join(' ')}`, status: 'skip', reason: spec.skip, differences: [], tolerated: [], notes: [] });
        }
        t.skip(spec.skip);
        return;
      }
      if (example.commands.length === 1) {
        await runExample(t, file, example, example.commands[0] as ExampleCommand, spec);
        return;
      }
      for (const command of example.commands) {
        await t.test(`#${command.index} ${command.title}`, (sub) => runExample(sub, file, example, command, spec));
      }
    });
  }
});
