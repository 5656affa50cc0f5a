import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AccessDeniedException, ConflictException, ResourceNotFoundException, ThrottlingException, ValidationException,
} from '@aws-sdk/client-medical-imaging';
import { fromIni, fromNodeProviderChain } from '@aws-sdk/credential-providers';
import { HealthImagingError, toHealthImagingError } from '../../../src/aws/errors';
import { setAsideEnv } from '../../support/environment';

const meta = (status: number) => ({ $metadata: { httpStatusCode: status }, message: 'service says no' });

describe('mapping SDK errors to HealthImagingError', () => {
  it('maps each modelled service exception to its code, keeping the service message', () => {
    const cases: [Error, string, boolean][] = [
      [new ThrottlingException(meta(429)), 'Throttling', true],
      [new ConflictException(meta(409)), 'Conflict', false],
      [new ValidationException(meta(400)), 'Validation', false],
      [new ResourceNotFoundException(meta(404)), 'NotFound', false],
    ];
    for (const [error, code, retryable] of cases) {
      const mapped = toHealthImagingError(error, { operation: 'GetImageSet' });
      assert.ok(mapped instanceof HealthImagingError);
      assert.equal(mapped.code, code, error.name);
      assert.equal(mapped.retryable, retryable, error.name);
      assert.equal(mapped.operation, 'GetImageSet');
      assert.match(mapped.message, /service says no/);
      assert.equal(mapped.cause, error);
    }
  });

  it('names the missing IAM action for AccessDenied', () => {
    const mapped = toHealthImagingError(new AccessDeniedException(meta(403)), { operation: 'UpdateImageSetMetadata' });
    assert.equal(mapped.code, 'AccessDenied');
    assert.match(mapped.message, /medical-imaging:UpdateImageSetMetadata/);
  });

  it('maps an expired token from the service to ExpiredCredentials naming aws sso login --profile', () => {
    const error = Object.assign(new Error('The security token included in the request is expired'), { name: 'ExpiredTokenException' });
    const mapped = toHealthImagingError(error, { operation: 'ListDatastores', profile: 'dev-sso' });
    assert.equal(mapped.code, 'ExpiredCredentials');
    assert.match(mapped.message, /aws sso login --profile dev-sso/);
  });

  it('maps network failures (also nested causes) to a retryable Network error naming the endpoint', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' });
    const mapped = toHealthImagingError(refused, { operation: 'SearchImageSets', endpoint: 'http://127.0.0.1:9' });
    assert.equal(mapped.code, 'Network');
    assert.equal(mapped.retryable, true);
    assert.match(mapped.message, /http:\/\/127\.0\.0\.1:9/);
    const nested = new Error('request failed', { cause: Object.assign(new Error('x'), { code: 'ENOTFOUND' }) });
    assert.equal(toHealthImagingError(nested, { operation: 'GetImageSet' }).code, 'Network');
  });

  it('falls back on the HTTP status, and keeps HealthImagingErrors as they are', () => {
    const unknown = Object.assign(new Error('odd'), { name: 'SomethingNew', $metadata: { httpStatusCode: 503 } });
    assert.equal(toHealthImagingError(unknown, { operation: 'GetImageSet' }).code, 'Internal');
    const weird = Object.assign(new Error('odd'), { name: 'SomethingNew', $metadata: { httpStatusCode: 418 } });
    const mapped = toHealthImagingError(weird, { operation: 'GetImageSet' });
    assert.equal(mapped.code, 'Unknown');
    assert.match(mapped.message, /GetImageSet failed: SomethingNew: odd/);
    assert.equal(toHealthImagingError(mapped, { operation: 'other' }), mapped);
  });

  it('keeps the service\'s text (which may quote request values) out of the log form, with the request id', () => {
    const quoting = new ValidationException({ $metadata: { httpStatusCode: 400, requestId: 'req-123' }, message: "Value 'DOE^JANE' at 'PatientName' failed" });
    const mapped = toHealthImagingError(quoting, { operation: 'SearchImageSets' });
    assert.match(mapped.message, /DOE\^JANE/, 'the user still sees the service message');
    assert.equal(mapped.requestId, 'req-123');
    assert.equal(mapped.toLogString(), 'SearchImageSets: Validation [request req-123]');
    const network = toHealthImagingError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' }),
      { operation: 'GetImageSet', endpoint: 'http://127.0.0.1:9' });
    assert.equal(network.toLogString(), `GetImageSet: Network: ${network.message}`, 'our own messages are safe to log');
  });

  describe('errors of the real credential providers', () => {
    let dir: string;
    let restoreEnv: (() => void) | undefined;
    const vars = ['HOME', 'AWS_CONFIG_FILE', 'AWS_SHARED_CREDENTIALS_FILE', 'AWS_PROFILE', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY',
      'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI', 'AWS_CONTAINER_CREDENTIALS_FULL_URI', 'AWS_EC2_METADATA_DISABLED', 'AWS_WEB_IDENTITY_TOKEN_FILE'];
    before(() => {
      dir = mkdtempSync(join(tmpdir(), 'hi-cred-'));
      restoreEnv = setAsideEnv(vars, {
        HOME: dir, AWS_EC2_METADATA_DISABLED: 'true', AWS_CONFIG_FILE: join(dir, 'config'), AWS_SHARED_CREDENTIALS_FILE: join(dir, 'credentials'),
      });
      writeFileSync(join(dir, 'config'), [
        '[profile expired-sso]',
        'sso_start_url = https://corp.awsapps.com/start',
        'sso_region = us-east-1',
        'sso_account_id = 111122223333',
        'sso_role_name = ImagingEditor',
        'region = us-east-1',
        '[profile expired-session]',
        'sso_session = corp',
        'sso_account_id = 111122223333',
        'sso_role_name = ImagingEditor',
        '[sso-session corp]',
        'sso_start_url = https://corp.awsapps.com/start',
        'sso_region = us-east-1',
        '[profile cached-expired]',
        'sso_start_url = https://cached.awsapps.com/start',
        'sso_region = us-east-1',
        'sso_account_id = 111122223333',
        'sso_role_name = ImagingEditor',
        '',
      ].join('\n'));
      writeFileSync(join(dir, 'credentials'), '');
      // token caches as `aws sso login` leaves them, expired an hour ago
      const cache = join(dir, '.aws', 'sso', 'cache');
      mkdirSync(cache, { recursive: true });
      const sha1 = (s: string) => createHash('sha1').update(s).digest('hex');
      const expired = (startUrl: string) => JSON.stringify({
        accessToken: 'token', expiresAt: new Date(Date.now() - 3_600_000).toISOString(), region: 'us-east-1', startUrl,
      });
      writeFileSync(join(cache, `${sha1('corp')}.json`), expired('https://corp.awsapps.com/start'));
      writeFileSync(join(cache, `${sha1('https://cached.awsapps.com/start')}.json`), expired('https://cached.awsapps.com/start'));
    });
    after(() => {
      restoreEnv?.();
      rmSync(dir, { recursive: true, force: true });
    });

    it('an SSO profile without a valid session names `aws sso login --profile <p>`', async () => {
      const error = await fromIni({ profile: 'expired-sso', ignoreCache: true })().then(() => undefined, (e: unknown) => e);
      assert.ok(error instanceof Error, 'the provider must fail without an SSO token cache');
      const mapped = toHealthImagingError(error, { operation: 'ListDatastores', profile: 'expired-sso' });
      assert.equal(mapped.code, 'ExpiredCredentials', `${(error as Error).name}: ${(error as Error).message}`);
      assert.match(mapped.message, /`aws sso login --profile expired-sso`/);
    });

    for (const profile of ['expired-session', 'cached-expired']) {
      it(`an expired SSO token cache (${profile}) names \`aws sso login --profile ${profile}\``, async () => {
        const error = await fromNodeProviderChain({ profile, ignoreCache: true })().then(() => undefined, (e: unknown) => e);
        assert.ok(error instanceof Error, 'the provider must fail with an expired token');
        const mapped = toHealthImagingError(error, { operation: 'SearchImageSets', profile });
        assert.equal(mapped.code, 'ExpiredCredentials', `${(error as Error).name}: ${(error as Error).message}`);
        assert.match(mapped.message, new RegExp(`\`aws sso login --profile ${profile}\``));
      });
    }

    it('an unknown profile is NoCredentials and says how to choose one', async () => {
      const error = await fromNodeProviderChain({ profile: 'does-not-exist', ignoreCache: true })().then(() => undefined, (e: unknown) => e);
      assert.ok(error instanceof Error);
      const mapped = toHealthImagingError(error, { operation: 'ListDatastores', profile: 'does-not-exist' });
      assert.equal(mapped.code, 'NoCredentials', `${(error as Error).name}: ${(error as Error).message}`);
      assert.match(mapped.message, /does-not-exist/);
      assert.match(mapped.message, /Select AWS Profile/);
    });
  });
});
