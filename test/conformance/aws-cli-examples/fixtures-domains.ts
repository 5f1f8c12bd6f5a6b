/**
 * Prerequisites of the examples about custom domain names, API mappings, routing rules and VPC links.
 */
import type { ExampleSpec, Setup } from './kit.js';
import { apiMapping, domainName, httpApi, networkIds, routingRule, stage, vpcLink } from './kit.js';

/** The API `abcd1234` with a stage `prod`, which the routing-rule examples invoke. */
async function petStore(s: Setup): Promise<string> {
  const api = await httpApi(s, 'abcd1234');
  await stage(s, api, 'prod');
  return api;
}

/** Example file name (without `.rst`) -> how to run it. */
export const DOMAIN_EXAMPLES: Record<string, ExampleSpec> = {
  'create-api-mapping': {
    setup: async (s) => {
      await domainName(s, 'regional.example.com');
      await stage(s, await httpApi(s, 'a1b2c3d4'), 'test');
    },
  },
  'create-domain-name': {},
  'create-routing-rule': {
    setup: async (s) => {
      await domainName(s, 'regional.example.com');
      await petStore(s);
    },
  },
  'create-vpc-link': { setup: async (s) => void networkIds(s) },
  'delete-api-mapping': {
    setup: async (s) => {
      await domainName(s, 'api.example.com');
      const api = await httpApi(s, 'a1b2c3d4');
      await stage(s, api, 'test');
      await apiMapping(s, 'api.example.com', api, 'test', 'myApi', 'a1b2c3');
    },
  },
  'delete-domain-name': { setup: (s) => domainName(s, 'api.example.com') },
  'delete-routing-rule': {
    setup: async (s) => {
      await domainName(s, 'regional.example.com');
      await routingRule(s, 'regional.example.com', await petStore(s), 50, 'aaa111');
    },
  },
  'delete-vpc-link': { setup: (s) => vpcLink(s, 'abcd123', 'MyVpcLink') },
  'get-api-mapping': {
    setup: async (s) => {
      await domainName(s, 'api.example.com');
      const api = await httpApi(s, 'a1b2c3d4');
      await stage(s, api, 'test');
      await apiMapping(s, 'api.example.com', api, 'test', 'myTestApi', 'a1b2c3');
    },
  },
  'get-api-mappings': {
    setup: async (s) => {
      await domainName(s, 'api.example.com');
      const test = await httpApi(s, 'a1b2c3d4');
      await stage(s, test, 'test');
      await apiMapping(s, 'api.example.com', test, 'test', 'myTestApi', 'a1b2c3d5');
      const dev = await httpApi(s, 'a5b6c7d8');
      await stage(s, dev, 'dev');
      await apiMapping(s, 'api.example.com', dev, 'dev', 'myDevApi', 'a1b2c3d6');
    },
  },
  'get-domain-name': { setup: (s) => domainName(s, 'api.example.com') },
  'get-domain-names': {
    setup: async (s) => {
      await domainName(s, 'api.example.com');
      await domainName(s, 'newApi.example.com');
    },
  },
  'get-routing-rule': {
    setup: async (s) => {
      await domainName(s, 'regional.example.com');
      await routingRule(s, 'regional.example.com', await petStore(s), 50, 'aaa111');
    },
  },
  'get-vpc-link': { setup: (s) => vpcLink(s, 'abcd123', 'MyVpcLink') },
  'get-vpc-links': {
    setup: async (s) => {
      await vpcLink(s, 'abcd123', 'MyVpcLink');
      await vpcLink(s, 'abcd456', 'MyOtherVpcLink');
    },
  },
  'list-routing-rules': {
    setup: async (s) => {
      await domainName(s, 'regional.example.com');
      await routingRule(s, 'regional.example.com', await petStore(s), 150, 'aaa111');
    },
  },
  'put-routing-rule': {
    setup: async (s) => {
      await domainName(s, 'regional.example.com');
      await routingRule(s, 'regional.example.com', await petStore(s), 50, 'aaa111');
    },
    addArgs: {
      command: 1,
      args: ['--routing-rule-id', 'aaa111'],
      why: 'the example leaves out --routing-rule-id, which PutRoutingRule requires (aws refuses the command before sending it); its output names the rule aaa111',
    },
  },
  'update-api-mapping': {
    setup: async (s) => {
      await domainName(s, 'api.example.com');
      const api = await httpApi(s, 'a1b2c3d4');
      await stage(s, api, 'test');
      await stage(s, api, 'dev');
      await apiMapping(s, 'api.example.com', api, 'test', 'myApi', '0qzs2sy7bh');
    },
  },
  'update-domain-name': {
    // "specifies a new ACM certificate": the domain had another one.
    setup: (s) => domainName(s, 'api.example.com', 'arn:aws:acm:us-west-2:123456789012:certificate/abcdef12-3456-7890-abcd-ef1234567890'),
    errata: [{
      command: 1,
      path: 'DomainName',
      recorded: 'regional.example.com',
      corrected: 'api.example.com',
      why: 'the command and the text update api.example.com; the recorded output is that of another domain name (create-domain-name.rst)',
    }],
  },
  'update-vpc-link': { setup: (s) => vpcLink(s, 'abcd123', 'MyVpcLink') },
};
