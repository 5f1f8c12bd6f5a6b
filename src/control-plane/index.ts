/**
 * The management API (apigatewayv2, restJson1): routes a request to its operation, binds and
 * validates the input from the model, runs the handler, and writes the output in the chosen
 * response format. Every response carries `x-amzn-RequestId`.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readLimitedBody } from '../http-limits.js';
import { createIamDirectory } from '../auth/iam-callers.js';
import { signedRequestOf, verifyRequest } from '../auth/sigv4.js';
import { StoreError } from '../store/store.js';
import { storeErrorToAws } from './batch.js';
import { accountRegionScope } from '../model/account-region.js';
import { callerOf } from './caller.js';
import { authorizeManagement } from './iam.js';
import type { ControlPlaneDeps, OperationHandler } from './context.js';
import type { AwsError } from './errors.js';
import {
  AwsError as AwsErrorClass,
  BadRequestException,
  InternalServerError,
  NotFoundException,
  NotImplementedException,
  signatureError,
} from './errors.js';
import { awsFormat } from './formats/aws.js';
import { envelopeFormat } from './formats/envelope.js';
import type { ResponseFormat } from './formats/format.js';
import { bindInput } from './input.js';
import { matchOperation, methodsForPath } from './operations.js';
import { shapeOutput } from './output.js';
import { HANDLERS } from './handlers.js';

/** Request header choosing the response format of one request (`aws` or `envelope`). */
export const FORMAT_HEADER = 'x-gatehouse-response-format';

/** Largest request body the management API reads (ImportApi documents included). */
export const MAX_BODY_BYTES = 10 * 1024 * 1024;

const FORMATS: Readonly<Record<string, ResponseFormat>> = { aws: awsFormat, envelope: envelopeFormat };

/** The request body, at most MAX_BODY_BYTES (400 BadRequestException past it). */
const readBody = (req: IncomingMessage): Promise<Buffer> => readLimitedBody(req, MAX_BODY_BYTES, () => new BadRequestException(`Request body is larger than ${MAX_BODY_BYTES} bytes`));

const lowerFirst = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);

/** The resource noun of an operation (`GetRoutes` -> `Route`), for the envelope's `id`. */
const nounOf = (operation: string) => operation.replace(/^(Create|Get|Update|Delete|Import|Reimport|Put|List|Export)/, '').replace(/s$/, '');


/** Creates the management API's request handler. `handlers` defaults to every implemented operation. */
export function createControlPlane(
  deps: ControlPlaneDeps,
  handlers: Readonly<Record<string, OperationHandler>> = HANDLERS,
): (req: IncomingMessage, res: ServerResponse) => void {
  // With configured credentials every request must carry a SigV4 signature (service `apigateway`,
  // any region) by one of them; without, any or no signature is accepted (local development).
  const directory = deps.config.credentials ? createIamDirectory(deps.config.credentials) : undefined;
  /** Verifies the signature when credentials are configured; returns the verified key and region. */
  const authenticate = (req: IncomingMessage, body: Buffer): { accessKeyId: string; region: string } | undefined => {
    if (!directory) return undefined;
    const verdict = verifyRequest(signedRequestOf(req, body), { service: 'apigateway', lookup: (id) => directory.secretOf(id), now: deps.clock() });
    if (!verdict.ok) throw signatureError(verdict);
    return verdict;
  };

  return (req, res) => {
    const requestId = randomUUID();
    res.setHeader('x-amzn-RequestId', requestId);
    const requested = req.headers[FORMAT_HEADER];
    // Own members only: `constructor` or `__proto__` would find Object's and throw from the error path.
    const formatName = typeof requested === 'string' ? requested.toLowerCase() : deps.config.responseFormat;
    const format = Object.hasOwn(FORMATS, formatName) ? FORMATS[formatName] : undefined;
    if (!format) {
      awsFormat.error(res, new BadRequestException(`Invalid ${FORMAT_HEADER} header '${String(requested)}': must be aws or envelope`));
      return;
    }
    handle(req, res, format).catch((err: unknown) => {
      let error: AwsError;
      if (err instanceof AwsErrorClass) error = err;
      else if (err instanceof StoreError) error = storeErrorToAws(err);
      else {
        deps.logger.error('control plane: unexpected error', { requestId, error: err instanceof Error ? err.stack : String(err) });
        error = new InternalServerError();
      }
      if (!res.headersSent) format.error(res, error);
      else res.destroy();
    });
  };

  async function handle(req: IncomingMessage, res: ServerResponse, format: ResponseFormat): Promise<void> {
    // The raw target, never a URL-resolved one: resolving would turn `/routes/..` or `%2e%2e`
    // into a path of another operation. A label is one segment, matched after routing.
    const target = req.url ?? '/';
    if (!target.startsWith('/')) {
      req.resume();
      throw new BadRequestException(`Invalid request target ${target.slice(0, 100)}: the management API takes origin-form paths`);
    }
    const mark = target.indexOf('?');
    const rawPath = mark === -1 ? target : target.slice(0, mark);
    const query = new URLSearchParams(mark === -1 ? '' : target.slice(mark + 1));
    const method = (req.method ?? 'GET').toUpperCase();
    const match = matchOperation(method, rawPath);
    if (!match) {
      if (directory) authenticate(req, await readBody(req));
      else req.resume();
      const allowed = methodsForPath(rawPath);
      throw new NotFoundException(
        allowed.length > 0
          ? `No operation answers ${method} ${rawPath}; this path takes ${allowed.join(', ')}`
          : `No operation of the API Gateway V2 management API matches ${method} ${rawPath}`,
      );
    }
    const { spec } = match;
    const body = await readBody(req);
    const signer = authenticate(req, body);
    const caller = callerOf(req, query, deps.config.region, signer);
    if (directory && signer) authorizeManagement(directory, signer.accessKeyId, spec.name, req, rawPath, caller, deps.clock().getTime());
    const input = bindInput(spec, match.labels, query, body);
    const handler = handlers[lowerFirst(spec.name)];
    if (!handler) throw new NotImplementedException(spec.name);
    const result = (await handler(input, { ...deps, caller, scope: accountRegionScope(caller) })) ?? {};
    const output =
      result.body === undefined || Buffer.isBuffer(result.body) || !spec.output
        ? result.body
        : (shapeOutput(spec.output, result.body) as Record<string, unknown>);
    format.success(res, {
      status: spec.code,
      resource: nounOf(spec.name),
      ...(output === undefined ? {} : { body: output }),
      ...(result.contentType ? { contentType: result.contentType } : {}),
      ...(result.createdAt ? { createdAt: result.createdAt } : {}),
      ...(result.itemsCreatedAt ? { itemsCreatedAt: result.itemsCreatedAt } : {}),
    });
  }
}
