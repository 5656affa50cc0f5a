// AWS config and credentials files for a test suite: the profile `healthimaging-emulator` with
// dummy keys and region us-east-1 (as `npm start` writes them), plus any extra sections, pointed at
// through AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE while the suite runs. The shell's own AWS_*
// variables are set aside for the suite and restored afterwards. Call it inside `describe`, before
// the suite's own hooks.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeEmulatorProfile } from 'healthimaging-emulator';
import { setAsideEnv } from '../support/environment';

const AWS_VARIABLES = ['AWS_CONFIG_FILE', 'AWS_SHARED_CREDENTIALS_FILE', 'AWS_PROFILE', 'AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'];

export function useAwsProfileFiles(extra: { config?: string; credentials?: string } = {}): void {
  let dir: string | undefined;
  let restoreEnv: (() => void) | undefined;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'hi-aws-'));
    restoreEnv = setAsideEnv(AWS_VARIABLES, { ...writeEmulatorProfile(dir, extra) });
  });
  after(() => {
    restoreEnv?.();
    if (dir) {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
