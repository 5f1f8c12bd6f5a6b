/**
 * Who a management request acts for: the account and region every resource it names lives in.
 * The region is the SigV4 credential scope's (clients configured for eu-west-1 see eu-west-1's
 * resources), or `--region` for unsigned requests; the account is a 12-digit access key id, or
 * the default account. Signatures are verified elsewhere, and only when credentials are configured.
 */
import type { IncomingMessage } from 'node:http';
import type { AccountRegion } from '../model/account-region.js';
import { accountOfAccessKey, REGION } from '../model/account-region.js';

/** `Credential={akid}/{yyyymmdd}/{region}/{service}/aws4_request` (header) or its query form. */
const CREDENTIAL = /^([^/\s,]+)\/\d{8}\/([^/\s,]+)\/[^/\s,]+\/aws4_request$/;

function credentialOf(req: IncomingMessage, query: URLSearchParams): string | undefined {
  const authorization = req.headers.authorization;
  if (typeof authorization === 'string') {
    const m = /Credential=([^,\s]+)/.exec(authorization);
    if (m) return m[1];
  }
  return query.get('X-Amz-Credential') ?? undefined;
}

/** The caller of a request; `signer` is the verified signature's key and region, when one was verified. */
export function callerOf(
  req: IncomingMessage,
  query: URLSearchParams,
  defaultRegion: string,
  signer?: { readonly accessKeyId: string; readonly region: string },
): AccountRegion {
  if (signer) return { accountId: accountOfAccessKey(signer.accessKeyId), region: signer.region };
  const credential = credentialOf(req, query);
  const m = credential === undefined ? null : CREDENTIAL.exec(credential);
  if (!m) return { accountId: accountOfAccessKey(undefined), region: defaultRegion };
  const region = m[2] as string;
  return { accountId: accountOfAccessKey(m[1]), region: REGION.test(region) ? region : defaultRegion };
}
