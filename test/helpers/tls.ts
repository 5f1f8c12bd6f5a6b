/**
 * Certificates made with the `openssl` command in a temporary directory (CAs, server and client
 * certificates), and HTTPS calls to a TLS listener with a chosen server name, Host, client certificate
 * and protocol versions.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PeerCertificate, SecureVersion, TLSSocket } from 'node:tls';
import type { Logger } from '../../src/logger.js';

/** Whether the `openssl` command is installed. */
export const hasOpenssl = (): boolean => spawnSync('openssl', ['version']).status === 0;

/** A certificate and its key: file paths and PEM text. */
export interface Issued {
  readonly cert: string;
  readonly key: string;
  readonly pem: string;
}

/** What `openssl x509` itself prints for a certificate (an independent reading of what Gatehouse reports). */
export function opensslFields(cert: string): { subject: string; issuer: string; serial: string; notBefore: string; notAfter: string } {
  const out = execFileSync('openssl', ['x509', '-in', cert, '-noout', '-subject', '-issuer', '-serial', '-startdate', '-enddate', '-nameopt', 'sep_comma_plus'], { encoding: 'utf8' });
  const field = (name: string) => new RegExp(`^${name}=(.*)$`, 'm').exec(out)?.[1] ?? '';
  return { subject: field('subject'), issuer: field('issuer'), serial: field('serial'), notBefore: field('notBefore'), notAfter: field('notAfter') };
}

/** A directory of test certificates. */
export class TestPki {
  readonly dir = mkdtempSync(join(tmpdir(), 'gatehouse-pki-'));

  #openssl(args: string[]): void {
    execFileSync('openssl', args, { cwd: this.dir, stdio: 'pipe' });
  }

  /** A path in the directory. */
  path(name: string): string {
    return join(this.dir, name);
  }

  /** Writes a file in the directory; returns its path. */
  write(name: string, text: string): string {
    writeFileSync(this.path(name), text);
    return this.path(name);
  }

  /** A self-signed CA certificate. */
  ca(name: string, subject: string): Issued {
    this.#openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.pem`,
      '-days', '30', '-subj', subject, '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
    return this.#issued(name);
  }

  /** A certificate issued by `ca`: `dns` names make a server certificate, none a client one; `days` < 0 is already expired. */
  issue(ca: Issued, name: string, subject: string, options: { dns?: string[]; serial?: string; days?: number } = {}): Issued {
    const extensions = options.dns
      ? `subjectAltName=${options.dns.map((d) => `DNS:${d}`).join(',')}\nextendedKeyUsage=serverAuth\n`
      : 'extendedKeyUsage=clientAuth\n';
    this.write(`${name}.ext`, `basicConstraints=CA:FALSE\n${extensions}`);
    this.#openssl(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject]);
    this.#openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', ca.cert, '-CAkey', ca.key, '-set_serial', options.serial ?? String(Date.now()),
      '-days', String(options.days ?? 10), '-extfile', `${name}.ext`, '-out', `${name}.pem`]);
    return this.#issued(name);
  }

  #issued(name: string): Issued {
    return { cert: this.path(`${name}.pem`), key: this.path(`${name}.key`), pem: readFileSync(this.path(`${name}.pem`), 'utf8') };
  }

  /** Removes the directory. */
  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** An HTTPS reply, with the certificate the server presented and the protocol negotiated. */
export interface TlsReply {
  readonly status: number;
  readonly text: string;
  readonly peer: PeerCertificate;
  readonly protocol: string | null;
  json<T = Record<string, unknown>>(): T;
}

/** What to call a TLS listener with. */
export interface TlsCallOptions {
  /** The TLS server name (SNI); Host defaults to it. */
  readonly servername: string;
  readonly host?: string;
  readonly path?: string;
  readonly method?: string;
  readonly ca: string;
  readonly client?: Issued;
  readonly minVersion?: SecureVersion;
  readonly maxVersion?: SecureVersion;
  readonly headers?: Record<string, string>;
}

/** Calls `https://{servername}:{port}{path}` at 127.0.0.1, verifying the server with `ca` only. */
export function tlsCall(port: number, options: TlsCallOptions): Promise<TlsReply> {
  const legacy = options.minVersion === 'TLSv1' || options.minVersion === 'TLSv1.1';
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method: options.method ?? 'GET',
        path: options.path ?? '/',
        servername: options.servername,
        headers: { host: options.host ?? options.servername, ...(options.headers ?? {}) },
        ca: options.ca,
        agent: false,
        ...(options.client ? { cert: readFileSync(options.client.cert), key: readFileSync(options.client.key) } : {}),
        ...(options.minVersion ? { minVersion: options.minVersion } : {}),
        ...(options.maxVersion ? { maxVersion: options.maxVersion } : {}),
        // OpenSSL 3 offers TLS 1.0/1.1 only at security level 0.
        ...(legacy ? { ciphers: 'DEFAULT:@SECLEVEL=0' } : {}),
      },
      (res) => {
        const socket = res.socket as TLSSocket;
        const peer = socket.getPeerCertificate();
        const protocol = socket.getProtocol();
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, text, peer, protocol, json: <T>() => JSON.parse(text) as T });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** The serial number of a PEM certificate, upper-case hex (Node's form). */
export const serialOf = (pem: string): string => new X509Certificate(pem).serialNumber;

/** A logger that keeps what it is given. */
export function recordingLogger(): Logger & { readonly lines: { level: string; message: string; fields: Record<string, unknown> }[] } {
  const lines: { level: string; message: string; fields: Record<string, unknown> }[] = [];
  const at = (level: string) => (message: string, fields: Record<string, unknown> = {}) => void lines.push({ level, message, fields });
  return { lines, info: at('info'), warn: at('warn'), error: at('error') };
}
