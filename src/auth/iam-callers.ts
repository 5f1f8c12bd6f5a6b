/**
 * The callers behind the configured access keys (`--credentials`): who they are (account, user
 * ARN) and what their policies let them do, with AWS's words when they may not.
 *
 * A key configured without `policies` is unrestricted, as Gatehouse has always treated configured
 * keys and as AWS treats an account's root user; give a key `policies` to restrict it.
 */
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { accountOfAccessKey } from '../model/account-region.js';
import type { IamDecision, IamPolicy, RequestContext } from './iam-policy.js';
import { evaluateIamPolicies } from './iam-policy.js';

/** A configured access key, as config.ts reads it from the credentials file. */
export interface IamKey {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** IAM user name in the caller's ARN; default: the access key id. */
  readonly userName?: string;
  /** Identity-based policies; absent = unrestricted. */
  readonly policies?: readonly IamPolicy[];
}

/** Who signed a request. */
export interface IamCaller {
  readonly accessKeyId: string;
  readonly accountId: string;
  readonly userName: string;
  /** `arn:aws:iam::{account}:user/{userName}`. */
  readonly userArn: string;
  readonly policies: readonly IamPolicy[] | undefined;
}

/** Secrets and callers by access key id. */
export interface IamDirectory {
  secretOf(accessKeyId: string): string | undefined;
  callerOf(accessKeyId: string): IamCaller | undefined;
}

/** Builds the directory of the configured keys. */
export function createIamDirectory(keys: readonly IamKey[]): IamDirectory {
  const byId = new Map<string, { secret: string; caller: IamCaller }>();
  for (const key of keys) {
    const accountId = accountOfAccessKey(key.accessKeyId);
    const userName = key.userName ?? key.accessKeyId;
    byId.set(key.accessKeyId, {
      secret: key.secretAccessKey,
      caller: Object.freeze({ accessKeyId: key.accessKeyId, accountId, userName, userArn: `arn:aws:iam::${accountId}:user/${userName}`, policies: key.policies }),
    });
  }
  return {
    secretOf: (id) => byId.get(id)?.secret,
    callerOf: (id) => byId.get(id)?.caller,
  };
}

/** What the request context's global condition keys are made of. */
export interface RequestFacts {
  readonly sourceIp: string;
  /** The request arrived over TLS. */
  readonly secure: boolean;
  /** Epoch ms. */
  readonly now: number;
  readonly userAgent?: string;
  /** The region the request is for. */
  readonly region?: string;
}

/** The global condition keys IAM sets for a request by an IAM user (lower-cased names). */
export function requestContext(caller: IamCaller, facts: RequestFacts): RequestContext {
  return {
    'aws:sourceip': facts.sourceIp,
    'aws:securetransport': facts.secure ? 'true' : 'false',
    'aws:currenttime': new Date(facts.now).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    'aws:epochtime': String(Math.floor(facts.now / 1000)),
    'aws:principalarn': caller.userArn,
    'aws:principalaccount': caller.accountId,
    'aws:principaltype': 'User',
    'aws:userid': caller.accessKeyId,
    'aws:username': caller.userName,
    ...(facts.userAgent !== undefined ? { 'aws:useragent': facts.userAgent } : {}),
    ...(facts.region !== undefined ? { 'aws:requestedregion': facts.region } : {}),
  };
}

/** The facts of a request its condition keys read: the client's address (IPv4 unmapped), TLS, the user agent. */
export function requestFacts(req: IncomingMessage, now: number, region: string): RequestFacts {
  const remote = req.socket.remoteAddress ?? '';
  const userAgent = req.headers['user-agent'];
  return {
    sourceIp: remote.startsWith('::ffff:') ? remote.slice(7) : remote,
    secure: (req.socket as Partial<TLSSocket> | null)?.encrypted === true,
    now,
    region,
    ...(typeof userAgent === 'string' ? { userAgent } : {}),
  };
}

/** Whether the caller may perform `action` on `resource`; a caller without policies always may. */
export function authorizeCaller(caller: IamCaller, action: string, resource: string, facts: RequestFacts): IamDecision {
  if (caller.policies === undefined) return 'allow';
  return evaluateIamPolicies(caller.policies, { action, resource, context: requestContext(caller, facts) }).decision;
}

/** `arn:aws:execute-api:us-east-1:********9012:...`: execute-api shows only the account's last four digits. */
export function maskAccount(arn: string): string {
  return arn.replace(/^(arn:[^:]*:[^:]*:[^:]*:)(\d{8})(\d{4}):/, (_m, head: string, _hidden: string, last: string) => `${head}********${last}:`);
}

/**
 * The data plane's denial (execute-api), as the Knowledge Center lists it: "User: <user-arn> is not
 * authorized to perform: execute-api:Invoke on resource: <api-resource-arn>[ with an explicit deny]".
 */
export function executeApiDenial(caller: IamCaller, action: string, resource: string, decision: IamDecision): string {
  return `User: ${caller.userArn} is not authorized to perform: ${action} on resource: ${maskAccount(resource)}${decision === 'explicit-deny' ? ' with an explicit deny' : ''}`;
}

/** The management API's denial, in IAM's current wording (the policy type and reason at the end). */
export function managementDenial(caller: IamCaller, action: string, resource: string, decision: IamDecision): string {
  const why = decision === 'explicit-deny' ? 'with an explicit deny in an identity-based policy' : `because no identity-based policy allows the ${action} action`;
  return `User: ${caller.userArn} is not authorized to perform: ${action} on resource: ${resource} ${why}`;
}
