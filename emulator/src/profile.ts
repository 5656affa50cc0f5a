// The AWS profile for the local emulator: the emulator accepts any credentials, so clients only need
// a profile with a region and some keys. One definition for everything that points a client at the
// emulator: `npm start`, the test host's driver and the tests.
import * as fs from 'node:fs';
import * as path from 'node:path';

export const EMULATOR_PROFILE = 'healthimaging-emulator';
export const EMULATOR_REGION = 'us-east-1';
/** Keys that look like AWS keys; the emulator accepts these as it accepts any others. */
export const EMULATOR_CREDENTIALS = { accessKeyId: 'AKIAEMULATOREXAMPLE', secretAccessKey: 'emulator-secret' } as const;

/** The credentials-file lines of the emulator's keys (for extra profiles in test files). */
export const EMULATOR_KEYS_INI =
  `aws_access_key_id = ${EMULATOR_CREDENTIALS.accessKeyId}\naws_secret_access_key = ${EMULATOR_CREDENTIALS.secretAccessKey}\n`;

/** Where the SDK reads the files: the environment variables that point at them. */
export interface AwsProfileFiles {
  AWS_CONFIG_FILE: string;
  AWS_SHARED_CREDENTIALS_FILE: string;
}

/**
 * Writes `config` and `credentials` into `dir` (created if needed, files readable by the owner
 * only) with the profile `healthimaging-emulator` (region us-east-1), plus any extra sections.
 */
export function writeEmulatorProfile(dir: string, extra: { config?: string; credentials?: string } = {}): AwsProfileFiles {
  fs.mkdirSync(dir, { recursive: true });
  const files: AwsProfileFiles = { AWS_CONFIG_FILE: path.join(dir, 'config'), AWS_SHARED_CREDENTIALS_FILE: path.join(dir, 'credentials') };
  fs.writeFileSync(files.AWS_CONFIG_FILE,
    `[profile ${EMULATOR_PROFILE}]\nregion = ${EMULATOR_REGION}\n${extra.config ? `\n${extra.config}` : ''}`, { mode: 0o600 });
  fs.writeFileSync(files.AWS_SHARED_CREDENTIALS_FILE,
    `[${EMULATOR_PROFILE}]\n${EMULATOR_KEYS_INI}${extra.credentials ? `\n${extra.credentials}` : ''}`, { mode: 0o600 });
  return files;
}
