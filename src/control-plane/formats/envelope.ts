/**
 * The product's own envelope format (DESIGN.md, the CreateRoute page of the API docs):
 * `{"success":true,"data":{...resource,"id":...,"created_at":...}}` and
 * `{"success":false,"error":{"code":"VALIDATION_ERROR",...,"message":...}}`, same status codes.
 */
import type { ResponseFormat, SuccessResult } from './format.js';
import { sendJson } from './format.js';

/** The member that identifies each resource noun (default: `<noun>Id`). */
const ID_MEMBERS: Readonly<Record<string, string>> = {
  Stage: 'stageName',
  DomainName: 'domainName',
  Tags: '',
  ModelTemplate: '',
  Api: 'apiId',
};

const idMember = (noun: string) => ID_MEMBERS[noun] ?? `${noun.charAt(0).toLowerCase()}${noun.slice(1)}Id`;

function withEnvelopeFields(item: Record<string, unknown>, noun: string, createdAt: string | undefined): Record<string, unknown> {
  const key = idMember(noun);
  const out: Record<string, unknown> = { ...item };
  if (key && item[key] !== undefined) out.id = item[key];
  if (createdAt !== undefined) out.created_at = createdAt;
  return out;
}

function data(result: SuccessResult): unknown {
  const body = result.body as Record<string, unknown>;
  const noun = result.resource ?? '';
  const items = body.items;
  if (Array.isArray(items)) {
    return { ...body, items: items.map((item, i) => withEnvelopeFields(item as Record<string, unknown>, noun, result.itemsCreatedAt?.[i])) };
  }
  return withEnvelopeFields(body, noun, result.createdAt);
}

/** The `envelope` response format. */
export const envelopeFormat: ResponseFormat = {
  success(res, result) {
    if (result.status === 204) {
      res.writeHead(204);
      res.end();
    } else if (result.body === undefined) {
      sendJson(res, result.status, { success: true, data: {} });
    } else if (Buffer.isBuffer(result.body)) {
      sendJson(res, result.status, { success: true, data: { document: result.body.toString('utf8'), contentType: result.contentType } });
    } else {
      sendJson(res, result.status, { success: true, data: data(result) });
    }
  },
  error(res, error) {
    sendJson(res, error.status, { success: false, error: { code: error.code, type: error.name, message: error.message, ...error.extra } });
  },
};
