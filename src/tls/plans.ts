/**
 * How the TLS listener handshakes for a server name: a custom domain's certificate (its
 * `certificateArn` in the config's `certificates`, else the default one), its `securityPolicy` as the
 * minimum version, and for mutual TLS its truststore; execute-api hosts and any other name get the
 * default certificate and TLS 1.2+. Each plan is a `tls.Server` used as a handshake engine, built
 * when first needed and kept until its domain, certificate or truststore changes.
 */
import type { Server as TlsServer, TLSSocket } from 'node:tls';
import { createServer as createTlsServer } from 'node:tls';
import type { CustomDomains, DomainTls } from '../data-plane/custom-domains.js';
import type { Logger } from '../logger.js';
import type { TlsMaterial } from './material.js';

/** Receives each connection a plan verified. */
export type SecureConnectionHandler = (socket: TLSSocket, domain: DomainTls | undefined, mutualTls: boolean) => void;

interface Problem {
  readonly level: 'warn' | 'error';
  readonly message: string;
  readonly fields: Record<string, unknown>;
}

/** The handshake engines of one listener. */
export class HandshakePlans {
  readonly #material: TlsMaterial;
  readonly #domains: CustomDomains;
  readonly #logger: Logger;
  readonly #handshakeTimeoutMs: number;
  readonly #onSecure: SecureConnectionHandler;
  readonly #engines = new Map<string, { readonly key: string; readonly engine: TlsServer }>();
  #reported = new Set<string>();

  constructor(material: TlsMaterial, domains: CustomDomains, logger: Logger, handshakeTimeoutMs: number, onSecure: SecureConnectionHandler) {
    this.#material = material;
    this.#domains = domains;
    this.#logger = logger;
    this.#handshakeTimeoutMs = handshakeTimeoutMs;
    this.#onSecure = onSecure;
  }

  /** What keeps a domain from being served as configured; an error refuses its handshakes. */
  #problemsOf(domain: DomainTls): Problem[] {
    const problems: Problem[] = [];
    if (domain.certificateArn && !this.#material.certificate(domain.certificateArn)) {
      problems.push({
        level: 'warn',
        message: "tls: a custom domain's certificate is not configured; it is served the default certificate",
        fields: { domainName: domain.domainName, certificateArn: domain.certificateArn, set: `certificates: {"${domain.certificateArn}": {cert: ./site.pem, key: ./site.key}} in --config` },
      });
    }
    if (domain.truststoreUri && !this.#material.truststore(domain.truststoreUri)) {
      problems.push({
        level: 'error',
        message: 'tls: a mutual TLS domain cannot be served',
        fields: {
          domainName: domain.domainName,
          truststoreUri: domain.truststoreUri,
          reason: 'its truststore is not configured locally: its TLS handshakes are refused',
          set: `truststores: {"${domain.truststoreUri}": ./bundle.pem} in --config`,
        },
      });
    }
    return problems;
  }

  /** Logs each problem of the current domains and files once, and forgets the engines of domains that are gone (after every reload). */
  review(): void {
    const current = new Set<string>();
    const names = new Set<string>();
    for (const domain of this.#domains.tlsSettings()) {
      names.add(domain.domainName);
      for (const problem of this.#problemsOf(domain)) {
        const id = JSON.stringify(problem);
        current.add(id);
        if (!this.#reported.has(id)) this.#logger[problem.level](problem.message, problem.fields);
      }
    }
    this.#reported = current;
    for (const id of this.#engines.keys()) if (id !== '' && !names.has(id)) this.#engines.delete(id);
  }

  /** The engine for a server name (SNI), or undefined when its domain's handshakes are refused. */
  engineFor(serverName: string | undefined): TlsServer | undefined {
    const domain = serverName === undefined ? undefined : this.#domains.tlsOf(serverName);
    if (domain && this.#problemsOf(domain).some((p) => p.level === 'error')) return undefined;
    const certificateArn = domain?.certificateArn && this.#material.certificate(domain.certificateArn) ? domain.certificateArn : undefined;
    const key = JSON.stringify([certificateArn, domain?.securityPolicy, domain?.truststoreUri, this.#material.generation]);
    const id = domain?.domainName ?? '';
    const cached = this.#engines.get(id);
    if (cached?.key === key) return cached.engine;
    const engine = this.#engine(domain, certificateArn);
    this.#engines.set(id, { key, engine });
    return engine;
  }

  #engine(domain: DomainTls | undefined, certificateArn: string | undefined): TlsServer {
    const pair = (certificateArn && this.#material.certificate(certificateArn)) || this.#material.defaultCertificate();
    const truststore = domain?.truststoreUri ? this.#material.truststore(domain.truststoreUri) : undefined;
    const mutualTls = truststore !== undefined;
    const legacy = domain?.securityPolicy === 'TLS_1_0';
    const engine = createTlsServer({
      cert: pair.cert,
      key: pair.key,
      ALPNProtocols: ['http/1.1'],
      handshakeTimeout: this.#handshakeTimeoutMs,
      // TLS_1_0 admits TLS 1.0 and 1.1, which OpenSSL 3 refuses above security level 0.
      minVersion: legacy ? 'TLSv1' : 'TLSv1.2',
      ...(legacy ? { ciphers: 'DEFAULT:@SECLEVEL=0' } : {}),
      // Only the truststore's CAs (not Node's bundled roots); no certificate, or one it does not verify, ends the handshake.
      ...(truststore ? { ca: truststore.ca, requestCert: true, rejectUnauthorized: true } : {}),
    });
    engine.on('secureConnection', (socket: TLSSocket) => this.#onSecure(socket, domain, mutualTls));
    engine.on('tlsClientError', (error: NodeJS.ErrnoException, socket: TLSSocket) => {
      // For a certificate the truststore does not verify, Node ends the connection with the verification error as its reason.
      if (mutualTls) this.#logger.info('tls: mutual TLS handshake refused', { domainName: domain?.domainName, reason: String(socket.authorizationError ?? error.code), error: error.message });
    });
    return engine;
  }
}
