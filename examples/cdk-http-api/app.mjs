// A CDK app of an HTTP API and a WebSocket API of Lambda functions, as one deploys it to AWS with
// `cdk deploy --app "node app.mjs"`. Run locally, unchanged, from the repository root:
//   node examples/cdk-http-api/app.mjs && npx gatehouse-gateway serve --cdk examples/cdk-http-api/cdk.out --oidc-issuer cdk
// `node app.mjs` synthesizes the cloud assembly (templates and asset folders) into ./cdk.out, or into
// $CDK_OUTDIR as the CDK CLI sets it; synthesis needs no AWS account and no network.
import { fileURLToPath } from 'node:url';
import { App, CfnOutput, Duration, Stack } from 'aws-cdk-lib';
import { CorsHttpMethod, HttpApi, HttpMethod, WebSocketApi, WebSocketStage } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration, WebSocketLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';

const here = (path) => fileURLToPath(new URL(path, import.meta.url));

// Gatehouse's built-in OIDC issuer (gatehouse serve --oidc-issuer cdk); on AWS, your Cognito user
// pool or any OIDC provider. On another port, synthesize with GATEHOUSE_PORT set to it.
const issuer = `http://localhost:${process.env.GATEHOUSE_PORT ?? '4580'}/_gatehouse/oidc/cdk`;

const app = new App({ outdir: process.env.CDK_OUTDIR ?? here('./cdk.out') });
const stack = new Stack(app, 'CdkHttpApi');

const code = Code.fromAsset(here('./lambda'));
const fn = (id, handler, environment = {}) =>
  new LambdaFunction(stack, id, { runtime: Runtime.NODEJS_22_X, code, handler, timeout: Duration.seconds(10), environment });

const hello = fn('Hello', 'http.hello', { GREETING: 'hello from CDK' });
const whoami = fn('WhoAmI', 'http.whoami');
const chat = fn('ChatHandler', 'websocket.handler');

const http = new HttpApi(stack, 'Api', {
  apiName: 'cdk-http-api',
  corsPreflight: { allowOrigins: ['*'], allowMethods: [CorsHttpMethod.GET, CorsHttpMethod.POST], allowHeaders: ['authorization', 'content-type'] },
});
http.addRoutes({ path: '/hello', methods: [HttpMethod.GET], integration: new HttpLambdaIntegration('HelloIntegration', hello) });
http.addRoutes({
  path: '/me',
  methods: [HttpMethod.GET],
  integration: new HttpLambdaIntegration('WhoAmIIntegration', whoami),
  authorizer: new HttpJwtAuthorizer('Jwt', issuer, { jwtAudience: ['cdk-api'] }),
});

const ws = new WebSocketApi(stack, 'Chat', {
  apiName: 'cdk-chat',
  connectRouteOptions: { integration: new WebSocketLambdaIntegration('ConnectIntegration', chat) },
  defaultRouteOptions: { integration: new WebSocketLambdaIntegration('DefaultIntegration', chat), returnResponse: true },
});
ws.addRoute('ping', { integration: new WebSocketLambdaIntegration('PingIntegration', chat), returnResponse: true });
new WebSocketStage(stack, 'ChatStage', { webSocketApi: ws, stageName: 'dev', autoDeploy: true });

new CfnOutput(stack, 'HttpApiUrl', { value: http.apiEndpoint });
new CfnOutput(stack, 'WebSocketUrl', { value: ws.apiEndpoint });

app.synth();
