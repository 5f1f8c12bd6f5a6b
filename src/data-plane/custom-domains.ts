/**
 * Custom domain names on the data plane: the request's Host selects a domain name; the API
 * mapping with the longest matching base path selects the API and stage; the mapping key is
 * stripped before route matching (no stage segment on custom domains).
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-mappings.html
 * TODO(parity): routing rules (routingMode ROUTING_RULE_*) are stored but not applied here.
 */
import type { ApiMappingRecord, DomainNameRecord } from '../model/resources.js';
import { accountRegionOfScope, domainNameScope } from '../model/account-region.js';
import type { Store } from '../store/store.js';

/** Where a custom-domain request goes. */
export interface DomainTarget {
  readonly apiId: string;
  readonly stageName: string;
  /** The path routes are matched against (mapping key removed). */
  readonly routePath: string;
  /** The mapping key that matched (`$context.customDomain.basePathMatched`); '' for the root mapping. */
  readonly basePathMatched: string;
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

/** The domain names and their mappings, longest key first; swapped whole on change. */
export class CustomDomains {
  readonly #store: Store;
  #domains = new Map<string, readonly Mapping[]>();
  #tls = new Map<string, DomainTls>();
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
   * Reloads every domain name of every account and region, with its API mappings. A name created
   * in several places is served by the first created (DNS would point it at one of them).
   */
  async load(): Promise<void> {
    const domains = await this.#store.listEveryScope<DomainNameRecord>('domainName');
    const next = new Map<string, readonly Mapping[]>();
    const tls = new Map<string, DomainTls>();
    for (const domain of domains) {
      const place = accountRegionOfScope(domain.scope);
      if (!place || next.has(domain.id.toLowerCase())) continue;
      const configuration = domain.data.domainNameConfigurations[0];
      tls.set(domain.id.toLowerCase(), {
        domainName: domain.id.toLowerCase(),
        certificateArn: configuration?.certificateArn,
        securityPolicy: configuration?.securityPolicy ?? 'TLS_1_2',
        truststoreUri: domain.data.mutualTlsAuthentication?.truststoreUri,
      });
      const mappings = await this.#store.listAll<ApiMappingRecord>('apiMapping', domainNameScope(place, domain.id));
      next.set(
        domain.id.toLowerCase(),
        mappings.map((m) => ({ key: m.data.apiMappingKey, apiId: m.data.apiId, stage: m.data.stage })).sort((a, b) => b.key.length - a.key.length),
      );
    }
    this.#domains = next;
    this.#tls = tls;
    for (const listener of this.#listeners) listener();
  }

  /** The entry of `map` for a Host header or server name: the exact name, else its wildcard domain. */
  static #lookup<T>(map: ReadonlyMap<string, T>, host: string | undefined): T | undefined {
    if (!host || map.size === 0) return undefined;
    const name = (host.startsWith('[') ? host : (host.split(':')[0] as string)).toLowerCase();
    const exact = map.get(name);
    if (exact) return exact;
    const dot = name.indexOf('.');
    return dot === -1 ? undefined : map.get(`*${name.slice(dot)}`);
  }

  #mappingsFor(host: string | undefined): readonly Mapping[] | undefined {
    return CustomDomains.#lookup(this.#domains, host);
  }

  /** The TLS settings of the custom domain a Host header or TLS server name (SNI) names. */
  tlsOf(host: string | undefined): DomainTls | undefined {
    return CustomDomains.#lookup(this.#tls, host);
  }

  /** Every custom domain's TLS settings. */
  tlsSettings(): Iterable<DomainTls> {
    return this.#tls.values();
  }

  /** Whether the Host header names a custom domain of this gateway. */
  has(host: string | undefined): boolean {
    return this.#mappingsFor(host) !== undefined;
  }

  /** The API and stage for a request on a custom domain, or undefined when no mapping matches. */
  resolve(host: string | undefined, rawPath: string): DomainTarget | undefined {
    const mappings = this.#mappingsFor(host);
    if (!mappings) return undefined;
    for (const m of mappings) {
      if (m.key === '') return { apiId: m.apiId, stageName: m.stage, routePath: rawPath, basePathMatched: '' };
      const prefix = `/${m.key}`;
      if (rawPath === prefix || rawPath.startsWith(`${prefix}/`)) {
        return { apiId: m.apiId, stageName: m.stage, routePath: rawPath.slice(prefix.length) || '/', basePathMatched: m.key };
      }
    }
    return undefined;
  }
}
