/**
 * Errors of the management API: the five error shapes of the apigatewayv2 model.
 * Each carries its HTTP status, its AWS type name (sent as `x-amzn-ErrorType`) and its
 * envelope code, so the `aws` and `envelope` response formats render the same object.
 * https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/ (Errors of each operation)
 */
import type { SigV4FailureCode } from '../auth/sigv4.js';

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

// 403 errors of SigV4 authentication: not in the apigatewayv2 model (AWS's front end sends them for
// every service) and surfaced by the SDKs by name. Their messages come from auth/sigv4.ts.

/** 403: the request carries no signature (`Missing Authentication Token`). */
export class MissingAuthenticationTokenException extends AwsError {
  constructor(message = 'Missing Authentication Token') {
    super('MissingAuthenticationTokenException', 403, 'ACCESS_DENIED', message);
  }
}

/** 403: the Authorization header or presigned query lacks a part of the signature, or is malformed. */
export class IncompleteSignatureException extends AwsError {
  constructor(message: string) {
    super('IncompleteSignatureException', 403, 'ACCESS_DENIED', message);
  }
}

/** 403: the signature does not match, is out of its time window, or is scoped to the wrong region/service. */
export class InvalidSignatureException extends AwsError {
  constructor(message: string) {
    super('InvalidSignatureException', 403, 'ACCESS_DENIED', message);
  }
}

/** 403: the access key id is not one of the configured credentials. */
export class UnrecognizedClientException extends AwsError {
  constructor(message = 'The security token included in the request is invalid.') {
    super('UnrecognizedClientException', 403, 'ACCESS_DENIED', message);
  }
}

/** The AWS error for a refused SigV4 signature (`SignatureExpired` is an InvalidSignatureException, as on AWS). */
export function signatureError(failure: { readonly code: SigV4FailureCode; readonly message: string }): AwsError {
  switch (failure.code) {
    case 'MissingAuthenticationToken':
      return new MissingAuthenticationTokenException(failure.message);
    case 'IncompleteSignature':
      return new IncompleteSignatureException(failure.message);
    case 'UnrecognizedClient':
      return new UnrecognizedClientException(failure.message);
    case 'InvalidSignature':
    case 'SignatureExpired':
      return new InvalidSignatureException(failure.message);
  }
}

/** `Invalid API identifier specified {account}:{apiId}`, as AWS words it (the caller's account). */
export function apiNotFound(accountId: string, apiId: string): NotFoundException {
  return new NotFoundException(`Invalid API identifier specified ${accountId}:${apiId}`, 'Api');
}

/**
 * AWS's texts that name no identifier: a stage (aws/aws-cdk#9078 quotes "Invalid stage identifier
 * specified") and a domain name (the same text API Gateway V1 gives, asserted by moto's tests).
 */
const NOT_FOUND_TEXTS: Readonly<Record<string, string>> = {
  Stage: 'Invalid stage identifier specified',
  DomainName: 'Invalid domain name identifier specified',
};

/** `Invalid {Resource} identifier specified {id}`: the family AWS uses for children of an API (and its exceptions above). */
export function childNotFound(resourceType: string, id: string): NotFoundException {
  return new NotFoundException(NOT_FOUND_TEXTS[resourceType] ?? `Invalid ${resourceType} identifier specified ${id}`, resourceType);
}
