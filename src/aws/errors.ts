// Typed errors of the adapter. SDK exceptions, credential-provider failures and network errors
// are mapped here once (toHealthImagingError); the rest of the extension only sees
// HealthImagingError and acts on its `code`.

export type HealthImagingErrorCode =
  | 'Throttling' | 'Conflict' | 'AccessDenied' | 'Validation' | 'NotFound' | 'ServiceQuota' | 'Internal'
  | 'ExpiredCredentials' | 'NoCredentials' | 'NoRegion' | 'Network' | 'Unknown';

export class HealthImagingError extends Error {
  constructor(
    message: string,
    readonly code: HealthImagingErrorCode,
    /** The service operation, e.g. `GetImageSetMetadata`. */
    readonly operation: string,
    readonly retryable: boolean,
    options?: {
      cause?: unknown;
      /** The message quotes the service's own text (which may repeat request values): keep it out of logs. */
      includesServiceText?: boolean;
      /** The service's request id, for support cases. */
      requestId?: string;
    },
  ) {
    super(message, options?.cause !== undefined ? { cause: options.cause } : undefined);
    this.name = 'HealthImagingError';
    this.includesServiceText = options?.includesServiceText ?? false;
    this.requestId = options?.requestId;
  }

  readonly includesServiceText: boolean;
  readonly requestId: string | undefined;

  /** A description safe for logs: no service text, which may quote request values. */
  toLogString(): string {
    return this.includesServiceText
      ? `${this.operation}: ${this.code}${this.retryable ? ' (retryable)' : ''}${this.requestId ? ` [request ${this.requestId}]` : ''}`
      : `${this.operation}: ${this.code}: ${this.message}`;
  }
}

export interface ErrorContext {
  operation: string;
  /** The profile in use (for messages such as `aws sso login --profile <p>`). */
  profile?: string;
  /** The endpoint in use, when not AWS. */
  endpoint?: string;
}

const SERVICE_CODES: Record<string, { code: HealthImagingErrorCode; retryable: boolean }> = {
  ThrottlingException: { code: 'Throttling', retryable: true },
  TooManyRequestsException: { code: 'Throttling', retryable: true },
  ConflictException: { code: 'Conflict', retryable: false },
  AccessDeniedException: { code: 'AccessDenied', retryable: false },
  ValidationException: { code: 'Validation', retryable: false },
  BadRequestException: { code: 'Validation', retryable: false },
  NotAcceptableException: { code: 'Validation', retryable: false },
  ResourceNotFoundException: { code: 'NotFound', retryable: false },
  ServiceQuotaExceededException: { code: 'ServiceQuota', retryable: false },
  InternalServerException: { code: 'Internal', retryable: true },
};

const EXPIRED_TOKEN_CODES = new Set(['ExpiredTokenException', 'ExpiredToken', 'RequestExpired']);
const INVALID_CREDENTIAL_CODES = new Set([
  'UnrecognizedClientException', 'InvalidSignatureException', 'InvalidClientTokenId', 'SignatureDoesNotMatch',
  'IncompleteSignatureException', 'MissingAuthenticationTokenException',
]);
const NETWORK_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE',
  'ECONNABORTED', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT',
]);

function profileArg(profile: string | undefined): string {
  return profile ? ` --profile ${profile}` : '';
}

function profileName(profile: string | undefined): string {
  return profile ? `profile "${profile}"` : 'the default credentials';
}

function networkCode(error: unknown): string | undefined {
  let e: unknown = error;
  for (let depth = 0; depth < 4 && e && typeof e === 'object'; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && NETWORK_CODES.has(code)) {
      return code;
    }
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

function serviceMessage(error: Error): string {
  const message = error.message?.trim();
  return message && message !== 'UnknownError' ? message : 'no details given';
}

/** Maps anything the SDK (or a credential provider) throws to a HealthImagingError. */
export function toHealthImagingError(error: unknown, context: ErrorContext): HealthImagingError {
  if (error instanceof HealthImagingError) {
    return error;
  }
  const op = context.operation;
  const err = error instanceof Error ? error : new Error(String(error));
  const name = err.name || '';
  const message = err.message || '';
  const metadata = (err as { $metadata?: { httpStatusCode?: number; requestId?: string } }).$metadata;
  const status = metadata?.httpStatusCode;
  const make = (msg: string, code: HealthImagingErrorCode, retryable: boolean) =>
    new HealthImagingError(msg, code, op, retryable, {
      cause: error, requestId: metadata?.requestId, includesServiceText: msg.includes(serviceMessage(err)) && !!err.message,
    });

  // Credentials: expired SSO sessions / tokens first, they need a specific action.
  if (
    /sso session .*(expired|invalid)|token is expired|refresh.*sso|sso.*token.*(expired|not found|invalid)/i.test(message) ||
    (name === 'TokenProviderError' && /sso/i.test(message))
  ) {
    return make(
      `The AWS SSO session of ${profileName(context.profile)} has expired or is missing. ` +
        `Run \`aws sso login${profileArg(context.profile)}\` in a terminal, then retry.`,
      'ExpiredCredentials', false);
  }
  if (EXPIRED_TOKEN_CODES.has(name) || /security token included in the request is expired/i.test(message)) {
    return make(
      `The credentials of ${profileName(context.profile)} have expired. Refresh them ` +
        `(for SSO profiles: \`aws sso login${profileArg(context.profile)}\`), then retry.`,
      'ExpiredCredentials', false);
  }
  if (name === 'CredentialsProviderError' || /could not load credentials/i.test(message)) {
    const detail = context.profile && /profile/i.test(message) ? ` (${message})` : '';
    return make(
      `No AWS credentials found for ${profileName(context.profile)}${detail}. Choose a profile with ` +
        '"HealthImaging: Select AWS Profile…" or configure one with `aws configure`.',
      'NoCredentials', false);
  }
  if (/region is missing|missing region/i.test(message)) {
    return make(
      'No AWS region is configured. Set "healthImaging.region", add `region = ...` to the profile ' +
        'in ~/.aws/config, or set AWS_REGION.',
      'NoRegion', false);
  }
  if (INVALID_CREDENTIAL_CODES.has(name)) {
    return make(
      `AWS rejected the credentials of ${profileName(context.profile)} (${name}) during ${op}. Check the profile's keys.`,
      'NoCredentials', false);
  }

  const mapped = SERVICE_CODES[name];
  if (mapped) {
    if (mapped.code === 'AccessDenied') {
      return make(
        `Access denied: ${op} needs the IAM permission medical-imaging:${op} (${serviceMessage(err)}).`,
        'AccessDenied', false);
    }
    const prefix: Record<string, string> = {
      Throttling: `HealthImaging throttled ${op}; try again in a moment`,
      Conflict: `${op} conflicts with the image set's current state`,
      Validation: `HealthImaging rejected ${op}`,
      NotFound: `${op}: not found`,
      ServiceQuota: `${op} exceeds a HealthImaging service quota`,
      Internal: `HealthImaging had an internal error during ${op}`,
    };
    return make(`${prefix[mapped.code]}: ${serviceMessage(err)}`, mapped.code, mapped.retryable);
  }

  const net = networkCode(error);
  if (net || name === 'TimeoutError' || /socket hang up|connect ECONNREFUSED|getaddrinfo/i.test(message)) {
    const where = context.endpoint ? ` at ${context.endpoint}` : '';
    return make(
      `Cannot reach HealthImaging${where} (${net ?? name}) during ${op}. Check the network, the region and the endpoint.`,
      'Network', true);
  }
  if (status === 403) {
    return make(`Access denied: ${op} needs the IAM permission medical-imaging:${op}.`, 'AccessDenied', false);
  }
  if (status === 429) {
    return make(`HealthImaging throttled ${op}; try again in a moment.`, 'Throttling', true);
  }
  if (status !== undefined && status >= 500) {
    return make(`HealthImaging answered ${status} to ${op}: ${serviceMessage(err)}`, 'Internal', true);
  }
  return make(`${op} failed: ${name ? `${name}: ` : ''}${serviceMessage(err)}`, 'Unknown', false);
}
