/**
 * AWS_IAM authorization of HTTP API routes (SPEC §E.7): the request must carry a SigV4 signature
 * (header or presigned query) for service `execute-api` in the gateway's region, made with one of
 * the configured access keys, whose policies (if it has any) must allow `execute-api:Invoke` on
 * the route ARN `arn:aws:execute-api:{region}:{account}:{apiId}/{stage}/{METHOD}/{path}`.
 * Unsigned, badly signed, unknown-key and denied requests get 403 `{"message":"Forbidden"}`, as
 * HTTP APIs answer a signed caller without the permission (aws/aws-cdk#21182); the reason (for a
 * denial, IAM's "User: ... is not authorized to perform: ..." sentence) goes to
 * `$context.authorizer.error` and the log.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-access-control-iam.html
 */
import type { TLSSocket } from 'node:tls';
import type { IamDirectory } from '../../auth/iam-callers.js';
import { authorizeCaller, executeApiDenial } from '../../auth/iam-callers.js';
import { headersFromRaw, verifyRequest } from '../../auth/sigv4.js';
import { accountOfAccessKey } from '../../model/account-region.js';
import { forbidden, internalServerError } from '../errors.js';
import { readBody } from '../integrations/body.js';
import type { AuthorizerResult, CompiledAuthorizer, Invocation } from '../invocation.js';
import { routeArnOf } from './lambda.js';

/** The signing name of API Gateway's data plane. */
export const EXECUTE_API_SERVICE = 'execute-api';

const INVOKE = 'execute-api:Invoke';

/** What IAM authorization needs; without `credentials` or `verify` every request fails (500). */
export interface IamAuthorizerDeps {
  /** The secret of an access key id, or undefined when the key is unknown. */
  readonly credentials?: (accessKeyId: string) => string | undefined;
  /** The configured keys with their callers and policies; takes precedence over `credentials`. */
  readonly directory?: IamDirectory;
  /** Replaces the built-in check (an IAM policy engine, an external verifier). */
  readonly verify?: (inv: Invocation) => Promise<AuthorizerResult>;
  /** Epoch ms; tests fix the signature clock. */
  readonly clock?: () => number;
}

/** Compiles the AWS_IAM check of a route. */
export function compileIamAuthorizer(deps: IamAuthorizerDeps): CompiledAuthorizer {
  if (deps.verify) return { authorize: deps.verify };
  const directory = deps.directory;
  const lookup = directory ? (id: string) => directory.secretOf(id) : deps.credentials;
  if (!lookup) {
    return { authorize: () => Promise.reject(internalServerError('AWS_IAM authorization needs configured credentials', 'AUTHORIZER_FAILURE')) };
  }
  const now = deps.clock ?? Date.now;
  return {
    async authorize(inv: Invocation): Promise<AuthorizerResult> {
      const body = await readBody(inv);
      // The client signed the path and host it sent (custom domains and path-style addressing included).
      const url = inv.incoming.url ?? `${inv.request.path}${inv.request.rawQueryString ? `?${inv.request.rawQueryString}` : ''}`;
      const q = url.indexOf('?');
      const outcome = verifyRequest(
        {
          method: inv.request.method,
          rawPath: q === -1 ? url : url.slice(0, q),
          rawQuery: q === -1 ? '' : url.slice(q + 1),
          headers: headersFromRaw(inv.request.rawHeaders),
          body,
        },
        // Clients sign for the region the API lives in.
        { service: EXECUTE_API_SERVICE, region: inv.stage?.region ?? '', lookup, now: new Date(now()) },
      );
      if (!outcome.ok) throw forbidden({}, `${outcome.code}: ${outcome.message}`);
      const caller = directory?.callerOf(outcome.accessKeyId);
      if (caller) {
        const resource = routeArnOf(inv);
        const facts = { sourceIp: inv.request.sourceIp, secure: (inv.incoming.socket as Partial<TLSSocket> | null)?.encrypted === true, now: now(), region: inv.stage?.region ?? '' };
        const decision = authorizeCaller(caller, INVOKE, resource, facts);
        if (decision !== 'allow') throw forbidden({}, executeApiDenial(caller, INVOKE, resource, decision));
      }
      const accountId = caller?.accountId ?? accountOfAccessKey(outcome.accessKeyId);
      return {
        iam: {
          accessKey: outcome.accessKeyId,
          accountId,
          callerId: outcome.accessKeyId,
          cognitoIdentity: null,
          principalOrgId: null,
          userArn: caller?.userArn ?? `arn:aws:iam::${accountId}:user/${outcome.accessKeyId}`,
          userId: outcome.accessKeyId,
        },
      };
    },
  };
}
