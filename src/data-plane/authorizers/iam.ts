/**
 * AWS_IAM authorization of HTTP API routes (SPEC §E.7): the request must carry a SigV4 signature
 * (header or presigned query) for service `execute-api` in the gateway's region, made with one of
 * the configured access keys. Unsigned, badly signed or unknown-key requests get 403
 * `{"message":"Forbidden"}`; the reason goes to `$context.authorizer.error`.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-access-control-iam.html
 */
import { headersFromRaw, verifyRequest } from '../../auth/sigv4.js';
import { accountOfAccessKey } from '../../model/account-region.js';
import { forbidden, internalServerError } from '../errors.js';
import { readBody } from '../integrations/body.js';
import type { AuthorizerResult, CompiledAuthorizer, Invocation } from '../invocation.js';

/** The signing name of API Gateway's data plane. */
export const EXECUTE_API_SERVICE = 'execute-api';

/** What IAM authorization needs; without `credentials` or `verify` every request fails (500). */
export interface IamAuthorizerDeps {
  /** The secret of an access key id, or undefined when the key is unknown. */
  readonly credentials?: (accessKeyId: string) => string | undefined;
  /** Replaces the built-in check (an IAM policy engine, an external verifier). */
  readonly verify?: (inv: Invocation) => Promise<AuthorizerResult>;
  /** Epoch ms; tests fix the signature clock. */
  readonly clock?: () => number;
}

/** Compiles the AWS_IAM check of a route. */
export function compileIamAuthorizer(deps: IamAuthorizerDeps): CompiledAuthorizer {
  if (deps.verify) return { authorize: deps.verify };
  const lookup = deps.credentials;
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
      // TODO(parity): IAM policies (execute-api:Invoke on the route ARN) are not evaluated; every configured key may call.
      const accountId = accountOfAccessKey(outcome.accessKeyId);
      return {
        iam: {
          accessKey: outcome.accessKeyId,
          accountId,
          callerId: outcome.accessKeyId,
          cognitoIdentity: null,
          principalOrgId: null,
          userArn: `arn:aws:iam::${accountId}:user/${outcome.accessKeyId}`,
          userId: outcome.accessKeyId,
        },
      };
    },
  };
}
