/**
 * The URLs an API is invoked at, as the management API (`apiEndpoint`) and the start-up banner show them.
 *
 * AWS's `apiEndpoint` is `https://{apiId}.execute-api.{region}.amazonaws.com`. Locally the same shape,
 * `http://{apiId}.execute-api.localhost:4580`, resolves only in curl and browsers: Node, Python and
 * getaddrinfo (`getent hosts`) do not resolve `*.localhost` on a stock machine, and an IP address has
 * no subdomains. So by default (`--endpoint-style path`) `apiEndpoint` is the path-style address
 * `{publicUrl}/_aws/execute-api/{apiId}`, which every client resolves and which keeps AWS's contract
 * that `{apiEndpoint}/{stage}/...` reaches a stage (Terraform outputs, SDK endpoints, `wscat`).
 * `--endpoint-style host` gives AWS's shape on a `--public-url` DNS name whose subdomains resolve
 * (a wildcard record), for clients that parse the host.
 */
import type { Config } from './config.js';

/** The path-style prefix of the data plane. */
export const PATH_STYLE_PREFIX = '/_aws/execute-api/';

/** The server's public origin: `--public-url`, else `http://localhost:{port}`. */
export const publicOrigin = (config: Pick<Config, 'publicUrl'>, port: number): string => config.publicUrl ?? `http://localhost:${port}`;

function schemeOf(base: URL, protocolType: string): string {
  const secure = base.protocol === 'https:';
  return protocolType === 'WEBSOCKET' ? (secure ? 'wss' : 'ws') : secure ? 'https' : 'http';
}

/** The path-style and host-style base URLs of an API (no trailing slash). */
export function apiBaseUrls(config: Pick<Config, 'publicUrl'>, port: number, apiId: string, protocolType: string): { readonly path: string; readonly host: string } {
  const base = new URL(publicOrigin(config, port));
  const scheme = schemeOf(base, protocolType);
  return { path: `${scheme}://${base.host}${PATH_STYLE_PREFIX}${apiId}`, host: `${scheme}://${apiId}.execute-api.${base.host}` };
}

/** `apiEndpoint` of an API as the management API reports it (see the file comment). */
export function apiEndpoint(config: Pick<Config, 'publicUrl' | 'endpointStyle'>, port: number, apiId: string, protocolType: string): string {
  const urls = apiBaseUrls(config, port, apiId, protocolType);
  return config.endpointStyle === 'host' ? urls.host : urls.path;
}

/** A stage's invoke URL on an API base URL, as AWS writes it: `$default` is the base with `/`, others `/{stage}`. */
export const stageUrl = (base: string, stageName: string): string => (stageName === '$default' ? `${base}/` : `${base}/${encodeURIComponent(stageName)}`);
