/**
 * One terraform scenario as node:test suites: for each step, write the step's configuration, `apply`, then
 * `plan -detailed-exitcode`, and assert per resource that the apply did not fail on it and that the plan
 * shows no change (every attribute read back equals what was applied); finally `destroy` and check
 * with the SDK that every resource is gone.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ApiGatewayV2Client } from '@aws-sdk/client-apigatewayv2';
import {
  GetApiCommand,
  GetApiMappingCommand,
  GetApisCommand,
  GetAuthorizerCommand,
  GetDeploymentCommand,
  GetDomainNameCommand,
  GetDomainNamesCommand,
  GetIntegrationCommand,
  GetIntegrationResponseCommand,
  GetModelCommand,
  GetRouteCommand,
  GetRouteResponseCommand,
  GetStageCommand,
  GetVpcLinkCommand,
  GetVpcLinksCommand,
} from '@aws-sdk/client-apigatewayv2';
import type { TestServer } from '../../helpers/server.js';
import { startServer } from '../../helpers/server.js';
import type { TfResult } from './harness.js';
import { errorsByResource, fixture, planBlocks, show, terraformSkipReason, Workspace } from './harness.js';

/** A step: for each module (fixture folder), the configuration file it gets. */
export interface Step {
  readonly title: string;
  readonly files: Readonly<Record<string, string>>;
}

/** The resource addresses a module's configuration declares (`resource "type" "name"`). */
export function declaredResources(module: string, config: string): string[] {
  return [...config.matchAll(/^resource\s+"([^"]+)"\s+"([^"]+)"/gm)].map((m) => `module.${module}.${m[1]}.${m[2]}`);
}

type Attrs = Record<string, any>;

/** The SDK read of each resource type, given its state attributes. */
const READ: Record<string, (c: ApiGatewayV2Client, a: Attrs) => Promise<unknown>> = {
  aws_apigatewayv2_api: (c, a) => c.send(new GetApiCommand({ ApiId: a.id })),
  aws_apigatewayv2_api_mapping: (c, a) => c.send(new GetApiMappingCommand({ ApiMappingId: a.id, DomainName: a.domain_name })),
  aws_apigatewayv2_authorizer: (c, a) => c.send(new GetAuthorizerCommand({ ApiId: a.api_id, AuthorizerId: a.id })),
  aws_apigatewayv2_deployment: (c, a) => c.send(new GetDeploymentCommand({ ApiId: a.api_id, DeploymentId: a.id })),
  aws_apigatewayv2_domain_name: (c, a) => c.send(new GetDomainNameCommand({ DomainName: a.id })),
  aws_apigatewayv2_integration: (c, a) => c.send(new GetIntegrationCommand({ ApiId: a.api_id, IntegrationId: a.id })),
  aws_apigatewayv2_integration_response: (c, a) =>
    c.send(new GetIntegrationResponseCommand({ ApiId: a.api_id, IntegrationId: a.integration_id, IntegrationResponseId: a.id })),
  aws_apigatewayv2_model: (c, a) => c.send(new GetModelCommand({ ApiId: a.api_id, ModelId: a.id })),
  aws_apigatewayv2_route: (c, a) => c.send(new GetRouteCommand({ ApiId: a.api_id, RouteId: a.id })),
  aws_apigatewayv2_route_response: (c, a) => c.send(new GetRouteResponseCommand({ ApiId: a.api_id, RouteId: a.route_id, RouteResponseId: a.id })),
  aws_apigatewayv2_stage: (c, a) => c.send(new GetStageCommand({ ApiId: a.api_id, StageName: a.id })),
  aws_apigatewayv2_vpc_link: (c, a) => c.send(new GetVpcLinkCommand({ VpcLinkId: a.id })),
};

/**
 * Why a resource without an apply error still has a diff: the apply's progress lines for it tell an update
 * that went through but does not read back from one terraform never ran (an upstream failure).
 */
function whyNotApplied(apply: TfResult | undefined, address: string, failedAddresses: string[]): string {
  const progress = (apply?.stdout ?? '').split('\n').filter((l) => l.startsWith(`${address}: `));
  if (progress.length) return `(terraform applied it: ${progress.at(-1)!.slice(address.length + 2)}; what Gatehouse returns afterwards differs from what was sent)`;
  if (apply?.code !== 0) {
    const failed = failedAddresses.filter((a) => a !== address).map((a) => a || '(no resource named)');
    return `(terraform did not apply it: it may depend on a resource whose apply failed: ${failed.join(', ')})`;
  }
  return '(terraform did not change it)';
}

/**
 * Registers the suites of a scenario: one terraform working directory whose root calls one module per
 * fixture folder of test/fixtures/terraform/ (module names are the folder names with '-' -> '_'), so a
 * step costs one `apply` and one `plan` whatever the number of resources.
 */
export function terraformScenario(title: string, folders: readonly string[], steps: readonly Step[]): void {
  const skip = terraformSkipReason();
  const moduleOf = (folder: string) => folder.replaceAll('-', '_');
  // Without terraform or the mirror every test is still listed, each skipped with the reason.
  describe(title, () => {
    let server: TestServer;
    let ws: Workspace;
    before(async () => {
      if (skip) return;
      server = await startServer();
      ws = await Workspace.create(server.url, folders.map(moduleOf));
    });
    after(async () => {
      ws?.remove();
      await server?.close();
    });

    steps.forEach((step, i) => {
      const configs = folders.map((f) => ({ folder: f, module: moduleOf(f), config: fixture(f, step.files[f] ?? '') }));
      describe(`step ${i + 1}: ${step.title}`, () => {
        let apply: TfResult | undefined;
        let plan: TfResult | undefined;
        before(async () => {
          if (skip) return;
          for (const c of configs) ws.write(c.module, c.config);
          apply = await ws.apply();
          plan = await ws.plan();
        });

        it('terraform apply succeeds', { skip }, () => {
          assert.equal(apply?.code, 0, show(apply));
        });

        for (const address of configs.flatMap((c) => declaredResources(c.module, c.config))) {
          it(`${address} is applied and reads back as applied (no diff in the next plan)`, { skip }, () => {
            const all = errorsByResource(apply);
            const errors = all.get(address) ?? [];
            const block = planBlocks(plan?.stdout ?? '').get(address) ?? [];
            assert.ok(plan?.code === 0 || plan?.code === 2, `the plan itself failed:\n${show(plan)}`);
            const note = block.length && !errors.length ? whyNotApplied(apply, address, [...all.keys()]) : '';
            const message = [
              errors.length ? `apply failed on ${address}:\n${errors.join('\n')}` : '',
              block.length ? `the plan after the apply wants to change ${address}:\n${block.join('\n')}` : '',
              note,
            ]
              .filter(Boolean)
              .join('\n\n');
            assert.equal(message, '', message);
          });
        }

        it('terraform plan -detailed-exitcode reports no changes (exit 0)', { skip }, () => {
          assert.equal(plan?.code, 0, show(plan));
        });
      });
    });

    describe('destroy', () => {
      let destroy: TfResult | undefined;
      let state = new Map<string, Attrs>();
      before(async () => {
        if (skip) return;
        state = ws.state();
        destroy = await ws.destroy();
      });

      it('terraform destroy succeeds', { skip }, () => {
        assert.equal(destroy?.code, 0, show(destroy));
      });

      it('the SDK finds none of the destroyed resources', { skip }, async () => {
        assert.ok(state.size > 0, 'the state held no resources before destroy');
        const left: string[] = [];
        for (const [address, attrs] of state) {
          const read = READ[address.split('.').at(-2)!];
          assert.ok(read, `no SDK read for ${address}`);
          try {
            await read(server.client, attrs);
            left.push(`${address} (${attrs.id}) still exists`);
          } catch (err) {
            if ((err as Error).name !== 'NotFoundException') left.push(`${address} (${attrs.id}): ${(err as Error).name}: ${(err as Error).message}`);
          }
        }
        const apis = (await server.client.send(new GetApisCommand({}))).Items ?? [];
        if (apis.length) left.push(`GetApis still lists ${apis.map((a) => `${a.Name} (${a.ApiId})`).join(', ')}`);
        const domains = (await server.client.send(new GetDomainNamesCommand({}))).Items ?? [];
        if (domains.length) left.push(`GetDomainNames still lists ${domains.map((d) => d.DomainName).join(', ')}`);
        const links = (await server.client.send(new GetVpcLinksCommand({}))).Items ?? [];
        if (links.length) left.push(`GetVpcLinks still lists ${links.map((l) => `${l.Name} (${l.VpcLinkId})`).join(', ')}`);
        assert.deepEqual(left, [], `${left.join('\n')}\n\n${show(destroy)}`);
      });
    });
  });
}
