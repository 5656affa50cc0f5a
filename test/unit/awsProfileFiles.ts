// AWS config and credentials files for a test suite: the profile `healthimaging-emulator` with
// dummy keys and region us-east-1 (as `npm start` writes them), plus any extra sections, pointed at
// through AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE while the suite runs. The shell's own AWS_*
// variables are set aside for the suite and restored afterwards. Call it inside `describe`, before
// the suite's own hooks.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeEmulatorProfile } from 'healthimaging-emulator';

const AWS_VARIABLES = ['AWS_CONFIG_FILE', 'AWS_SHARED_CREDENTIALS_FILE', 'AWS_PROFILE', 'AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'];

export function useAwsProfileFiles(extra: { config?: string; credentials?: string } = {}): void {
  let dir: string | undefined;
  const saved: Record<string, string | undefined> = {};
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'hi-aws-'));
    const files = writeEmulatorProfile(dir, extra);
    for (const v of AWS_VARIABLES) {
      saved[v] = process.env[v];
      delete process.env[v];
    }
    Object.assign(process.env, files);
  });
  after(() => {
    for (const v of AWS_VARIABLES) {
      if (saved[v] === undefined) {
        delete process.env[v];
      } else {
        process.env[v] = saved[v];
      }
    }
    if (dir) {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
