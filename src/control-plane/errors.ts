/**
 * Errors of the management API: the five error shapes of the apigatewayv2 model.
 * Each carries its HTTP status, its AWS type name (sent as `x-amzn-ErrorType`) and its
 * envelope code, so the `aws` and `envelope` response formats render the same object.
 * https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/ (Errors of each operation)
 */

/** Envelope error codes (DESIGN.md "Response formats of the control plane"). */
export type EnvelopeCode =
  | 'VALIDATION_ERROR'
  | 'ACCESS_DENIED'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'RATE_LIMITED'
  | 'NOT_IMPLEMENTED'
  | 'INTERNAL_ERROR';

/** Base class of every error the management API answers with. */
export class AwsError extends Error {
  readonly status: number;
  readonly code: EnvelopeCode;
  /** Extra members of the modelled error shape (`resourceType`, `limitType`). */
  readonly extra: Readonly<Record<string, string>>;

  constructor(name: string, status: number, code: EnvelopeCode, message: string, extra: Record<string, string> = {}) {
    super(message);
    this.name = name;
    this.status = status;
    this.code = code;
    this.extra = extra;
  }
}

/** 400: the request is malformed or fails validation. */
export class BadRequestException extends AwsError {
  constructor(message: string) {
    super('BadRequestException', 400, 'VALIDATION_ERROR', message);
  }
}

/** 403: the caller may not perform the operation. */
export class AccessDeniedException extends AwsError {
  constructor(message: string) {
    super('AccessDeniedException', 403, 'ACCESS_DENIED', message);
  }
}

/** 404: a resource named by the request does not exist. */
export class NotFoundException extends AwsError {
  constructor(message: string, resourceType?: string) {
    super('NotFoundException', 404, 'NOT_FOUND', message, resourceType ? { resourceType } : {});
  }
}

/** 409: the request conflicts with the current state (duplicate key, resource in use). */
export class ConflictException extends AwsError {
  constructor(message: string) {
    super('ConflictException', 409, 'CONFLICT', message);
  }
}

/** 429: a limit was exceeded. */
export class TooManyRequestsException extends AwsError {
  constructor(message: string, limitType?: string) {
    super('TooManyRequestsException', 429, 'RATE_LIMITED', message, limitType ? { limitType } : {});
  }
}

/**
 * 501: the operation exists in the AWS model but Gatehouse does not implement it yet.
 * Not an AWS shape; the SDKs surface it by name as a generic service error.
 */
export class NotImplementedException extends AwsError {
  constructor(operation: string) {
    super('NotImplementedException', 501, 'NOT_IMPLEMENTED', `Gatehouse does not implement the ${operation} operation yet`);
  }
}

/** 500: an unexpected failure; the cause is logged, never sent. */
export class InternalServerError extends AwsError {
  constructor() {
    super('InternalServerErrorException', 500, 'INTERNAL_ERROR', 'Internal server error');
  }
}

/** The AWS account id Gatehouse reports in ARNs and messages. */
export const ACCOUNT_ID = '000000000000';

/** `Invalid API identifier specified {account}:{apiId}`, as AWS words it. */
export function apiNotFound(apiId: string): NotFoundException {
  return new NotFoundException(`Invalid API identifier specified ${ACCOUNT_ID}:${apiId}`, 'Api');
}

/** `Invalid {Resource} identifier specified {id}`: the family AWS uses for children of an API. */
export function childNotFound(resourceType: string, id: string): NotFoundException {
  return new NotFoundException(`Invalid ${resourceType} identifier specified ${id}`, resourceType);
}
