import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fc from 'fast-check';
import { buildUpdateCliCommands, cliMetadataUpdatesArgument, quoteForPosixShell } from '../../../src/documents/cliCommand';

/** Runs `script` in a real POSIX shell and returns stdout. */
function sh(script: string): string {
  const r = spawnSync('/bin/sh', ['-c', script], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

/** The words a shell makes of `commandLine`, by running it with `printf` in place of `aws`. */
function shellWords(commandLine: string): string[] {
  const out = sh(`printf '%s\\0' ${commandLine.replace(/^aws /, '')}`);
  return out.split('\0').slice(0, -1);
}

describe('documents/cliCommand', () => {
  describe('quoteForPosixShell', () => {
    it('leaves plain words bare and quotes everything else', () => {
      assert.equal(quoteForPosixShell('abc123'), 'abc123');
      assert.equal(quoteForPosixShell('us-east-1'), 'us-east-1');
      assert.equal(quoteForPosixShell(''), `''`);
      assert.equal(quoteForPosixShell('a b'), `'a b'`);
      assert.equal(quoteForPosixShell(`O'Brien`), `'O'\\''Brien'`);
      assert.equal(quoteForPosixShell('$HOME'), `'$HOME'`);
    });

    it('survives a real shell unchanged for any text (quotes, $, backticks, newlines, non-ASCII)', () => {
      const tricky = fc.constantFrom(`'`, `"`, '$', '`', '\\', '\n', '!', '*', '?', ' ', ';', '&', '|', '(', ')', '<', '>', '#', '~', 'é', '名', '\t');
      const text = fc.array(fc.oneof(tricky, fc.string({ minLength: 0, maxLength: 3 }), fc.string({ unit: 'binary', maxLength: 3 })), { maxLength: 12 })
        .map((parts) => parts.join('').replace(/\0/g, ''));
      const samples = fc.sample(text, 300);
      const words = shellWords(`aws ${samples.map(quoteForPosixShell).join(' ')}`);
      assert.deepEqual(words, samples);
    });
  });

  describe('buildUpdateCliCommands', () => {
    const updates = [
      { updatableAttributes: { SchemaVersion: 1.1, Patient: { DICOM: { PatientName: `O'BRIEN^JOHN $x "q"` } } } },
      { removableAttributes: { SchemaVersion: 1.1, Study: { DICOM: { StudyDescription: 'CT `chest`' } } } },
    ];

    it('writes one command per request, each against the version the previous one produces', () => {
      const text = buildUpdateCliCommands({
        datastoreId: 'd'.repeat(32), imageSetId: 'e'.repeat(32), latestVersionId: '7', force: true, updates,
        region: 'eu-west-1', profile: 'my profile',
      });
      const lines = text.trimEnd().split('\n');
      assert.equal(lines.length, 4);
      assert.equal(lines[0], '# request 1 of 2');
      assert.match(lines[2], /^# request 2 of 2: run it after the previous update has reached UPDATED$/);
      for (const [i, line] of [lines[1], lines[3]].entries()) {
        const words = shellWords(line);
        assert.deepEqual(words.slice(0, 2), ['medical-imaging', 'update-image-set-metadata']);
        const opt = (name: string) => words[words.indexOf(name) + 1];
        assert.equal(opt('--datastore-id'), 'd'.repeat(32));
        assert.equal(opt('--image-set-id'), 'e'.repeat(32));
        assert.equal(opt('--latest-version-id'), String(7 + i));
        assert.equal(opt('--profile'), 'my profile');
        assert.equal(opt('--region'), 'eu-west-1');
        assert.equal(opt('--cli-binary-format'), 'raw-in-base64-out');
        assert.ok(words.includes('--force'));
        const parsed = JSON.parse(opt('--update-image-set-metadata-updates'));
        const blobs = parsed.DICOMUpdates as Record<string, string>;
        const back = Object.fromEntries(Object.entries(blobs).map(([k, v]) => [k, JSON.parse(v)]));
        assert.deepEqual(back, updates[i]);
      }
    });

    it('has no --force, profile or region flags when they are not wanted, and no comments for one request', () => {
      const text = buildUpdateCliCommands({ datastoreId: 'a'.repeat(32), imageSetId: 'b'.repeat(32), latestVersionId: '1', force: false, updates: [updates[0]] });
      assert.equal(text.split('\n').filter(Boolean).length, 1);
      assert.doesNotMatch(text, /--force|--profile|--region|#/);
    });

    it('marks the study-wide requests with --include-study-image-sets, and only those', () => {
      const text = buildUpdateCliCommands({ datastoreId: 'a'.repeat(32), imageSetId: 'b'.repeat(32), latestVersionId: '3', force: false, updates, studyWideRequests: 1 });
      const commands = text.split('\n').filter((l) => l.startsWith('aws '));
      assert.equal(commands.length, updates.length);
      assert.ok(commands[0].split(' ').includes('--include-study-image-sets'));
      assert.ok(commands.slice(1).every((c) => !c.includes('--include-study-image-sets')));
      assert.doesNotMatch(buildUpdateCliCommands({ datastoreId: 'a', imageSetId: 'b', latestVersionId: '3', force: false, updates }), /--include-study-image-sets/);
    });

    it('rejects a version id that is not a number, naming it', () => {
      assert.throws(() => buildUpdateCliCommands({ datastoreId: 'a', imageSetId: 'b', latestVersionId: 'latest', force: false, updates }),
        /latestVersionId must be a version number, got "latest"/);
    });

    it('puts both blobs of one request in the same DICOMUpdates structure', () => {
      const arg = JSON.parse(cliMetadataUpdatesArgument({ updatableAttributes: { a: 1 }, removableAttributes: { b: 2 } }));
      assert.deepEqual(Object.keys(arg.DICOMUpdates).sort(), ['removableAttributes', 'updatableAttributes']);
      assert.equal(arg.DICOMUpdates.removableAttributes, '{"b":2}');
    });
  });
});
