import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  AccessDeniedException,
  apiNotFound,
  AwsError,
  BadRequestException,
  childNotFound,
  ConflictException,
  InternalServerError,
  NotFoundException,
  NotImplementedException,
  TooManyRequestsException,
} from './errors.js';

const check = (err: AwsError, name: string, status: number, code: string, message: string, extra: Record<string, string> = {}) => {
  assert.ok(err instanceof AwsError);
  assert.ok(err instanceof Error);
  assert.equal(err.name, name);
  assert.equal(err.status, status);
  assert.equal(err.code, code);
  assert.equal(err.message, message);
  assert.deepEqual(err.extra, extra);
};

describe('error classes', () => {
  it('BadRequestException: 400 VALIDATION_ERROR', () => {
    const err = new BadRequestException('bad thing');
    assert.ok(err instanceof BadRequestException);
    check(err, 'BadRequestException', 400, 'VALIDATION_ERROR', 'bad thing');
  });

  it('AccessDeniedException: 403 ACCESS_DENIED', () => {
    const err = new AccessDeniedException('no');
    assert.ok(err instanceof AccessDeniedException);
    check(err, 'AccessDeniedException', 403, 'ACCESS_DENIED', 'no');
  });

  it('NotFoundException: 404 NOT_FOUND, resourceType only when given', () => {
    const plain = new NotFoundException('gone');
    assert.ok(plain instanceof NotFoundException);
    check(plain, 'NotFoundException', 404, 'NOT_FOUND', 'gone');
    check(new NotFoundException('gone', 'Route'), 'NotFoundException', 404, 'NOT_FOUND', 'gone', { resourceType: 'Route' });
    check(new NotFoundException('gone', ''), 'NotFoundException', 404, 'NOT_FOUND', 'gone');
  });

  it('ConflictException: 409 CONFLICT', () => {
    const err = new ConflictException('dup');
    assert.ok(err instanceof ConflictException);
    check(err, 'ConflictException', 409, 'CONFLICT', 'dup');
  });

  it('TooManyRequestsException: 429 RATE_LIMITED, limitType only when given', () => {
    const err = new TooManyRequestsException('slow down');
    assert.ok(err instanceof TooManyRequestsException);
    check(err, 'TooManyRequestsException', 429, 'RATE_LIMITED', 'slow down');
    check(new TooManyRequestsException('slow down', 'LimitExceeded'), 'TooManyRequestsException', 429, 'RATE_LIMITED', 'slow down', {
      limitType: 'LimitExceeded',
    });
  });

  it('NotImplementedException: 501 NOT_IMPLEMENTED naming the operation', () => {
    const err = new NotImplementedException('ImportApi');
    assert.ok(err instanceof NotImplementedException);
    check(err, 'NotImplementedException', 501, 'NOT_IMPLEMENTED', 'Gatehouse does not implement the ImportApi operation yet');
  });

  it('InternalServerError: 500 INTERNAL_ERROR with a fixed message', () => {
    const err = new InternalServerError();
    assert.ok(err instanceof InternalServerError);
    check(err, 'InternalServerErrorException', 500, 'INTERNAL_ERROR', 'Internal server error');
  });

  it('AwsError carries what it is given', () => {
    check(new AwsError('X', 418, 'CONFLICT', 'm', { a: 'b' }), 'X', 418, 'CONFLICT', 'm', { a: 'b' });
  });
});

describe('not-found helpers', () => {
  it("apiNotFound words it as AWS does, with the caller's account and resourceType Api", () => {
    const err = apiNotFound('000000000000', 'abc');
    assert.ok(err instanceof NotFoundException);
    check(err, 'NotFoundException', 404, 'NOT_FOUND', 'Invalid API identifier specified 000000000000:abc', { resourceType: 'Api' });
  });

  it('childNotFound words it as AWS does, with the resource type', () => {
    const err = childNotFound('Route', 'r1');
    assert.ok(err instanceof NotFoundException);
    check(err, 'NotFoundException', 404, 'NOT_FOUND', 'Invalid Route identifier specified r1', { resourceType: 'Route' });
    assert.equal(childNotFound('Integration', 'i9').message, 'Invalid Integration identifier specified i9');
  });
});
