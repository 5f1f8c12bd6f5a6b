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

/** The domain names and their mappings, longest key first; swapped whole on change. */
export class CustomDomains {
  readonly #store: Store;
  #domains = new Map<string, readonly Mapping[]>();

  constructor(store: Store) {
    this.#store = store;
  }

  /**
   * Reloads every domain name of every account and region, with its API mappings. A name created
   * in several places is served by the first created (DNS would point it at one of them).
   */
  async load(): Promise<void> {
    const domains = await this.#store.listEveryScope<DomainNameRecord>('domainName');
    const next = new Map<string, readonly Mapping[]>();
    for (const domain of domains) {
      const place = accountRegionOfScope(domain.scope);
      if (!place || next.has(domain.id.toLowerCase())) continue;
      const mappings = await this.#store.listAll<ApiMappingRecord>('apiMapping', domainNameScope(place, domain.id));
      next.set(
        domain.id.toLowerCase(),
        mappings.map((m) => ({ key: m.data.apiMappingKey, apiId: m.data.apiId, stage: m.data.stage })).sort((a, b) => b.key.length - a.key.length),
      );
    }
    this.#domains = next;
  }

  #mappingsFor(host: string | undefined): readonly Mapping[] | undefined {
    if (!host || this.#domains.size === 0) return undefined;
    const name = (host.startsWith('[') ? host : (host.split(':')[0] as string)).toLowerCase();
    const exact = this.#domains.get(name);
    if (exact) return exact;
    const dot = name.indexOf('.');
    return dot === -1 ? undefined : this.#domains.get(`*${name.slice(dot)}`);
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
