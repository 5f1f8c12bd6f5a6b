/**
 * Custom domain names on the data plane: the request's Host selects a domain name, whose
 * `routingMode` says what routes it:
 * - API mappings (`API_MAPPING_ONLY`, the default): the mapping with the longest matching base
 *   path selects the API and stage; the mapping key is stripped before route matching.
 *   https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-mappings.html
 * - routing rules (`ROUTING_RULE_ONLY`, and first in `ROUTING_RULE_THEN_API_MAPPING`), in
 *   priority order, lowest first; the first rule whose conditions all hold invokes its stage.
 *   A request no rule (nor mapping) takes is refused with 403 Forbidden.
 *   https://docs.aws.amazon.com/apigateway/latest/developerguide/rest-api-routing-rules.html and
 *   rest-api-routing-rules-examples.html (Example 3: "API Gateway rejects the call and sends the
 *   caller a 403 Forbidden status code"); set-routing-mode.html (each mode ignores the other's resources).
 * Everything is compiled once per change of domain names, mappings or rules, and swapped whole.
 */
import type { ApiMappingRecord, DomainNameRecord, RoutingRuleRecord } from '../model/resources.js';
import { accountRegionOfScope, domainNameScope } from '../model/account-region.js';
import type { Store } from '../store/store.js';
import { forbidden } from './errors.js';
import type { CompiledRule } from './routing-rules.js';
import { compileRoutingRule, firstMatchingRule } from './routing-rules.js';

/** Where a custom-domain request goes. */
export interface DomainTarget {
  readonly apiId: string;
  readonly stageName: string;
  /** The path routes are matched against (mapping key or stripped base path removed). */
  readonly routePath: string;
  /** The mapping key that matched (`$context.customDomain.basePathMatched`); '' for the root mapping; absent for a rule. */
  readonly basePathMatched?: string;
  /** The routing rule that matched (`$context.customDomain.routingRuleIdMatched`). */
  readonly routingRuleIdMatched?: string;
  /** The base path a rule with `stripBasePath` removed (left out of 2.0 `rawPath`, as an API mapping key is). */
  readonly strippedBasePath?: string;
}

interface Mapping {
  readonly key: string;
  readonly apiId: string;
  readonly stage: string;
}

/** What the TLS listener needs of a custom domain name (its domain name configuration and mutual TLS). */
export interface DomainTls {
  /** The domain name as stored (lower case; `*.example.com` for a wildcard). */
  readonly domainName: string;
  readonly certificateArn: string | undefined;
  readonly securityPolicy: 'TLS_1_0' | 'TLS_1_2';
  /** `mutualTlsAuthentication.truststoreUri`; undefined without mutual TLS. */
  readonly truststoreUri: string | undefined;
}

interface Domain {
  readonly tls: DomainTls;
  readonly useRules: boolean;
  readonly useMappings: boolean;
  /** Longest key first. */
  readonly mappings: readonly Mapping[];
  /** Lowest priority first. */
  readonly rules: readonly CompiledRule[];
}

/** The domain names, their mappings and rules; swapped whole on change. */
export class CustomDomains {
  readonly #store: Store;
  #domains = new Map<string, Domain>();
  readonly #listeners = new Set<() => void>();

  constructor(store: Store) {
    this.#store = store;
  }

  /** Calls `listener` after each reload; returns a function that stops it. */
  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Reloads every domain name of every account and region, with its API mappings and routing
   * rules. A name created in several places is served by the first created (DNS would point it at one of them).
   */
  async load(): Promise<void> {
    const domains = await this.#store.listEveryScope<DomainNameRecord>('domainName');
    const next = new Map<string, Domain>();
    for (const domain of domains) {
      const place = accountRegionOfScope(domain.scope);
      if (!place || next.has(domain.id.toLowerCase())) continue;
      const scope = domainNameScope(place, domain.id);
      const mode = domain.data.routingMode || 'API_MAPPING_ONLY';
      const [mappings, rules] = await Promise.all([
        this.#store.listAll<ApiMappingRecord>('apiMapping', scope),
        mode === 'API_MAPPING_ONLY' ? Promise.resolve([]) : this.#store.listAll<RoutingRuleRecord>('routingRule', scope),
      ]);
      const configuration = domain.data.domainNameConfigurations[0];
      next.set(domain.id.toLowerCase(), {
        tls: {
          domainName: domain.id.toLowerCase(),
          certificateArn: configuration?.certificateArn,
          securityPolicy: configuration?.securityPolicy ?? 'TLS_1_2',
          truststoreUri: domain.data.mutualTlsAuthentication?.truststoreUri,
        },
        useRules: mode !== 'API_MAPPING_ONLY',
        useMappings: mode !== 'ROUTING_RULE_ONLY',
        mappings: mappings.map((m) => ({ key: m.data.apiMappingKey, apiId: m.data.apiId, stage: m.data.stage })).sort((a, b) => b.key.length - a.key.length),
        rules: rules.map((r) => compileRoutingRule(r.data)).sort((a, b) => a.priority - b.priority),
      });
    }
    this.#domains = next;
    for (const listener of this.#listeners) listener();
  }

  #domainFor(host: string | undefined): Domain | undefined {
    if (!host || this.#domains.size === 0) return undefined;
    const name = (host.startsWith('[') ? host : (host.split(':')[0] as string)).toLowerCase();
    const exact = this.#domains.get(name);
    if (exact) return exact;
    const dot = name.indexOf('.');
    return dot === -1 ? undefined : this.#domains.get(`*${name.slice(dot)}`);
  }

  /** The TLS settings of the custom domain a Host header or TLS server name (SNI) names. */
  tlsOf(host: string | undefined): DomainTls | undefined {
    return this.#domainFor(host)?.tls;
  }

  /** Every custom domain's TLS settings. */
  tlsSettings(): Iterable<DomainTls> {
    return [...this.#domains.values()].map((d) => d.tls);
  }

  /** Whether the Host header names a custom domain of this gateway. */
  has(host: string | undefined): boolean {
    return this.#domainFor(host) !== undefined;
  }

  /**
   * The API and stage for a request on a custom domain; undefined when no API mapping matches
   * (404). Throws 403 Forbidden when the domain routes by rules and neither a rule nor a mapping takes the request.
   */
  resolve(host: string | undefined, rawPath: string, rawHeaders: readonly string[] = []): DomainTarget | undefined {
    const domain = this.#domainFor(host);
    if (!domain) return undefined;
    if (domain.useRules) {
      const matched = firstMatchingRule(domain.rules, rawPath, rawHeaders);
      if (matched) return matched;
    }
    if (domain.useMappings) {
      for (const m of domain.mappings) {
        if (m.key === '') return { apiId: m.apiId, stageName: m.stage, routePath: rawPath, basePathMatched: '' };
        const prefix = `/${m.key}`;
        if (rawPath === prefix || rawPath.startsWith(`${prefix}/`)) {
          return { apiId: m.apiId, stageName: m.stage, routePath: rawPath.slice(prefix.length) || '/', basePathMatched: m.key };
        }
      }
    }
    if (domain.useRules) throw forbidden({}, 'no routing rule matches the request' + (domain.useMappings ? ' and no API mapping either' : ''));
    return undefined;
  }
}
