/**
 * The TLS listener's settings: `tlsPort` (flag, variable or file) and the configuration file's
 * `certificates`, `truststores` and `defaultCertificate` sections, whose paths are relative to the file.
 * Files are read (and watched) when the server starts (material.ts), not here.
 */
import { isAbsolute, resolve as resolvePath } from 'node:path';

/** A certificate chain and its private key: absolute paths of PEM files. */
export interface CertificateFiles {
  readonly cert: string;
  readonly key: string;
}

/** The TLS listener of a server. */
export interface TlsConfig {
  /** TCP port of the TLS listener (same interface as `host`); 0 picks a free port. */
  readonly port: number;
  /** Served to execute-api hosts and to names no custom domain claims; absent = a self-signed one generated in the data dir. */
  readonly defaultCertificate?: CertificateFiles;
  /** A custom domain's `certificateArn` -> the files served for it (chosen by SNI). */
  readonly certificates: Readonly<Record<string, CertificateFiles>>;
  /** A custom domain's `mutualTlsAuthentication.truststoreUri` -> a PEM bundle of trusted CA certificates. */
  readonly truststores: Readonly<Record<string, string>>;
}

/** The sections of the configuration file that belong to the TLS listener (objects, file only). */
export const TLS_FILE_SECTIONS: ReadonlySet<string> = new Set(['certificates', 'truststores', 'defaultCertificate']);

const ACM_ARN = /^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[A-Za-z0-9-]+$/;
const S3_URI = /^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\/\S+$/;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A TLS setting that is wrong; config.ts turns it into its ConfigError. */
export class TlsConfigError extends Error {
  override name = 'TlsConfigError';
}

function path(value: unknown, dir: string, where: string): string {
  if (typeof value !== 'string' || value === '') throw new TlsConfigError(`${where} must be a file path`);
  return isAbsolute(value) ? value : resolvePath(dir, value);
}

function certificateFiles(value: unknown, dir: string, where: string): CertificateFiles {
  if (!isObject(value)) throw new TlsConfigError(`${where} must be {cert: ./site.pem, key: ./site.key}`);
  const unknown = Object.keys(value).filter((k) => k !== 'cert' && k !== 'key');
  if (unknown.length > 0) throw new TlsConfigError(`${where} takes cert and key, not ${unknown.join(', ')}`);
  return Object.freeze({ cert: path(value.cert, dir, `${where}.cert`), key: path(value.key, dir, `${where}.key`) });
}

/**
 * Validates the TLS settings. `portText` is the `tlsPort` setting ('' = no TLS listener), `sections`
 * the file's TLS sections, `dir` the file's directory, `taken` the ports other listeners use.
 */
export function parseTlsConfig(
  portText: string,
  sections: Readonly<Record<string, unknown>>,
  dir: string,
  taken: readonly { readonly port: number; readonly name: string }[],
  where: { readonly port: string; readonly file: string },
): TlsConfig | undefined {
  const given = Object.keys(sections);
  if (portText === '') {
    if (given.length > 0) throw new TlsConfigError(`${where.file}: ${given.join(', ')} serve the TLS listener; set ${where.port} too`);
    return undefined;
  }
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65535) throw new TlsConfigError(`${where.port} must be a port number 0-65535, got "${portText}"`);
  for (const other of taken) {
    if (port !== 0 && port === other.port) throw new TlsConfigError(`${where.port} must differ from ${other.name} (${port})`);
  }
  const certificates: Record<string, CertificateFiles> = {};
  const rawCertificates = sections.certificates ?? {};
  if (!isObject(rawCertificates)) throw new TlsConfigError(`${where.file}: "certificates" must map certificate ARNs to {cert, key}`);
  for (const [arn, files] of Object.entries(rawCertificates)) {
    if (!ACM_ARN.test(arn)) {
      throw new TlsConfigError(`${where.file}: "certificates" keys are the certificateArn of domain names (arn:aws:acm:us-east-1:123456789012:certificate/abc-123), got "${arn}"`);
    }
    certificates[arn] = certificateFiles(files, dir, `${where.file}: certificates["${arn}"]`);
  }
  const truststores: Record<string, string> = {};
  const rawTruststores = sections.truststores ?? {};
  if (!isObject(rawTruststores)) throw new TlsConfigError(`${where.file}: "truststores" must map truststore URIs to PEM bundle paths`);
  for (const [uri, file] of Object.entries(rawTruststores)) {
    if (!S3_URI.test(uri)) {
      throw new TlsConfigError(`${where.file}: "truststores" keys are the truststoreUri of domain names (s3://bucket-name/key-name), got "${uri}"`);
    }
    truststores[uri] = path(file, dir, `${where.file}: truststores["${uri}"]`);
  }
  const defaultCertificate = sections.defaultCertificate === undefined ? undefined : certificateFiles(sections.defaultCertificate, dir, `${where.file}: defaultCertificate`);
  return Object.freeze({
    port,
    ...(defaultCertificate ? { defaultCertificate } : {}),
    certificates: Object.freeze(certificates),
    truststores: Object.freeze(truststores),
  });
}
