import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { AssemblyStack } from './cdk.js';
import { assemblyManifests, assetPaths, chooseStacks, loadCloudAssembly, readCloudAssembly } from './cdk.js';
import { ServerlessError } from './variables.js';

/** test/fixtures/cdk/cdk.out: made by test/fixtures/cdk/app.mjs (stack Fixture, and Svc in the Stage Prod). */
const FIXTURE = new URL('../../../test/fixtures/cdk/cdk.out', import.meta.url).pathname;
const ASSET = 'ac6b1cbeec2eba9e17b8ef43ee1df7894f9dac482701c5a541cff0ea8dbb22d4';

/** The message of the ServerlessError `fn` throws, with `dir` shown as `<dir>`. */
function failure(fn: () => unknown, dir: string): string {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ServerlessError, String(err));
    return err.message.replaceAll(dir, '<dir>');
  }
  assert.fail('no error');
}

describe('CDK cloud assembly reader', () => {
  it('reads the stacks of manifest.json and of a Stage\'s nested assembly, in manifest order, with their file assets by S3 key', () => {
    const stacks = readCloudAssembly(FIXTURE);
    // Each stack's assets: the Lambda code folder, and the template itself (<hash>.json).
    const templateKeys = stacks.map((s) => [...s.assets.keys()].find((k) => k.endsWith('.json')));
    for (const key of templateKeys) assert.match(key ?? '', /^[0-9a-f]{64}\.json$/);
    assert.deepEqual(
      stacks.map((s) => ({ ...s, assets: [...s.assets.entries()].map(([key, a]) => [key, a.path, a.packaging, a.assetsFile]) })),
      [
        {
          artifactId: 'ProdSvc66695059',
          stackName: 'Prod-Svc',
          displayName: 'Prod/Svc',
          templateFile: join(FIXTURE, 'assembly-Prod/ProdSvc66695059.template.json'),
          manifestFile: join(FIXTURE, 'assembly-Prod/manifest.json'),
          environment: 'aws://unknown-account/unknown-region',
          assets: [
            [`${ASSET}.zip`, join(FIXTURE, `asset.${ASSET}`), 'zip', join(FIXTURE, 'assembly-Prod/ProdSvc66695059.assets.json')],
            [templateKeys[0], join(FIXTURE, 'assembly-Prod/ProdSvc66695059.template.json'), 'file', join(FIXTURE, 'assembly-Prod/ProdSvc66695059.assets.json')],
          ],
        },
        {
          artifactId: 'Fixture',
          stackName: 'Fixture',
          displayName: 'Fixture',
          templateFile: join(FIXTURE, 'Fixture.template.json'),
          manifestFile: join(FIXTURE, 'manifest.json'),
          environment: 'aws://unknown-account/unknown-region',
          assets: [
            [`${ASSET}.zip`, join(FIXTURE, `asset.${ASSET}`), 'zip', join(FIXTURE, 'Fixture.assets.json')],
            [templateKeys[1], join(FIXTURE, 'Fixture.template.json'), 'file', join(FIXTURE, 'Fixture.assets.json')],
          ],
        },
      ],
    );
    assert.deepEqual(assetPaths(stacks[1] as AssemblyStack), { [`${ASSET}.zip`]: join(FIXTURE, `asset.${ASSET}`), [templateKeys[1] as string]: join(FIXTURE, 'Fixture.template.json') });
  });

  it('the manifests a reload compares: the root one and those of the Stages\' nested assemblies', () => {
    assert.deepEqual(assemblyManifests(join(FIXTURE, 'manifest.json')), [join(FIXTURE, 'manifest.json'), join(FIXTURE, 'assembly-Prod/manifest.json')]);
  });

  it('--stack-name chooses stacks by stack name, construct path or artifact id; all by default', () => {
    const stacks = readCloudAssembly(FIXTURE);
    const manifest = join(FIXTURE, 'manifest.json');
    assert.deepEqual(chooseStacks(stacks, undefined, manifest).map((s) => s.stackName), ['Prod-Svc', 'Fixture']);
    assert.deepEqual(chooseStacks(stacks, ['Prod/Svc'], manifest).map((s) => s.stackName), ['Prod-Svc']);
    assert.deepEqual(chooseStacks(stacks, ['Prod-Svc', 'Fixture'], manifest).map((s) => s.stackName), ['Prod-Svc', 'Fixture']);
    assert.deepEqual(chooseStacks(stacks, ['ProdSvc66695059'], manifest).map((s) => s.stackName), ['Prod-Svc']);
    assert.equal(
      failure(() => chooseStacks(stacks, ['Dev'], manifest), FIXTURE),
      '<dir>/manifest.json: --stack-name Dev: no such stack in the cloud assembly (stacks: Prod-Svc (Prod/Svc), Fixture)',
    );
    assert.equal(
      failure(() => chooseStacks([], undefined, manifest), FIXTURE),
      '<dir>/manifest.json: the cloud assembly has no stacks (aws:cloudformation:stack artifacts); add a Stack to the app and synthesize the app again (cdk synth, or node app.mjs)',
    );
  });
});

describe('CDK cloud assembly errors', () => {
  let dir: string;
  let out: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'gatehouse-cdk-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** A fresh copy of the fixture, changed by `edit`. */
  const copy = (edit: (out: string) => void = () => undefined) => {
    out = join(dir, `cdk.out.${Math.random().toString(36).slice(2)}`);
    cpSync(FIXTURE, out, { recursive: true });
    edit(out);
    return out;
  };
  const editJson = (file: string, edit: (value: Record<string, any>) => void) => {
    const value = JSON.parse(readFileSync(file, 'utf8')) as Record<string, any>;
    edit(value);
    writeFileSync(file, JSON.stringify(value));
  };

  it('a directory without manifest.json, or no directory, names it and the fix', () => {
    assert.equal(
      failure(() => readCloudAssembly(dir), dir),
      '<dir>: not a CDK cloud assembly (no manifest.json in it); synthesize the app again (cdk synth, or node app.mjs) and give --cdk its output directory (cdk.out)',
    );
    assert.equal(
      failure(() => readCloudAssembly(join(dir, 'nothing')), dir),
      '<dir>/nothing: not a CDK cloud assembly (no such directory); synthesize the app again (cdk synth, or node app.mjs) and give --cdk its output directory (cdk.out)',
    );
  });

  it('a manifest.json that is not JSON names the file', () => {
    const a = copy((o) => writeFileSync(join(o, 'manifest.json'), '{"version":'));
    assert.match(failure(() => readCloudAssembly(a), a), /^<dir>\/manifest\.json: the cloud assembly manifest is not valid JSON \(.+\); synthesize the app again \(cdk synth, or node app\.mjs\)$/);
  });

  it('an unknown artifact type names the artifact and the known types', () => {
    const a = copy((o) => editJson(join(o, 'manifest.json'), (m) => (m.artifacts.Later = { type: 'cdk:something-new' })));
    assert.equal(
      failure(() => readCloudAssembly(a), a),
      '<dir>/manifest.json: artifacts.Later: the artifact type "cdk:something-new" is not known to Gatehouse (known: aws:cloudformation:stack, cdk:cloud-assembly, cdk:asset-manifest, cdk:tree, cdk:feature-flag-report, none); synthesize with aws-cdk-lib 2, or report the type',
    );
  });

  it('a missing asset manifest, nested manifest or asset folder names the file and says to synthesize again', () => {
    const noAssets = copy((o) => rmSync(join(o, 'Fixture.assets.json')));
    assert.equal(failure(() => readCloudAssembly(noAssets), noAssets), '<dir>/Fixture.assets.json: cannot read the asset manifest (no such file); synthesize the app again (cdk synth, or node app.mjs)');
    const noStage = copy((o) => rmSync(join(o, 'assembly-Prod/manifest.json')));
    assert.equal(failure(() => readCloudAssembly(noStage), noStage), '<dir>/assembly-Prod/manifest.json: the nested cloud assembly assembly-Prod has no manifest.json; synthesize the app again (cdk synth, or node app.mjs)');
    const noFolder = copy((o) => rmSync(join(o, `asset.${ASSET}`), { recursive: true }));
    const stack = readCloudAssembly(noFolder).find((s) => s.stackName === 'Fixture');
    assert.equal(
      failure(() => assetPaths(stack as AssemblyStack), noFolder),
      `<dir>/Fixture.assets.json: files.${ASSET}: the asset <dir>/asset.${ASSET} is missing; synthesize the app again (cdk synth, or node app.mjs)`,
    );
  });
});

describe('CDK cloud assembly load', () => {
  const manifest = join(FIXTURE, 'manifest.json');

  it('loads every stack\'s template: functions run from the asset folder, APIs by stack, CDK metadata and bootstrap checks accepted with a note', () => {
    const p = loadCloudAssembly(manifest, { region: 'eu-west-1' });
    const folder = join(FIXTURE, `asset.${ASSET}`);
    assert.equal(p.file, manifest);
    assert.equal(p.service, 'Prod-Svc, Fixture');
    assert.deepEqual(p.functions, [
      { key: 'Hello4A628BD4', functionName: 'Prod-Svc-Hello4A628BD4', handler: `${folder}/index.mjs#handler`, environment: { STACK: 'Prod-Svc' }, timeout: 3, memorySize: 128 },
      { key: 'Hello4A628BD4', functionName: 'Fixture-Hello4A628BD4', handler: `${folder}/index.mjs#handler`, environment: { STACK: 'Fixture' }, timeout: 3, memorySize: 128 },
    ]);
    assert.deepEqual(
      p.apis?.map((a) => [a.members.name, a.routes.map((r) => r.members.routeKey), a.integrations.map((i) => i.members.integrationUri)]),
      [
        ['Prod-Svc-api', ['GET /hello'], ['arn:aws:lambda:eu-west-1:000000000000:function:Prod-Svc-Hello4A628BD4']],
        ['Fixture-api', ['GET /hello'], ['arn:aws:lambda:eu-west-1:000000000000:function:Fixture-Hello4A628BD4']],
      ],
    );
    assert.deepEqual(
      p.notes?.filter((n) => n.startsWith('Fixture: ')),
      [
        'Fixture: HelloServiceRole1E55EA16 (AWS::IAM::Role) is accepted and not served (it does not change the gateway)',
        'Fixture: CDKMetadata (AWS::CDK::Metadata) is accepted and not served (it does not change the gateway)',
        "Fixture: ApiGEThelloHelloPermission2E4B552E (AWS::Lambda::Permission) accepted: Gatehouse lets its APIs invoke the template's functions without resource policies",
        'Fixture: the BootstrapVersion parameter and Rules (CheckBootstrapVersion) accepted and not evaluated (they check the CDK bootstrap stack when deploying)',
      ],
    );
  });

  it('--stack-name serves the chosen stacks only; their API ids do not depend on the others', () => {
    const all = loadCloudAssembly(manifest, { region: 'eu-west-1' });
    const one = loadCloudAssembly(manifest, { region: 'eu-west-1', stackNames: ['Fixture'] });
    assert.deepEqual(one.functions.map((f) => f.functionName), ['Fixture-Hello4A628BD4']);
    assert.deepEqual(one.apis?.map((a) => a.apiId), [all.apis?.[1]?.apiId]);
  });

  describe('errors', () => {
    let dir: string;
    before(() => {
      dir = mkdtempSync(join(tmpdir(), 'gatehouse-cdk-load-'));
    });
    after(() => rmSync(dir, { recursive: true, force: true }));
    const copy = (name: string, edit: (out: string) => void) => {
      const out = join(dir, name);
      cpSync(FIXTURE, out, { recursive: true });
      edit(out);
      return out;
    };

    it('a missing asset folder names the asset manifest and says to synthesize again', () => {
      const out = copy('no-folder', (o) => rmSync(join(o, `asset.${ASSET}`), { recursive: true }));
      assert.equal(
        failure(() => loadCloudAssembly(join(out, 'manifest.json'), { region: 'eu-west-1' }), out),
        `<dir>/assembly-Prod/ProdSvc66695059.assets.json: files.${ASSET}: the asset <dir>/asset.${ASSET} is missing; synthesize the app again (cdk synth, or node app.mjs)`,
      );
    });

    it('a stack synthesized for an account and region is served in Gatehouse\'s, with a note saying so', () => {
      const out = copy('env', (o) => {
        const file = join(o, 'manifest.json');
        writeFileSync(file, readFileSync(file, 'utf8').replace('aws://unknown-account/unknown-region', 'aws://123456789012/eu-central-1'));
      });
      const p = loadCloudAssembly(join(out, 'manifest.json'), { region: 'us-east-1', stackNames: ['Fixture'] });
      assert.ok(p.notes?.includes('Fixture: synthesized for aws://123456789012/eu-central-1; served in account 000000000000, region us-east-1 (--region)'), String(p.notes));
      const same = loadCloudAssembly(join(copy('env-none', () => undefined), 'manifest.json'), { region: 'us-east-1', stackNames: ['Fixture'] });
      assert.ok(!same.notes?.some((n) => n.includes('synthesized for')), 'an environment-agnostic stack gets no such note');
    });

    it('custom resources CDK adds (Custom::LogRetention, ...) are accepted with a note, their provider not run', () => {
      const out = copy('custom', (o) => {
        const file = join(o, 'Fixture.template.json');
        const template = JSON.parse(readFileSync(file, 'utf8')) as { Resources: Record<string, unknown> };
        template.Resources.HelloLogRetention = { Type: 'Custom::LogRetention', Properties: { ServiceToken: 'arn:aws:lambda:us-east-1:1:function:x', LogGroupName: '/aws/lambda/x', RetentionInDays: 1 } };
        template.Resources.Other = { Type: 'AWS::CloudFormation::CustomResource', Properties: { ServiceToken: 'arn:aws:lambda:us-east-1:1:function:x' } };
        writeFileSync(file, JSON.stringify(template));
      });
      const p = loadCloudAssembly(join(out, 'manifest.json'), { region: 'eu-west-1', stackNames: ['Fixture'] });
      assert.deepEqual(
        p.notes?.filter((n) => n.includes('custom resource')),
        [
          'Fixture: HelloLogRetention (Custom::LogRetention) is a custom resource: accepted and not run (Gatehouse does not invoke its provider)',
          'Fixture: Other (AWS::CloudFormation::CustomResource) is a custom resource: accepted and not run (Gatehouse does not invoke its provider)',
        ],
      );
    });

    it('--parameter-overrides gives each stack the CfnParameters it declares; a name no stack declares is an error', () => {
      const out = copy('parameters', (o) => {
        const file = join(o, 'Fixture.template.json');
        const template = JSON.parse(readFileSync(file, 'utf8')) as { Parameters: Record<string, unknown>; Resources: Record<string, any> };
        template.Parameters.Greeting = { Type: 'String', Default: 'hi' };
        template.Resources.Hello4A628BD4.Properties.Environment.Variables.STACK = { Ref: 'Greeting' };
        writeFileSync(file, JSON.stringify(template));
      });
      const manifestFile = join(out, 'manifest.json');
      const env = (overrides: Record<string, string>) => loadCloudAssembly(manifestFile, { region: 'eu-west-1', parameterOverrides: overrides }).functions.map((f) => f.environment.STACK);
      assert.deepEqual(env({}), ['Prod-Svc', 'hi']);
      assert.deepEqual(env({ Greeting: 'hey' }), ['Prod-Svc', 'hey']);
      assert.equal(
        failure(() => env({ Greeting: 'hey', Colour: 'red' }), out),
        "<dir>/manifest.json: --parameter-overrides names Colour, which no stack served declares (stacks: Prod-Svc, Fixture); use the names of the apps' CfnParameters",
      );
    });

    it('one FunctionName in two stacks is an error naming both', () => {
      const out = copy('same-name', (o) => {
        for (const file of [join(o, 'Fixture.template.json'), join(o, 'assembly-Prod/ProdSvc66695059.template.json')]) {
          const template = JSON.parse(readFileSync(file, 'utf8')) as { Resources: Record<string, any> };
          template.Resources.Hello4A628BD4.Properties.FunctionName = 'hello';
          writeFileSync(file, JSON.stringify(template));
        }
      });
      assert.equal(
        failure(() => loadCloudAssembly(join(out, 'manifest.json'), { region: 'eu-west-1' }), out),
        '<dir>/manifest.json: the Lambda function name hello is given twice (Prod-Svc/Hello4A628BD4 and Fixture/Hello4A628BD4); give the functions distinct FunctionName values',
      );
    });

    it('a template of the legacy synthesizer (asset parameters) names the parameter and the fix', () => {
      const out = copy('legacy', (o) => {
        const file = join(o, 'Fixture.template.json');
        const template = JSON.parse(readFileSync(file, 'utf8')) as { Parameters: Record<string, unknown> };
        template.Parameters = { AssetParametersabcS3Bucket12345678: { Type: 'String' }, ...template.Parameters };
        writeFileSync(file, JSON.stringify(template));
      });
      assert.equal(
        failure(() => loadCloudAssembly(join(out, 'manifest.json'), { region: 'eu-west-1', stackNames: ['Fixture'] }), out),
        '<dir>/Fixture.template.json: Parameters.AssetParametersabcS3Bucket12345678: the stack was synthesized by the legacy stack synthesizer (asset locations as parameters); Gatehouse reads assets from the asset manifest of the default synthesizer: drop LegacyStackSynthesizer (or the @aws-cdk/core:newStyleStackSynthesis: false flag) and synthesize the app again (cdk synth, or node app.mjs)',
      );
    });

    it('Lambda code in S3 that is no asset of the stack names the template position', () => {
      const out = copy('other-key', (o) => {
        const file = join(o, 'Fixture.template.json');
        writeFileSync(file, readFileSync(file, 'utf8').replace(`"${ASSET}.zip"`, '"elsewhere.zip"'));
      });
      assert.match(
        failure(() => loadCloudAssembly(join(out, 'manifest.json'), { region: 'eu-west-1', stackNames: ['Fixture'] }), out),
        /^<dir>\/Fixture\.template\.json:\d+:\d+: Resources\.Hello4A628BD4\.Properties\.Code\.S3Key: elsewhere\.zip: code in S3 cannot be run locally; /,
      );
    });
  });
});
