/**
 * A short human label for an integration, computed once per compiled stage for the request log:
 * `AWS_PROXY pets` (the function's name), `HTTP_PROXY GET https://backend/x`, `AWS_PROXY SQS-SendMessage`,
 * `MOCK`.
 */
import type { IntegrationRecord } from '../../model/resources.js';

const FUNCTION_NAME = /function:([^:/]+)/;

export function describeIntegration(record: IntegrationRecord): string {
  const uri = record.integrationUri ?? '';
  const fn = (record.integrationType === 'AWS_PROXY' || record.integrationType === 'AWS') && !record.integrationSubtype ? FUNCTION_NAME.exec(uri)?.[1] : undefined;
  if (fn) return `${record.integrationType} ${fn}`;
  if (record.integrationType === 'HTTP_PROXY' || record.integrationType === 'HTTP') return `${record.integrationType} ${record.integrationMethod ?? 'ANY'} ${uri}`;
  return `${record.integrationType}${record.integrationSubtype ? ` ${record.integrationSubtype}` : uri ? ` ${uri}` : ''}`;
}
