/**
 * MOCK integrations (WebSocket APIs): no backend; the request template's output decides the
 * integration response — `{"statusCode": 200}` — and the integration responses and their templates
 * make the reply. Without a template (or a statusCode) the status is 200.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/how-to-mock-integration.html
 */
import type { IntegrationRecord, IntegrationResponseRecord } from '../../model/resources.js';
import type { CompiledIntegration } from '../invocation.js';
import { compileNonProxyIntegration } from './non-proxy.js';

/** Compiles a MOCK integration. */
export function compileMockIntegration(record: IntegrationRecord, responses: readonly IntegrationResponseRecord[]): CompiledIntegration {
  return compileNonProxyIntegration(record, responses, (_inv, payload) => {
    let statusCode = 200;
    try {
      const parsed = JSON.parse(payload.toString('utf8')) as { statusCode?: unknown };
      const value = Number(parsed.statusCode);
      if (Number.isInteger(value) && value >= 100 && value <= 599) statusCode = value;
    } catch {
      /* not JSON: 200 */
    }
    return Promise.resolve({ statusCode, headers: {}, body: Buffer.alloc(0) });
  });
}
