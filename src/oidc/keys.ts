/**
 * Signing keys of the built-in OIDC issuers: one RS256 key pair per issuer name, generated when
 * the issuer is created (configured at start-up, or by `gatehouse token`) and kept as a private JWK
 * in `{dataDir}/oidc/{name}.json` (mode 0600), so tokens minted by the CLI and by a running server
 * verify against the same JWKS, across restarts. An issuer exists exactly when its key file does.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPair, randomBytes, type KeyObject } from 'node:crypto';
import { link, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

/** Issuer names: one path segment. */
export const ISSUER_NAME = /^[A-Za-z0-9_-]{1,64}$/;

/** The only algorithm the built-in issuers sign with. */
export const ISSUER_ALGORITHM = 'RS256';

/** A public JWK as published in the issuer's JWKS. */
export interface PublicJwk {
  readonly kty: 'RSA';
  readonly n: string;
  readonly e: string;
  readonly kid: string;
  readonly alg: typeof ISSUER_ALGORITHM;
  readonly use: 'sig';
}

/** An issuer's key pair. */
export interface IssuerKey {
  readonly kid: string;
  readonly privateKey: KeyObject;
  readonly publicJwk: PublicJwk;
}

const generate = promisify(generateKeyPair);

/** Where an issuer's private key is kept. */
export const issuerKeyPath = (dataDir: string, name: string): string => join(dataDir, 'oidc', `${name}.json`);

/** RFC 7638 thumbprint of an RSA public key: the key id. */
function thumbprint(n: string, e: string): string {
  return createHash('sha256').update(JSON.stringify({ e, kty: 'RSA', n })).digest('base64url');
}

function fromPrivateJwk(text: string, path: string): IssuerKey {
  const jwk = JSON.parse(text) as Record<string, unknown>;
  if (jwk.kty !== 'RSA' || typeof jwk.d !== 'string') throw new Error(`${path} is not an RSA private JWK`);
  const privateKey = createPrivateKey({ key: jwk as { kty: string }, format: 'jwk' });
  const pub = createPublicKey(privateKey).export({ format: 'jwk' }) as { n: string; e: string };
  const kid = typeof jwk.kid === 'string' && jwk.kid !== '' ? jwk.kid : thumbprint(pub.n, pub.e);
  return { kid, privateKey, publicJwk: { kty: 'RSA', n: pub.n, e: pub.e, kid, alg: ISSUER_ALGORITHM, use: 'sig' } };
}

const code = (error: unknown): unknown => (error as { code?: unknown }).code;

function checkName(name: string): void {
  if (!ISSUER_NAME.test(name)) throw new Error(`Invalid issuer name ${JSON.stringify(name)}: use 1-64 of A-Z a-z 0-9 _ -`);
}

/** Reads the key of an existing issuer; undefined when the issuer was never created. Never creates one. */
export async function loadIssuerKey(dataDir: string, name: string): Promise<IssuerKey | undefined> {
  checkName(name);
  const path = issuerKeyPath(dataDir, name);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (code(error) === 'ENOENT') return undefined;
    throw error;
  }
  return fromPrivateJwk(text, path);
}

/**
 * Reads the issuer's key, creating it when absent. Creation is atomic across processes: the key
 * is written to a private temporary file and hard-linked into place, so a concurrent creator
 * (another worker, the CLI) either wins or reads the winner's key.
 */
export async function loadOrCreateIssuerKey(dataDir: string, name: string): Promise<IssuerKey> {
  const existing = await loadIssuerKey(dataDir, name);
  if (existing) return existing;
  const path = issuerKeyPath(dataDir, name);
  const { privateKey } = await generate('rsa', { modulusLength: 2048 });
  const jwk = privateKey.export({ format: 'jwk' }) as { n: string; e: string };
  const text = `${JSON.stringify({ ...jwk, kid: thumbprint(jwk.n, jwk.e), alg: ISSUER_ALGORITHM, use: 'sig' }, null, 2)}\n`;
  await mkdir(join(dataDir, 'oidc'), { recursive: true, mode: 0o700 });
  const temporary = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  await writeFile(temporary, text, { mode: 0o600, flag: 'wx' });
  try {
    await link(temporary, path);
  } catch (error) {
    if (code(error) !== 'EEXIST') throw error;
  } finally {
    await unlink(temporary).catch(() => undefined);
  }
  return fromPrivateJwk(await readFile(path, 'utf8'), path);
}
