/**
 * The TLS listener's certificates, keys and truststores, read from the files the configuration
 * names and re-read when those files change (no restart): a poll compares each file's identity and
 * times, so in-place writes, renames and symlink swaps (certbot, Kubernetes secrets) are all seen.
 * A change that does not load (a half-written pair, a key that does not match) keeps the previous
 * material in service and is logged; at start-up the same problem stops the server.
 */
import { createSecureContext } from 'node:tls';
import { X509Certificate } from 'node:crypto';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { ConfigError } from '../config.js';
import type { Logger } from '../logger.js';
import type { CertificateFiles, TlsConfig } from './config.js';
import { generateSelfSigned } from './self-signed.js';

/** A certificate chain and its key, PEM, known to match. */
export interface KeyPair {
  readonly cert: string;
  readonly key: string;
}

/** A truststore: the PEM bundle of the CA certificates it trusts. */
export interface Truststore {
  readonly ca: string;
  readonly certificates: number;
}

interface Watched<T> {
  readonly what: string;
  readonly files: readonly string[];
  readonly load: () => T;
  signature: string;
  value: T;
  /** The signature of files that did not load once: a pair caught between its two writes gets one more look. */
  retried?: string;
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

function read(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`${what}: cannot read ${file}: ${(err as Error).message}`);
  }
}

/** Reads a pair and checks that the key signs for the certificate (OpenSSL refuses a mismatch). */
function loadPair(files: CertificateFiles, what: string): KeyPair {
  const cert = read(files.cert, what);
  const key = read(files.key, what);
  try {
    createSecureContext({ cert, key });
    new X509Certificate(cert);
  } catch (err) {
    throw new Error(`${what}: ${files.cert} and ${files.key} are not a certificate and its key: ${(err as Error).message}`);
  }
  return { cert, key };
}

/** Reads a PEM bundle of CA certificates; certificates that do not parse are left out and reported (AWS's truststoreWarnings). */
function loadTruststore(file: string, what: string, warn: (message: string) => void): Truststore {
  const blocks = read(file, what).match(PEM_CERTIFICATE) ?? [];
  const kept: string[] = [];
  for (const [i, block] of blocks.entries()) {
    try {
      const cert = new X509Certificate(block);
      if (Date.parse(cert.validTo) < Date.now()) warn(`${what}: certificate ${i + 1} (${cert.subject.replace(/\n/g, ',')}) expired on ${cert.validTo}; clients it issued are refused`);
      kept.push(block);
    } catch (err) {
      warn(`${what}: certificate ${i + 1} of ${file} is not a valid X.509 certificate and is left out: ${(err as Error).message}`);
    }
  }
  if (kept.length === 0) throw new Error(`${what}: ${file} holds no PEM certificate`);
  return { ca: `${kept.join('\n')}\n`, certificates: kept.length };
}

type Stats = { ino: number; size: number; mtimeMs: number; ctimeMs: number };
const identity = (s: Stats) => `${s.ino}:${s.size}:${s.mtimeMs}:${s.ctimeMs}`;
const missing = (err: unknown) => `missing:${(err as NodeJS.ErrnoException).code ?? ''}`;

/** What identifies the current content of the files (taken before reading them, so a later write is never missed). */
async function signatureOf(files: readonly string[]): Promise<string> {
  const parts = await Promise.all(files.map((f) => stat(f).then(identity, missing)));
  return parts.join('|');
}

function signatureOfSync(files: readonly string[]): string {
  return files
    .map((f) => {
      try {
        return identity(statSync(f));
      } catch (err) {
        return missing(err);
      }
    })
    .join('|');
}

/** The names the generated default certificate covers: loopback, execute-api hosts, and the public URL's host. */
function selfSignedNames(publicUrl: string | undefined): string[] {
  const names = ['localhost', '*.execute-api.localhost', '127.0.0.1', '::1'];
  const host = publicUrl ? new URL(publicUrl).hostname.replace(/^\[|\]$/g, '') : undefined;
  if (host && !names.includes(host)) names.push(host, ...(/^[\d.]+$|:/.test(host) ? [] : [`*.execute-api.${host}`]));
  return names;
}

/** The generated default certificate in `{dataDir}/tls/`, reused while valid for 30 more days and covering the names. */
function selfSignedPair(dataDir: string, publicUrl: string | undefined, logger: Logger): { pair: KeyPair; cert: string } {
  const dir = join(dataDir, 'tls');
  const files = { cert: join(dir, 'self-signed.pem'), key: join(dir, 'self-signed.key') };
  const names = selfSignedNames(publicUrl);
  try {
    const pair = loadPair(files, 'the generated default certificate');
    const cert = new X509Certificate(pair.cert);
    const sans = (cert.subjectAltName ?? '').split(', ');
    const covered = names.every((n) => (isIP(n) ? cert.checkIP(n) !== undefined : sans.includes(`DNS:${n}`)));
    if (covered && Date.parse(cert.validTo) > Date.now() + 30 * 86_400_000) return { pair, cert: files.cert };
  } catch {
    // Absent or unusable: generate a new one below.
  }
  const pair = generateSelfSigned('Gatehouse self-signed', names, 365);
  mkdirSync(dir, { recursive: true });
  writeFileSync(files.key, pair.key, { mode: 0o600 });
  writeFileSync(files.cert, pair.cert);
  logger.info('tls: generated a self-signed default certificate', { cert: files.cert, names });
  return { pair, cert: files.cert };
}

/** What the material needs. */
export interface TlsMaterialOptions {
  readonly tls: TlsConfig;
  readonly dataDir: string;
  readonly publicUrl: string | undefined;
  readonly logger: Logger;
  /** How often the files are checked for changes (ms); default 1000. */
  readonly reloadIntervalMs?: number;
}

/** The certificates and truststores in service; `generation` changes whenever one of them is reloaded. */
export class TlsMaterial {
  readonly #logger: Logger;
  readonly #pairs = new Map<string, Watched<KeyPair>>();
  readonly #truststores = new Map<string, Watched<Truststore>>();
  readonly #default: Watched<KeyPair>;
  readonly #listeners = new Set<() => void>();
  readonly #timer: NodeJS.Timeout;
  #checking = false;
  #generation = 0;

  /** Reads every file; throws ConfigError naming the file when one is missing or invalid. */
  constructor(options: TlsMaterialOptions) {
    this.#logger = options.logger;
    const { tls } = options;
    const warn = (message: string) => this.#logger.warn(`tls: ${message}`);
    const watched = <T>(what: string, files: readonly string[], load: () => T): Watched<T> => {
      const signature = signatureOfSync(files);
      try {
        return { what, files, load, signature, value: load() };
      } catch (err) {
        throw new ConfigError((err as Error).message);
      }
    };
    for (const [arn, files] of Object.entries(tls.certificates)) {
      this.#pairs.set(arn, watched(`certificates["${arn}"]`, [files.cert, files.key], () => loadPair(files, `certificates["${arn}"]`)));
    }
    for (const [uri, file] of Object.entries(tls.truststores)) {
      this.#truststores.set(uri, watched(`truststores["${uri}"]`, [file], () => loadTruststore(file, `truststores["${uri}"]`, warn)));
    }
    if (tls.defaultCertificate) {
      const files = tls.defaultCertificate;
      this.#default = watched('defaultCertificate', [files.cert, files.key], () => loadPair(files, 'defaultCertificate'));
    } else {
      const generated = selfSignedPair(options.dataDir, options.publicUrl, options.logger);
      this.#default = { what: 'the generated default certificate', files: [], load: () => generated.pair, signature: '', value: generated.pair };
      this.#logger.warn('tls: no defaultCertificate is configured: execute-api hosts get a self-signed certificate clients must be told to trust', {
        cert: generated.cert,
        set: 'defaultCertificate: {cert: ./site.pem, key: ./site.key} in --config',
      });
    }
    this.#timer = setInterval(() => void this.#check(), options.reloadIntervalMs ?? 1000);
    this.#timer.unref();
  }

  /** Changes whenever a certificate or truststore is replaced. */
  get generation(): number {
    return this.#generation;
  }

  /** Calls `listener` after each reload. */
  onChange(listener: () => void): void {
    this.#listeners.add(listener);
  }

  /** The pair configured for a certificate ARN. */
  certificate(arn: string): KeyPair | undefined {
    return this.#pairs.get(arn)?.value;
  }

  /** The default certificate (execute-api hosts, unknown names, domains without a configured certificate). */
  defaultCertificate(): KeyPair {
    return this.#default.value;
  }

  /** The truststore configured for a truststore URI. */
  truststore(uri: string): Truststore | undefined {
    return this.#truststores.get(uri)?.value;
  }

  /** Reloads the entries whose files changed. */
  async #check(): Promise<void> {
    if (this.#checking) return;
    this.#checking = true;
    try {
      // New values are put in service together with the generation bump, after every file was looked at:
      // a reader never sees a new certificate under the old generation.
      const loaded: [Watched<unknown>, unknown][] = [];
      for (const entry of [this.#default, ...this.#pairs.values(), ...this.#truststores.values()] as Watched<unknown>[]) {
        if (entry.files.length === 0) continue;
        const signature = await signatureOf(entry.files);
        if (signature === entry.signature) continue;
        entry.signature = signature;
        try {
          loaded.push([entry, entry.load()]);
          this.#logger.info('tls: reloaded', { what: entry.what, files: entry.files });
        } catch (err) {
          if (entry.retried !== signature) {
            entry.retried = signature;
            entry.signature = '';
            continue;
          }
          this.#logger.error('tls: a changed file does not load; the previous one stays in service', { what: entry.what, error: (err as Error).message });
        }
      }
      if (loaded.length > 0) {
        for (const [entry, value] of loaded) entry.value = value;
        this.#generation++;
        for (const listener of this.#listeners) listener();
      }
    } finally {
      this.#checking = false;
    }
  }

  /** Stops watching the files. */
  close(): void {
    clearInterval(this.#timer);
  }
}
