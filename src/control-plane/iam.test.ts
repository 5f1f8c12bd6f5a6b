import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { managementPermission } from './iam.js';

const WHERE = { accountId: '111122223333', region: 'eu-west-1' };

// The operation -> action table of the Service Authorization Reference (list_apigatewayv2) and the
// resource ARNs it names: arn:aws:apigateway:{region}::/apis/{apiId}/..., routing rules with the account.
describe('managementPermission', () => {
  const cases: [string, string, string, string, string][] = [
    ['GetApis', 'GET', '/v2/apis', 'apigateway:GET', 'arn:aws:apigateway:eu-west-1::/apis'],
    ['CreateApi', 'POST', '/v2/apis', 'apigateway:POST', 'arn:aws:apigateway:eu-west-1::/apis'],
    ['UpdateRoute', 'PATCH', '/v2/apis/abc/routes/r1', 'apigateway:PATCH', 'arn:aws:apigateway:eu-west-1::/apis/abc/routes/r1'],
    ['DeleteStage', 'DELETE', '/v2/apis/abc/stages/prod', 'apigateway:DELETE', 'arn:aws:apigateway:eu-west-1::/apis/abc/stages/prod'],
    ['ReimportApi', 'PUT', '/v2/apis/abc', 'apigateway:PUT', 'arn:aws:apigateway:eu-west-1::/apis/abc'],
    ['TagResource', 'POST', '/v2/tags/arn%3Aaws%3Aapigateway%3Aeu-west-1%3A%3A%2Fapis%2Fabc', 'apigateway:POST', 'arn:aws:apigateway:eu-west-1::/tags/arn%3Aaws%3Aapigateway%3Aeu-west-1%3A%3A%2Fapis%2Fabc'],
    ['CreateRoutingRule', 'POST', '/v2/domainnames/api.example.com/routingrules', 'apigateway:CreateRoutingRule', 'arn:aws:apigateway:eu-west-1:111122223333:/domainnames/api.example.com/routingrules/*'],
    ['ListRoutingRules', 'GET', '/v2/domainnames/api.example.com/routingrules', 'apigateway:ListRoutingRules', 'arn:aws:apigateway:eu-west-1:111122223333:/domainnames/api.example.com/routingrules/*'],
    ['PutRoutingRule', 'PUT', '/v2/domainnames/api.example.com/routingrules/abc123', 'apigateway:UpdateRoutingRule', 'arn:aws:apigateway:eu-west-1:111122223333:/domainnames/api.example.com/routingrules/abc123'],
    ['DeleteRoutingRule', 'DELETE', '/v2/domainnames/api.example.com/routingrules/abc123', 'apigateway:DeleteRoutingRule', 'arn:aws:apigateway:eu-west-1:111122223333:/domainnames/api.example.com/routingrules/abc123'],
  ];
  for (const [operation, method, path, action, resource] of cases) {
    it(`${operation}: ${action} on ${resource}`, () => {
      assert.deepEqual(managementPermission(operation, method, path, WHERE), { action, resource });
    });
  }
});
