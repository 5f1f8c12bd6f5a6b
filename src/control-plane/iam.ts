/**
 * IAM on the management API, when credentials are configured: the signer's policies must allow
 * the operation's action on its resource, as API Gateway V2's service authorization reference
 * lists them (list_apigatewayv2): `apigateway:{HTTP method}` on
 * `arn:aws:apigateway:{region}::{path without /v2}` (e.g. `apigateway:POST` on
 * `arn:aws:apigateway:eu-west-3::/apis`, quoted in Open-SL/serverless-permission-generator#12),
 * and the routing rules' own actions (`apigateway:CreateRoutingRule`, ..., PutRoutingRule is
 * `apigateway:UpdateRoutingRule`) on `arn:aws:apigateway:{region}:{account}:/domainnames/{domain}/routingrules/{id}`.
 * Denied: 403 AccessDeniedException with IAM's sentence (mattclay/aws-terminator#284:
 * "... because no identity-based policy allows the apigateway:PUT action").
 * TODO(parity): the secondary actions some operations also need (iam:PassRole,
 * apigateway:AddCertificateToDomain, ...) are not evaluated.
 */
import type { IncomingMessage } from 'node:http';
import type { IamDirectory } from '../auth/iam-callers.js';
import { authorizeCaller, managementDenial, requestFacts } from '../auth/iam-callers.js';
import type { AccountRegion } from '../model/account-region.js';
import { AccessDeniedException } from './errors.js';

const ROUTING_RULE_ACTIONS: Readonly<Record<string, string>> = {
  CreateRoutingRule: 'apigateway:CreateRoutingRule',
  GetRoutingRule: 'apigateway:GetRoutingRule',
  ListRoutingRules: 'apigateway:ListRoutingRules',
  PutRoutingRule: 'apigateway:UpdateRoutingRule',
  DeleteRoutingRule: 'apigateway:DeleteRoutingRule',
};

/** The IAM action and resource ARN an operation is authorized as. */
export function managementPermission(operation: string, method: string, rawPath: string, where: AccountRegion): { action: string; resource: string } {
  const path = rawPath.replace(/^\/v2(?=\/)/, '');
  const ruleAction = ROUTING_RULE_ACTIONS[operation];
  if (ruleAction) {
    // Create and List act on no rule yet: AWS's own example policies grant them on `.../routingrules/*`.
    const resource = /\/routingrules\/[^/]+$/.test(path) ? path : `${path.replace(/\/$/, '')}/*`;
    return { action: ruleAction, resource: `arn:aws:apigateway:${where.region}:${where.accountId}:${resource}` };
  }
  return { action: `apigateway:${method.toUpperCase()}`, resource: `arn:aws:apigateway:${where.region}::${path}` };
}

/** Throws AccessDeniedException unless the signer may run `operation`; keys without policies always may. */
export function authorizeManagement(
  directory: IamDirectory,
  accessKeyId: string,
  operation: string,
  req: IncomingMessage,
  rawPath: string,
  where: AccountRegion,
  now: number,
): void {
  const caller = directory.callerOf(accessKeyId);
  if (!caller) return;
  const { action, resource } = managementPermission(operation, req.method ?? 'GET', rawPath, where);
  const decision = authorizeCaller(caller, action, resource, requestFacts(req, now, where.region));
  if (decision !== 'allow') throw new AccessDeniedException(managementDenial(caller, action, resource, decision));
}
