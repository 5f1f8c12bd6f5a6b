/**
 * The data plane entry point.
 * TODO(parity): stages, route matching and integrations land with the HTTP data-plane issue;
 * until then every request is answered as AWS answers one for an API without a deployed stage.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** A request id shaped like AWS's `apigw-requestid` (`Mc7UVioPPHcEKPA=`). */
export function newRequestId(): string {
  return randomBytes(10).toString('base64');
}

/** Creates the data plane's request handler. */
export function createDataPlane(): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    req.resume();
    const body = '{"message":"Not Found"}';
    res.writeHead(404, { 'content-type': 'application/json', 'content-length': body.length, 'apigw-requestid': newRequestId() });
    res.end(body);
  };
}
