/**
 * The CLI's help: what `gatehouse --help` and `gatehouse <command> --help` print. Every setting of
 * config.ts SETTINGS has a description here (a unit test keeps the two in step).
 */
import { createRequire } from 'node:module';
import { CREDENTIALS_ENV, SETTINGS } from '../config.js';
import { SERVER_FILE } from './server-file.js';
import { URL_ENV } from './token.js';

type SettingName = keyof typeof SETTINGS;

/** Each setting's value placeholder and one-line meaning. */
export const SETTING_HELP: Readonly<Record<SettingName, { readonly value: string; readonly text: string }>> = {
  port: { value: '<port>', text: 'listener port of the data plane and (unless --admin-port) the management API; 0 picks a free one' },
  host: { value: '<address>', text: 'interface to bind (0.0.0.0 for every interface)' },
  dataDir: { value: '<dir>', text: 'where the embedded SQLite store, the OIDC issuer keys and server.json (the running server\'s URL) live' },
  responseFormat: { value: 'aws|envelope', text: 'the management API\'s response format: AWS\'s wire format, or {"success":...,"data":...}' },
  region: { value: '<region>', text: 'region of unsigned management requests (signed ones act in their signature\'s region)' },
  publicUrl: { value: '<origin>', text: 'the origin clients reach the server at (http://localhost:<port> when unset); API endpoints and issuer URLs are built on it' },
  functions: { value: '<name>=<file>#<export>', text: 'a local Lambda handler, e.g. pets=./examples/pets.mjs#handler (export defaults to handler); repeat for more; in --config also {handler, environment, timeout, memorySize}' },
  functionIsolation: { value: 'inprocess|worker', text: 'run handlers in this process (fastest) or in worker threads that are replaced on timeout or crash' },
  functionReload: { value: 'on|off', text: 'serve an edited handler (or a module it imports) on the next invocation, without a restart; off for production' },
  lambdaEndpoint: { value: '<origin>', text: 'Lambda Invoke API for functions not registered locally (AWS, a runtime emulator, LocalStack)' },
  accessLog: { value: 'stdout|stderr|<file>', text: 'where the stages\' access log lines (accessLogSettings) go' },
  store: { value: 'sqlite|<postgres-url>', text: 'the embedded SQLite store in --data-dir, or a postgres:// URL shared by several nodes' },
  config: { value: '<file>', text: 'a JSON or YAML file of these settings by name (port, dataDir, functions, ...); paths in it are relative to the file' },
  credentialsFile: { value: '<file>', text: `access keys the management API requires SigV4 signatures from (JSON or ~/.aws/credentials format); also ${CREDENTIALS_ENV}=AKID:SECRET` },
  adminPort: { value: '<port>', text: 'serve the management API on this port only (0 picks a free one); the main port keeps the data plane' },
  adminHost: { value: '<address>', text: 'interface of the --admin-port listener' },
  headersTimeout: { value: '<ms>', text: 'milliseconds a client has to send a request line and headers (408 after)' },
  requestTimeout: { value: '<ms>', text: 'milliseconds a client has to send a whole request (408 after); at least --headers-timeout' },
  oidcIssuers: { value: '<name>', text: 'create (or load) the built-in OIDC issuer <name> at start-up, for JWT authorizers; repeat for more' },
  strict: { value: '', text: 'refuse (400) configuration AWS accepts but Gatehouse would store without acting on' },
  awsEndpoint: { value: 'aws|<origin>', text: 'where AWS service integrations (SQS, EventBridge, ...) call: aws (the real regional endpoints) or one origin for every service, such as http://localhost:4566' },
  tlsPort: { value: '<port>', text: 'a TLS listener for the data plane (0 picks a free one), with the certificates, truststores and defaultCertificate of the --config file' },
  apiKeys: { value: '<file>', text: 'API keys WebSocket $connect routes with apiKeyRequired accept: one id=value a line, or JSON {"apiKeys":[{"id","value"}]}' },
  redis: { value: '<redis-url>', text: 'Redis shared by the nodes of a cluster: throttling holds for the whole cluster and @connections reaches connections on any node (per node without it)' },
  workers: { value: '<n>|auto', text: 'processes serving the port together (auto = one per core); changes, @connections and (approximately, or exactly with --redis) throttling are shared' },
  logFormat: { value: 'pretty|json|auto', text: 'server log lines: readable, or one JSON object a line; auto = pretty on a terminal, json otherwise' },
  requestLog: { value: 'on|off|auto', text: 'one log line per data-plane request (method, path, route, integration, status, latency, authorizer); auto = on with pretty logs' },
  serverless: { value: '<file>', text: 'serve a Serverless Framework project as it is: its functions, httpApi and websocket events become APIs (reloaded when the file changes)' },
  stage: { value: '<stage>', text: 'the stage of the --serverless project (${opt:stage}, ${sls:stage}); default: provider.stage, else dev' },
  template: { value: '<file>', text: 'serve an AWS SAM or CloudFormation template as it is (YAML or JSON): its functions, HttpApi events and AWS::ApiGatewayV2 resources become APIs (reloaded when the file changes)' },
  cdk: { value: '<dir>', text: 'serve a synthesized CDK app as it is: the stacks of the cloud assembly (cdk.out: manifest.json, templates, asset folders) become APIs and local functions (reloaded when manifest.json changes)' },
  parameterOverrides: { value: '<Name=Value ...>', text: 'values of the --template parameters (with --cdk: of the stacks\' CfnParameters, each to the stacks that declare it), space separated, as Name=Value (sam deploy) or ParameterKey=Name,ParameterValue=Value (aws cloudformation); others use their Default' },
  stackName: { value: '<name>', text: 'AWS::StackName of the --template (default sam-app; it names functions and derives the ids of the APIs); with --cdk, the stacks to serve, comma separated, by stack name or construct path (default: every stack)' },
  semiSpaceSize: { value: '<MB>', text: 'the size V8\'s young-generation semi-spaces may grow to in this process (best effort): 1, 2, 4, 8 or 16; 0 = V8\'s own (16 on Node 20); exact on Node 20 and 22 (on Node 24 start node with --max-semi-space-size); not applied with --function-isolation worker, or when node itself was given --max-semi-space-size or --semi-space-growth-factor' },
  heapGrowingPercent: { value: '<percent>', text: 'how far V8 lets this process\'s old generation grow past its live size between full collections (at least 8 MB): 1 to 300; 0 = V8\'s own factor (several times the live size); set at start-up (worker threads started later take about 30 ms longer); not applied with --function-isolation worker, or when node itself was given --heap-growing-percent' },
  drainTimeout: { value: '<ms>', text: 'on SIGTERM/SIGINT: milliseconds in-flight requests may run to completion before their connections are cut' },
  metricsToken: { value: '<token>', text: 'bearer token /_gatehouse/metrics requires (16-256 printable characters; prefer the variable to the flag); unset = open' },
  endpointStyle: { value: 'path|host', text: 'apiEndpoint and invoke URLs: path style {publicUrl}/_aws/execute-api/{apiId} (resolves everywhere) or AWS\'s host style {apiId}.execute-api.{host} (needs --public-url with wildcard DNS)' },
};

/** The package's version (package.json two directories above dist/src). */
export function version(): string {
  const pkg = createRequire(import.meta.url)('../../../package.json') as { version: string };
  return pkg.version;
}

/** `gatehouse --help`. */
export const MAIN_HELP = `usage: gatehouse <command> [options]

A self-hosted API gateway that speaks AWS API Gateway V2 (HTTP and WebSocket APIs).

commands:
  serve    serve the management API and the APIs defined through it
  token    mint an access token of a built-in OIDC issuer (for JWT authorizers)
  explain  which route of a stage a request selects, and why (asks the running server)

  gatehouse <command> --help    the options of a command
  gatehouse --version           the version`;

/** `gatehouse serve --help`: every option, its variable, its config-file key and its default. */
export function serveHelp(): string {
  const lines = (Object.entries(SETTINGS) as [SettingName, (typeof SETTINGS)[SettingName]][]).map(([name, s]) => {
    const help = SETTING_HELP[name];
    const head = `  ${s.flag}${help.value ? ` ${help.value}` : ''}`;
    const where = [`env ${s.env}`, ...(name === 'config' ? [] : [`file "${name}"`]), `default ${s.default || 'none'}`].join(' · ');
    return `${head}\n      ${help.text}\n      ${where}`;
  });
  return `usage: gatehouse serve [options]

Serves the AWS API Gateway V2 management API and, on the same port, the APIs defined through it.
Each option can also be set by its environment variable or by its name in the --config file;
a flag wins over the variable, the variable over the file, the file over the default.

options:
${lines.join('\n')}
  ${'(environment only)'}
      ${CREDENTIALS_ENV}=AKID:SECRET[,AKID2:SECRET2]: access keys inline, kept off the command line
  --help
      this text`;
}

/** `gatehouse explain --help`. */
export const EXPLAIN_USAGE = `usage: gatehouse explain <apiId> <stage> "<METHOD> <path>" [options]
       gatehouse explain <apiId> <stage> --message '<message>'

Shows which route of a deployed stage a request selects, the routes considered in AWS's priority
order and why each lost, and the authorizer and integration that would run. <path> is the path
after the stage (/pets/7). On a WebSocket API, explains a message with the route selection expression.

options:
  --header "<name>: <value>"   a request header (repeat for more): checks the authorizer's identity sources
  --message '<text>'           WebSocket APIs: the message to route
  --json                       print the server's JSON answer
  --region <region>            the region the API lives in (default: the server's --region, or the signature's)
  --url <url>                  the running server; default: ${URL_ENV}, else the admin or main URL in
                               <data-dir>/${SERVER_FILE} (written by gatehouse serve)
  --data-dir <dir>             the server's data directory; default: ${SETTINGS.dataDir.env} or ${SETTINGS.dataDir.default}
  --help                       this text

With AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY set (a key of the server's --credentials), the
request is signed; AWS_REGION chooses the signature's region (default us-east-1).`;
