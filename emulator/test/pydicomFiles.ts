// The DICOM test files that Debian's python3-pydicom package ships (CT_small.dcm, MR_small.dcm, rtstruct.dcm,
// test-SR.dcm, ...), fetched once with `apt-get download` and unpacked with `dpkg -x` (no Python needed) into
// the git-ignored .test-results/pydicom/. Later calls, and later runs, reuse the unpacked folder.

import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const PACKAGE = 'python3-pydicom';
const TEST_FILES = path.join('usr', 'lib', 'python3', 'dist-packages', 'pydicom', 'data', 'test_files');

function projectRoot(): string {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`pydicomFiles: no package.json above ${__dirname}`);
    dir = parent;
  }
  return dir;
}

function run(command: string, args: string[], cwd: string): void {
  execFileSync(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], timeout: 300_000 });
}

function describeFailure(e: unknown): string {
  const err = e as { stderr?: Buffer; message?: string };
  return (err.stderr?.toString().trim() || err.message || String(e)).split('\n').slice(-3).join(' | ');
}

let cached: string | undefined;

/** The folder holding pydicom's test files; downloads and unpacks the Debian package on first use. */
export function pydicomTestFilesSync(): string {
  if (cached) return cached;
  const cacheDir = path.join(projectRoot(), '.test-results', 'pydicom');
  const ready = path.join(cacheDir, 'unpacked', TEST_FILES);
  if (fs.existsSync(path.join(ready, 'CT_small.dcm'))) return (cached = ready);

  // Work in a private folder and move the result into place, so that concurrent test processes never see
  // a half-unpacked tree.
  fs.mkdirSync(cacheDir, { recursive: true });
  const work = fs.mkdtempSync(path.join(cacheDir, 'work-'));
  try {
    try {
      run('apt-get', ['download', PACKAGE], work);
    } catch {
      // Package lists may be missing on a fresh machine.
      try {
        run('apt-get', ['update'], work);
        run('apt-get', ['download', PACKAGE], work);
      } catch (e) {
        throw new Error(`pydicomFiles: "apt-get download ${PACKAGE}" failed: ${describeFailure(e)}`);
      }
    }
    const deb = fs.readdirSync(work).find((f) => f.startsWith(`${PACKAGE}_`) && f.endsWith('.deb'));
    if (!deb) throw new Error(`pydicomFiles: apt-get download left no ${PACKAGE}_*.deb in ${work}`);
    const unpacked = path.join(work, 'unpacked');
    try {
      run('dpkg', ['-x', deb, unpacked], work);
    } catch (e) {
      throw new Error(`pydicomFiles: "dpkg -x ${deb}" failed: ${describeFailure(e)}`);
    }
    if (!fs.existsSync(path.join(unpacked, TEST_FILES, 'CT_small.dcm'))) {
      throw new Error(`pydicomFiles: ${deb} has no ${TEST_FILES}/CT_small.dcm`);
    }
    try {
      fs.renameSync(unpacked, path.join(cacheDir, 'unpacked'));
    } catch (e) {
      // Another process finished first: use its copy.
      if (!fs.existsSync(path.join(ready, 'CT_small.dcm'))) throw e;
    }
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
  return (cached = ready);
}

/** The folder holding pydicom's test files (see pydicomTestFilesSync). */
export async function pydicomTestFiles(): Promise<string> {
  return pydicomTestFilesSync();
}
