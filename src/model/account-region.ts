/**
 * Every resource lives in one AWS account and region, as on AWS: the region comes from the
 * request's SigV4 credential scope, the account from a 12-digit access key id (the convention of
 * moto and LocalStack), otherwise the default account. The store keeps a place's top-level
 * resources (APIs, domain names, VPC links) under one scope; API ids stay unique across places,
 * so the data plane finds an API by its id wherever it lives.
 */

/** An AWS account and region: where a resource lives. */
export interface AccountRegion {
  readonly accountId: string;
  readonly region: string;
}

/** The account of callers whose access key id does not name one (and of unsigned requests). */
export const DEFAULT_ACCOUNT_ID = '000000000000';

/** An AWS region name as credential scopes and ARNs carry it (`us-east-1`, `ap-southeast-12`). */
export const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;

const ACCOUNT_ID = /^\d{12}$/;
const SCOPE = /^(\d{12}):([a-z0-9-]+)$/;

/** The account an access key id stands for: the id itself when it is 12 digits, else the default account. */
export function accountOfAccessKey(accessKeyId: string | undefined): string {
  return accessKeyId !== undefined && ACCOUNT_ID.test(accessKeyId) ? accessKeyId : DEFAULT_ACCOUNT_ID;
}

/** The store scope of a place's top-level resources: `{accountId}:{region}`. */
export function accountRegionScope(where: AccountRegion): string {
  return `${where.accountId}:${where.region}`;
}

/** The place a top-level scope names, or undefined for any other scope (an API id, a domain's scope). */
export function accountRegionOfScope(scope: string): AccountRegion | undefined {
  const m = SCOPE.exec(scope);
  return m ? { accountId: m[1] as string, region: m[2] as string } : undefined;
}

/** The store scope of a custom domain name's API mappings and routing rules. */
export function domainNameScope(where: AccountRegion, domainName: string): string {
  return `domainnames/${accountRegionScope(where)}/${domainName}`;
}

/**
 * How API mappings and routing rules name the stage they serve, `{apiId}/{stageName}`: kept on
 * those records (never rendered) so a delete can be refused in one store check while they point at it.
 */
export function apiStageRef(apiId: string, stageName: string): string {
  return `${apiId}/${stageName}`;
}
