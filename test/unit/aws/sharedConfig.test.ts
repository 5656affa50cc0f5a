import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { effectiveProfile, listProfiles, parseIni, profilesFrom, resolveRegion } from '../../../src/aws/sharedConfig';

const CONFIG = `# comment
[default]
region = eu-west-1

[profile dev-sso]
sso_session = corp
sso_account_id = 111122223333
sso_role_name = ImagingEditor
region = us-east-1

[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = us-east-1

[profile legacy-sso]
sso_start_url = https://old.awsapps.com/start
sso_account_id = 111122223333

[profile   admin-role  ]
role_arn = arn:aws:iam::111122223333:role/Admin
source_profile = default ; inline comment
s3 =
  max_concurrent_requests = 20

[profile proc]
credential_process = /usr/local/bin/get-creds

[services local]
medical-imaging =
  endpoint_url = http://127.0.0.1:4599
`;

const CREDENTIALS = `[default]
aws_access_key_id = AKIAEXAMPLE
aws_secret_access_key = secret

[static-only]
aws_access_key_id = AKIAOTHER
aws_secret_access_key = other
`;

describe('shared AWS config files', () => {
  it('parses sections and keys like the AWS CLI (comments, nested blocks, spacing)', () => {
    const ini = parseIni(CONFIG);
    assert.equal(ini.get('default')?.get('region'), 'eu-west-1');
    assert.equal(ini.get('profile admin-role')?.get('source_profile'), 'default');
    assert.equal(ini.get('profile admin-role')?.has('max_concurrent_requests'), false);
    assert.equal(ini.get('sso-session corp')?.get('sso_region'), 'us-east-1');
  });

  it('lists static, SSO, role and process profiles from both files, default first, without sso-session or services sections', () => {
    const profiles = profilesFrom(CONFIG, CREDENTIALS);
    assert.deepEqual(profiles.map((p) => [p.name, p.kind]), [
      ['default', 'static'],
      ['admin-role', 'role'],
      ['dev-sso', 'sso'],
      ['legacy-sso', 'sso'],
      ['proc', 'process'],
      ['static-only', 'static'],
    ]);
    const def = profiles[0];
    assert.deepEqual(def.sources, ['config', 'credentials']);
    assert.equal(def.region, 'eu-west-1');
    assert.equal(profiles.find((p) => p.name === 'dev-sso')?.region, 'us-east-1');
  });

  it('has no profiles for missing files', () => {
    assert.deepEqual(profilesFrom(undefined, undefined), []);
  });

  describe('with files on disk', () => {
    let dir: string;
    let env: NodeJS.ProcessEnv;
    before(() => {
      dir = mkdtempSync(join(tmpdir(), 'hi-aws-'));
      writeFileSync(join(dir, 'config'), CONFIG);
      writeFileSync(join(dir, 'credentials'), CREDENTIALS);
      env = { AWS_CONFIG_FILE: join(dir, 'config'), AWS_SHARED_CREDENTIALS_FILE: join(dir, 'credentials') };
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    it('reads the files named by AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE', async () => {
      const names = (await listProfiles(env)).map((p) => p.name);
      assert.ok(names.includes('dev-sso') && names.includes('static-only'));
    });

    it('treats missing files as empty', async () => {
      assert.deepEqual(await listProfiles({ AWS_CONFIG_FILE: join(dir, 'nope'), AWS_SHARED_CREDENTIALS_FILE: join(dir, 'nope2') }), []);
    });

    it('resolves the region: setting, then the profile, then AWS_REGION, then AWS_DEFAULT_REGION', async () => {
      assert.deepEqual(await resolveRegion('ap-southeast-2', 'dev-sso', env), { region: 'ap-southeast-2', source: 'setting' });
      assert.deepEqual(await resolveRegion(undefined, 'dev-sso', { ...env, AWS_REGION: 'us-west-2' }), { region: 'us-east-1', source: 'profile' });
      assert.deepEqual(await resolveRegion(undefined, undefined, env), { region: 'eu-west-1', source: 'profile' });
      assert.deepEqual(await resolveRegion(undefined, 'proc', { ...env, AWS_REGION: 'us-west-2' }), { region: 'us-west-2', source: 'environment' });
      assert.deepEqual(await resolveRegion(undefined, 'proc', { ...env, AWS_DEFAULT_REGION: 'eu-west-2' }), { region: 'eu-west-2', source: 'environment' });
      assert.deepEqual(await resolveRegion(undefined, 'proc', env), { source: 'none' });
    });

    it('uses AWS_PROFILE when no profile is chosen', async () => {
      assert.equal(effectiveProfile(undefined, { AWS_PROFILE: 'dev-sso' }), 'dev-sso');
      assert.equal(effectiveProfile('proc', { AWS_PROFILE: 'dev-sso' }), 'proc');
      assert.deepEqual(await resolveRegion(undefined, undefined, { ...env, AWS_PROFILE: 'dev-sso' }), { region: 'us-east-1', source: 'profile' });
    });
  });
});
