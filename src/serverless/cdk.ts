/**
 * `gatehouse serve --cdk ./cdk.out`: reads a synthesized CDK cloud assembly — `manifest.json`, the
 * stack templates it names, the asset manifests (`*.assets.json`) and the `asset.<hash>` folders
 * they point at — and loads each stack's template with the template loader (sam.ts), a Lambda
 * function's `Code.S3Bucket`/`S3Key` of an asset becoming the asset's local folder. The stacks'
 * functions and APIs are served together as one project.
 * Artifacts: `aws:cloudformation:stack` (served), `cdk:cloud-assembly` (a Stage: its nested assembly
 * is read in turn), `cdk:asset-manifest`, `cdk:tree`, `cdk:feature-flag-report` and `none` (read or
 * skipped); any other type is an error naming manifest.json and the artifact.
 * https://github.com/aws/aws-cdk-cli/tree/main/packages/%40aws-cdk/cloud-assembly-schema
 */
import { DEFAULT_ACCOUNT_ID } from '../model/account-region.js';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve as resolvePath } from 'node:path';
import type { ServerlessFunction, ServerlessProject } from './project.js';
import type { DesiredApi } from './resources.js';
import { desiredResources } from './resources.js';
import type { TemplateOptions } from './sam.js';
import { loadSamTemplate } from './sam.js';
import { ServerlessError } from './variables.js';

/** A stack of the assembly, as Gatehouse serves it. */
export interface AssemblyStack {
  /** The artifact id in manifest.json (`CdkHttpApi`, `ProdSvc66695059`). */
  readonly artifactId: string;
  /** The CloudFormation stack name (`properties.stackName`, else the artifact id). */
  readonly stackName: string;
  /** The construct path (`Prod/Svc`), which `cdk deploy` also accepts. */
  readonly displayName: string;
  /** Absolute path of the stack's template. */
  readonly templateFile: string;
  /** The manifest.json that names the stack. */
  readonly manifestFile: string;
  /** The file assets of the stack by S3 object key (`<hash>.zip`). */
  readonly assets: ReadonlyMap<string, FileAsset>;
  /** The stack's `environment` (`aws://123456789012/eu-west-1`, or `aws://unknown-account/unknown-region`). */
  readonly environment?: string;
}

/** A file asset of an asset manifest. */
export interface FileAsset {
  /** Absolute path of the asset (an `asset.<hash>` folder, or a file). */
  readonly path: string;
  /** `zip`: a folder zipped on upload; `file`: a file uploaded as it is. */
  readonly packaging: string;
  /** The asset manifest that names it. */
  readonly assetsFile: string;
  /** The asset's id in the asset manifest. */
  readonly id: string;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Artifact types read for what they hold (or skipped), each with what it is. */
const SKIPPED_TYPES = new Set(['cdk:asset-manifest', 'cdk:tree', 'cdk:feature-flag-report', 'none']);
const KNOWN_TYPES = ['aws:cloudformation:stack', 'cdk:cloud-assembly', ...SKIPPED_TYPES];

const SYNTH_AGAIN = 'synthesize the app again (cdk synth, or node app.mjs)';

function readJson(file: string, what: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ServerlessError(`${file}: cannot read the ${what}${code === 'ENOENT' ? ' (no such file)' : `: ${(err as Error).message}`}; ${SYNTH_AGAIN}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new ServerlessError(`${file}: the ${what} is not valid JSON (${(err as Error).message}); ${SYNTH_AGAIN}`);
  }
  if (!isObject(value)) throw new ServerlessError(`${file}: the ${what} must be a JSON object; ${SYNTH_AGAIN}`);
  return value;
}

/** The file assets of an asset manifest, by their S3 object keys. */
function readAssetManifest(file: string, into: Map<string, FileAsset>): void {
  const manifest = readJson(file, 'asset manifest');
  const files = manifest.files === undefined ? {} : manifest.files;
  if (!isObject(files)) throw new ServerlessError(`${file}: files must be an object of assets by id; ${SYNTH_AGAIN}`);
  for (const [id, raw] of Object.entries(files)) {
    if (!isObject(raw) || !isObject(raw.source) || typeof raw.source.path !== 'string' || !isObject(raw.destinations)) {
      throw new ServerlessError(`${file}: files.${id} must have source.path and destinations; ${SYNTH_AGAIN}`);
    }
    const asset: FileAsset = { path: resolvePath(dirname(file), raw.source.path), packaging: typeof raw.source.packaging === 'string' ? raw.source.packaging : 'file', assetsFile: file, id };
    for (const destination of Object.values(raw.destinations)) {
      if (isObject(destination) && typeof destination.objectKey === 'string') into.set(destination.objectKey, asset);
    }
  }
}

/** The stacks of the cloud assembly in `dir` (nested assemblies of Stages included), in manifest order. */
export function readCloudAssembly(dir: string): AssemblyStack[] {
  const root = resolvePath(dir);
  const manifestFile = join(root, 'manifest.json');
  if (!existsSync(manifestFile)) {
    const why = !existsSync(root) ? 'no such directory' : !statSync(root).isDirectory() ? 'not a directory' : 'no manifest.json in it';
    throw new ServerlessError(`${root}: not a CDK cloud assembly (${why}); ${SYNTH_AGAIN} and give --cdk its output directory (cdk.out)`);
  }
  return readAssembly(manifestFile);
}

function readAssembly(manifestFile: string): AssemblyStack[] {
  const base = dirname(manifestFile);
  const manifest = readJson(manifestFile, 'cloud assembly manifest');
  const artifacts = manifest.artifacts === undefined ? {} : manifest.artifacts;
  if (!isObject(artifacts)) throw new ServerlessError(`${manifestFile}: artifacts must be an object of artifacts by id; ${SYNTH_AGAIN}`);
  const stacks: AssemblyStack[] = [];
  for (const [id, raw] of Object.entries(artifacts)) {
    const at = `${manifestFile}: artifacts.${id}`;
    if (!isObject(raw) || typeof raw.type !== 'string') throw new ServerlessError(`${at}: must be an object with a type; ${SYNTH_AGAIN}`);
    const properties = isObject(raw.properties) ? raw.properties : {};
    if (raw.type === 'cdk:cloud-assembly') {
      if (typeof properties.directoryName !== 'string') throw new ServerlessError(`${at}: a nested cloud assembly needs properties.directoryName; ${SYNTH_AGAIN}`);
      const nested = join(base, properties.directoryName, 'manifest.json');
      if (!existsSync(nested)) throw new ServerlessError(`${nested}: the nested cloud assembly ${id} has no manifest.json; ${SYNTH_AGAIN}`);
      stacks.push(...readAssembly(nested));
      continue;
    }
    if (SKIPPED_TYPES.has(raw.type)) continue;
    if (raw.type !== 'aws:cloudformation:stack') {
      throw new ServerlessError(`${at}: the artifact type "${raw.type}" is not known to Gatehouse (known: ${KNOWN_TYPES.join(', ')}); synthesize with aws-cdk-lib 2, or report the type`);
    }
    if (typeof properties.templateFile !== 'string') throw new ServerlessError(`${at}: the stack has no properties.templateFile; ${SYNTH_AGAIN}`);
    const assets = new Map<string, FileAsset>();
    const dependencies = Array.isArray(raw.dependencies) ? raw.dependencies.filter((d): d is string => typeof d === 'string') : [];
    for (const dependency of dependencies) {
      const dep = artifacts[dependency];
      if (!isObject(dep) || dep.type !== 'cdk:asset-manifest') continue;
      const file = isObject(dep.properties) && typeof dep.properties.file === 'string' ? dep.properties.file : undefined;
      if (file === undefined) throw new ServerlessError(`${manifestFile}: artifacts.${dependency}: the asset manifest has no properties.file; ${SYNTH_AGAIN}`);
      readAssetManifest(join(base, file), assets);
    }
    stacks.push({
      artifactId: id,
      stackName: typeof properties.stackName === 'string' ? properties.stackName : id,
      displayName: typeof raw.displayName === 'string' ? raw.displayName : id,
      templateFile: join(base, properties.templateFile),
      manifestFile,
      assets,
      ...(typeof raw.environment === 'string' ? { environment: raw.environment } : {}),
    });
  }
  return stacks;
}

/**
 * The manifest.json files of an assembly: its own, then those of its nested assemblies (Stages), whose
 * stacks change only their own manifest. The CDK writes the root manifest last, so its change is the
 * signal to reload and these files together say whether anything changed.
 */
export function assemblyManifests(manifestFile: string): string[] {
  const files = [manifestFile];
  let manifest: unknown;
  try {
    manifest = JSON.parse(readFileSync(manifestFile, 'utf8'));
  } catch {
    return files;
  }
  const artifacts = isObject(manifest) && isObject(manifest.artifacts) ? manifest.artifacts : {};
  for (const artifact of Object.values(artifacts)) {
    if (!isObject(artifact) || artifact.type !== 'cdk:cloud-assembly' || !isObject(artifact.properties) || typeof artifact.properties.directoryName !== 'string') continue;
    const nested = join(dirname(manifestFile), artifact.properties.directoryName, 'manifest.json');
    if (existsSync(nested)) files.push(...assemblyManifests(nested));
  }
  return files;
}

/** The stacks `names` choose (by stack name, construct path or artifact id); all when there are none. */
export function chooseStacks(stacks: readonly AssemblyStack[], names: readonly string[] | undefined, manifestFile: string): AssemblyStack[] {
  if (stacks.length === 0) throw new ServerlessError(`${manifestFile}: the cloud assembly has no stacks (aws:cloudformation:stack artifacts); add a Stack to the app and ${SYNTH_AGAIN}`);
  if (!names || names.length === 0) return [...stacks];
  return names.map((name) => {
    const stack = stacks.find((s) => s.stackName === name || s.displayName === name || s.artifactId === name);
    if (!stack) throw new ServerlessError(`${manifestFile}: --stack-name ${name}: no such stack in the cloud assembly (stacks: ${stacks.map((s) => s.displayName === s.stackName ? s.stackName : `${s.stackName} (${s.displayName})`).join(', ')})`);
    return stack;
  });
}

/**
 * The local copies of the stack's file assets by S3 object key, as the template loader takes them
 * (`assetPaths`: a Lambda function's `Code.S3Key` → its `asset.<hash>` folder). An asset whose copy is
 * missing is an error naming the asset manifest: the assembly is incomplete.
 */
export function assetPaths(stack: AssemblyStack): Record<string, string> {
  const paths: Record<string, string> = {};
  for (const [key, asset] of stack.assets) {
    if (!existsSync(asset.path)) throw new ServerlessError(`${asset.assetsFile}: files.${asset.id}: the asset ${asset.path} is missing; ${SYNTH_AGAIN}`);
    paths[key] = asset.path;
  }
  return paths;
}

/**
 * What the synthesizer adds for `cdk deploy` (the BootstrapVersion parameter, the CheckBootstrapVersion
 * rule): accepted, said once. A template of the legacy synthesizer (asset locations as parameters) is an error.
 */
function synthesizerNotes(stack: AssemblyStack): { notes: string[]; parameters: string[] } {
  let template: unknown;
  try {
    template = JSON.parse(readFileSync(stack.templateFile, 'utf8'));
  } catch {
    return { notes: [], parameters: [] };
  }
  if (!isObject(template)) return { notes: [], parameters: [] };
  const parameters = isObject(template.Parameters) ? Object.keys(template.Parameters) : [];
  const legacy = parameters.find((name) => name.startsWith('AssetParameters'));
  if (legacy !== undefined) {
    throw new ServerlessError(
      `${stack.templateFile}: Parameters.${legacy}: the stack was synthesized by the legacy stack synthesizer (asset locations as parameters); Gatehouse reads assets from the asset manifest of the default synthesizer: drop LegacyStackSynthesizer (or the @aws-cdk/core:newStyleStackSynthesis: false flag) and ${SYNTH_AGAIN}`,
    );
  }
  const rules = isObject(template.Rules) ? Object.keys(template.Rules) : [];
  const parameter = parameters.includes('BootstrapVersion');
  if (!parameter && rules.length === 0) return { notes: [], parameters };
  const what = [...(parameter ? ['the BootstrapVersion parameter'] : []), ...(rules.length ? [`Rules (${rules.join(', ')})`] : [])].join(' and ');
  return { notes: [`${stack.stackName}: ${what} accepted and not evaluated (they check the CDK bootstrap stack when deploying)`], parameters };
}

/** Options of an assembly load. */
export interface CdkOptions extends Pick<TemplateOptions, 'region' | 'typescript' | 'inlineCodeDirectory' | 'apiEndpoint'> {
  /** `--stack-name`: the stacks to serve (all when unset). */
  readonly stackNames?: readonly string[];
  /** `--parameter-overrides`: values of CfnParameters, each given to every stack that declares it (as `cdk deploy --parameters Name=Value`). */
  readonly parameterOverrides?: Readonly<Record<string, string>>;
}

/**
 * Loads the stacks of the cloud assembly whose manifest is `manifestFile` into one project: each
 * template goes through the template loader (stack name = AWS::StackName), its APIs become
 * `apis`, its functions are the project's; notes name their stack.
 */
export function loadCloudAssembly(manifestFile: string, options: CdkOptions): ServerlessProject {
  const stacks = chooseStacks(readCloudAssembly(dirname(manifestFile)), options.stackNames, manifestFile);
  const functions: { fn: ServerlessFunction; stack: string }[] = [];
  const apis: DesiredApi[] = [];
  const notes: string[] = [];
  const used = new Set<string>();
  for (const stack of stacks) {
    const synthesizer = synthesizerNotes(stack);
    const overrides = Object.fromEntries(Object.entries(options.parameterOverrides ?? {}).filter(([name]) => synthesizer.parameters.includes(name)));
    for (const name of Object.keys(overrides)) used.add(name);
    const project = loadSamTemplate(stack.templateFile, {
      region: options.region,
      stackName: stack.stackName,
      parameterOverrides: overrides,
      ...(options.typescript ? { typescript: true } : {}),
      ...(options.inlineCodeDirectory ? { inlineCodeDirectory: options.inlineCodeDirectory } : {}),
      ...(options.apiEndpoint ? { apiEndpoint: options.apiEndpoint } : {}),
      assetPaths: assetPaths(stack),
    });
    functions.push(...project.functions.map((fn) => ({ fn, stack: stack.stackName })));
    apis.push(...desiredResources(project, options.region));
    notes.push(...(project.notes ?? []).map((note) => `${stack.stackName}: ${note}`), ...synthesizer.notes);
    // A stack bound to an account or region (`env` in the app) is served in Gatehouse's: say so rather than move it silently.
    const env = /^aws:\/\/([^/]+)\/(.+)$/.exec(stack.environment ?? '');
    const account = env?.[1] !== undefined && env[1] !== 'unknown-account' ? env[1] : undefined;
    const region = env?.[2] !== undefined && env[2] !== 'unknown-region' ? env[2] : undefined;
    if ((account !== undefined && account !== DEFAULT_ACCOUNT_ID) || (region !== undefined && region !== options.region)) {
      notes.push(`${stack.stackName}: synthesized for ${stack.environment}; served in account ${DEFAULT_ACCOUNT_ID}, region ${options.region} (--region)`);
    }
  }
  const unused = Object.keys(options.parameterOverrides ?? {}).filter((name) => !used.has(name));
  if (unused.length > 0) {
    throw new ServerlessError(`${manifestFile}: --parameter-overrides names ${unused.join(', ')}, which no stack served declares (stacks: ${stacks.map((s) => s.stackName).join(', ')}); use the names of the apps' CfnParameters`);
  }
  const seen = new Map<string, string>();
  for (const { fn, stack } of functions) {
    const other = seen.get(fn.functionName);
    if (other !== undefined) throw new ServerlessError(`${manifestFile}: the Lambda function name ${fn.functionName} is given twice (${other} and ${stack}/${fn.key}); give the functions distinct FunctionName values`);
    seen.set(fn.functionName, `${stack}/${fn.key}`);
  }
  return {
    file: manifestFile,
    service: stacks.map((s) => s.stackName).join(', '),
    stage: '$default',
    functions: functions.map((f) => f.fn),
    apis,
    plugins: [],
    notes,
  };
}
