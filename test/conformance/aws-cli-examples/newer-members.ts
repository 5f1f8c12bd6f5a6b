/**
 * Output members AWS added to API Gateway V2 after most of the CLI examples were recorded (2018-2020).
 * Today's AWS returns them, so a recording that predates a member cannot show it; an extra member of
 * ours is tolerated (and reported) only if it is listed here, the recording is older than the member,
 * and our value is the default AWS fills in. Nothing else is tolerated.
 */

interface NewerMember {
  /** When AWS started returning the member. */
  readonly since: string;
  /** The value AWS returns when the caller did not set it. */
  readonly isDefault: (value: unknown, parent: Record<string, unknown>) => boolean;
  readonly evidence: string;
}

const NEWER_MEMBERS: Record<string, NewerMember> = {
  DisableExecuteApiEndpoint: {
    since: '2020-09-01',
    isDefault: (v) => v === false,
    evidence: 'hashicorp/terraform-provider-aws#15250 (2020-09-23, adds disable_execute_api_endpoint to aws_apigatewayv2_api)',
  },
  IpAddressType: {
    since: '2025-03-01',
    isDefault: (v) => v === 'ipv4',
    evidence: 'https://aws.amazon.com/about-aws/whats-new/2025/03/api-gateway-dual-stack-ipv4-ipv6-endpoints/ (via hashicorp/terraform-provider-aws#42069, 2025-04-01)',
  },
  RoutingMode: {
    since: '2025-06-01',
    isDefault: (v) => v === 'API_MAPPING_ONLY',
    evidence: 'routing rules launch, https://docs.aws.amazon.com/apigateway/latest/developerguide/rest-api-routing-rules.html (shared/reference/TRAPS.md #16)',
  },
  DomainNameArn: {
    since: '2025-06-01',
    isDefault: (v, parent) => typeof v === 'string' && /^arn:aws:apigateway:[a-z0-9-]+::\/domainnames\/(.+)$/.exec(v)?.[1] === parent.DomainName,
    evidence: 'same model change as RoutingMode; getmoto/moto#9355 (2025-10, "Add support for domainNameArn")',
  },
};

/** True when `member` (with `value`, inside `parent`) is one AWS added after a recording made at `recordedAt`, with its default value. */
export function toleratedNewerMember(member: string, value: unknown, parent: Record<string, unknown>, recordedAt: Date | undefined): boolean {
  const newer = NEWER_MEMBERS[member];
  if (!newer) return false;
  // Undated recordings of this directory are the 2020 batch; the only later ones (routing rules, 2025) return none of these members.
  if (recordedAt !== undefined && recordedAt >= new Date(newer.since)) return false;
  return newer.isDefault(value, parent);
}

/** The evidence line of a tolerated member, for reports. */
export function newerMemberEvidence(member: string): string {
  return NEWER_MEMBERS[member]?.evidence ?? '';
}
