/**
 * AWS's restJson1 wire format: the output shape as the body, errors as `x-amzn-ErrorType` plus
 * `{"message": ...}` and the modelled extra members (SPEC §C.2).
 */
import type { ResponseFormat } from './format.js';
import { sendJson } from './format.js';

/** The `aws` response format (default). */
export const awsFormat: ResponseFormat = {
  success(res, result) {
    if (result.body === undefined) {
      res.writeHead(result.status, result.status === 204 ? {} : { 'content-length': 0 });
      res.end();
    } else if (Buffer.isBuffer(result.body)) {
      res.writeHead(result.status, { 'content-type': result.contentType ?? 'application/octet-stream', 'content-length': result.body.length });
      res.end(result.body);
    } else {
      sendJson(res, result.status, result.body);
    }
  },
  error(res, error) {
    sendJson(res, error.status, { message: error.message, ...error.extra }, { 'x-amzn-ErrorType': error.name });
  },
};
