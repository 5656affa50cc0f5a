// The restJson1 wire conventions of AWS HealthImaging: error shapes, input validation
// with messages in the service's style, epoch-second timestamps and opaque paging tokens.
import { createHash } from 'node:crypto';

export type ErrorType =
  | 'ValidationException' | 'AccessDeniedException' | 'ResourceNotFoundException' | 'ConflictException'
  | 'ThrottlingException' | 'ServiceQuotaExceededException' | 'InternalServerException'
  | 'UnknownOperationException' | 'SerializationException';

const STATUS: Record<ErrorType, number> = {
  ValidationException: 400,
  SerializationException: 400,
  ServiceQuotaExceededException: 402,
  AccessDeniedException: 403,
  ResourceNotFoundException: 404,
  UnknownOperationException: 404,
  ConflictException: 409,
  ThrottlingException: 429,
  InternalServerException: 500,
};

/** An error the service answers with: status code, `x-amzn-errortype` and body `{"__type","message"}`. */
export class ApiError extends Error {
  readonly status: number;
  constructor(readonly type: ErrorType, message: string) {
    super(message);
    this.status = STATUS[type];
  }
}

export const validation = (message: string): ApiError => new ApiError('ValidationException', message);
export const notFound = (message: string): ApiError => new ApiError('ResourceNotFoundException', message);
export const conflict = (message: string): ApiError => new ApiError('ConflictException', message);

// --- validation in the service's words ("1 validation error detected: Value ... at 'x' failed to satisfy ...")

function show(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text === undefined ? 'null' : text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

export function constraintError(field: string, value: unknown, constraint: string): ApiError {
  return validation(`1 validation error detected: Value '${show(value)}' at '${field}' failed to satisfy constraint: ${constraint}`);
}

export function requireString(value: unknown, field: string, opts: { min?: number; max?: number; pattern?: RegExp; required?: boolean } = {}): string | undefined {
  if (value === undefined || value === null) {
    if (opts.required !== false) throw validation(`1 validation error detected: Value null at '${field}' failed to satisfy constraint: Member must not be null`);
    return undefined;
  }
  if (typeof value !== 'string') throw constraintError(field, value, 'Member must be a string');
  const min = opts.min ?? 0;
  if (value.length < min || (opts.max !== undefined && value.length > opts.max)) {
    throw constraintError(field, value, `Member must have length between ${min} and ${opts.max ?? 'unbounded'}`);
  }
  if (opts.pattern && !opts.pattern.test(value)) {
    throw constraintError(field, value, `Member must satisfy regular expression pattern: ${opts.pattern.source.replace(/^\^|\$$/g, '')}`);
  }
  return value;
}

export const ID = /^[0-9a-z]{32}$/;
export const JOB_ID = /^[0-9a-z]{1,32}$/;
export const VERSION_ID = /^\d+$/;
export const NAME = /^[A-Za-z0-9._/#-]+$/;
export const CLIENT_TOKEN = /^[A-Za-z0-9._-]+$/;
export const S3_URI = /^s3:\/\/[a-z0-9][.\-a-z0-9]{1,61}[a-z0-9](\/.*)?$/;
export const ROLE_ARN = /^arn:aws(-[^:]+)?:iam::[0-9]{12}:role\/.+$/;
export const KMS_ARN = /^arn:aws[a-zA-Z0-9-]*:kms:[a-z0-9-]+:[0-9]{12}:(key|alias)\/.+$/;
export const LAMBDA_ARN = /^arn:aws[a-zA-Z0-9-]*:lambda:[a-z0-9-]+:[0-9]{12}:function:.+$/;
// As the service model writes it: `+-=` is a range (+ , - . / 0-9 : ; < =), so digits are allowed.
export const TAG_KEY = /^(?!aws:)[a-zA-Z+-=._:/]+$/;
export const ACCOUNT_ID = /^\d{12}$/;

export function requireId(value: unknown, field: string): string {
  return requireString(value, field, { pattern: ID }) as string;
}

export function requireEnum<T extends string>(value: unknown, field: string, allowed: readonly T[], required = true): T | undefined {
  if (value === undefined || value === null) {
    if (required) throw validation(`1 validation error detected: Value null at '${field}' failed to satisfy constraint: Member must not be null`);
    return undefined;
  }
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw constraintError(field, value, `Member must satisfy enum value set: [${allowed.join(', ')}]`);
  }
  return value as T;
}

/** A boolean query parameter: absent, `true` or `false`. */
export function queryBoolean(value: string | null, field: string): boolean | undefined {
  if (value === null) return undefined;
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw constraintError(field, value, 'Member must be a boolean (true or false)');
}

/** `maxResults` (1..50) from the query string; absent gives the default. */
export function queryMaxResults(value: string | null, fallback = 50): number {
  if (value === null) return fallback;
  if (!/^-?\d+$/.test(value)) throw constraintError('maxResults', value, 'Member must be an integer');
  const n = Number(value);
  if (n < 1 || n > 50) throw constraintError('maxResults', n, 'Member must have value between 1 and 50');
  return n;
}

export function requireObject(value: unknown, field: string, required = true): Record<string, unknown> | undefined {
  if (value === undefined || value === null) {
    if (required) throw validation(`1 validation error detected: Value null at '${field}' failed to satisfy constraint: Member must not be null`);
    return undefined;
  }
  if (typeof value !== 'object' || Array.isArray(value)) throw constraintError(field, value, 'Member must be a structure');
  return value as Record<string, unknown>;
}

// --- nesting: the deepest JSON a request body or an attribute document may have

/**
 * Levels of objects and arrays a JSON value may nest (the deepest valid request is a handful of
 * levels; DICOM metadata with nested sequences a few dozen). Deeper input is refused before any
 * recursive code sees it.
 */
export const MAX_JSON_DEPTH = 100;

/** True when `value` nests objects and arrays more than `max` levels deep (checked without recursion). */
export function nestsDeeperThan(value: unknown, max: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop() as [unknown, number];
    if (node === null || typeof node !== 'object') continue;
    if (depth > max) return true;
    for (const child of Array.isArray(node) ? node : Object.values(node)) {
      if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
    }
  }
  return false;
}

/** Refuses (ValidationException, naming `what`) a value nested deeper than MAX_JSON_DEPTH. */
export function requireShallowJson(value: unknown, what: string): void {
  if (nestsDeeperThan(value, MAX_JSON_DEPTH)) throw validation(`${what} is nested more than ${MAX_JSON_DEPTH} levels deep`);
}

// --- timestamps: milliseconds inside, epoch seconds (fractional) on the wire

export const epochSeconds = (ms: number | undefined): number | undefined => (ms === undefined ? undefined : Math.round(ms) / 1000);

// --- paging: opaque tokens bound to the query they continue

export function encodeToken(offset: number, query: unknown): string {
  const payload = JSON.stringify({ o: offset, q: queryHash(query) });
  return Buffer.from(payload, 'utf8').toString('base64url');
}

export function decodeToken(token: string | null | undefined, query: unknown): number {
  if (token === null || token === undefined) return 0;
  const bad = (): ApiError => constraintError('nextToken', token, 'Member must be a nextToken returned by a previous call with the same parameters');
  if (token.length < 1 || token.length > 8192) throw constraintError('nextToken', token, 'Member must have length between 1 and 8192');
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw bad();
  }
  const p = parsed as { o?: unknown; q?: unknown };
  if (!p || typeof p.o !== 'number' || !Number.isInteger(p.o) || p.o < 0 || p.q !== queryHash(query)) throw bad();
  return p.o;
}

function queryHash(query: unknown): string {
  return createHash('sha256').update(JSON.stringify(query ?? null)).digest('base64url').slice(0, 16);
}

/** One page of `items` starting at the token's offset. */
export function page<T>(items: T[], token: string | null | undefined, maxResults: number, query: unknown): { items: T[]; nextToken?: string } {
  const offset = decodeToken(token, query);
  const slice = items.slice(offset, offset + maxResults);
  const next = offset + maxResults;
  return next < items.length ? { items: slice, nextToken: encodeToken(next, query) } : { items: slice };
}
