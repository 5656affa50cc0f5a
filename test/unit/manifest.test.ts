// The manifest (package.json) says the same as the code it describes.
import * as assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_SPLIT_ATTRIBUTE_BYTES, SERVICE_MAX_ATTRIBUTE_BYTES } from '../../src/core/updateRules';

const root = join(__dirname, '../../..');
const readJson = <T>(...parts: string[]): T => JSON.parse(readFileSync(join(root, ...parts), 'utf8')) as T;
const manifest = readJson<{
  engines: { vscode: string };
  devDependencies: Record<string, string>;
  contributes: { configuration: { properties: Record<string, { default?: unknown; maximum?: unknown }> } };
}>('package.json');

/** [major, minor, patch] of a version such as 1.139.1. */
function versionOf(text: string): [number, number, number] {
  const m = /^(\d+)\.(\d+)\.(\d+)$/.exec(text);
  assert.ok(m, `not a version: ${text}`);
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}

describe('manifest', () => {
  it('claims as the lowest VS Code the one the integration and e2e tiers run on (the test host\'s code-server)', () => {
    // code-server 4.Y.Z is VS Code 1.Y.Z; the tiers run on the host that tools/vscode-host pins.
    const codeServer = readJson<{ dependencies: Record<string, string> }>('tools', 'vscode-host', 'package.json').dependencies['code-server'];
    const [, hostMinor, hostPatch] = versionOf(codeServer);
    const host = [1, hostMinor, hostPatch] as const;
    if (existsSync(join(root, 'tools/vscode-host/node_modules/code-server/lib/vscode/package.json'))) {
      const installed = readJson<{ version: string }>('tools', 'vscode-host', 'node_modules', 'code-server', 'lib', 'vscode', 'package.json').version;
      assert.deepEqual(versionOf(installed), [...host], `the installed host is VS Code ${installed}`);
    }
    const engine = /^\^(\d+\.\d+\.\d+)$/.exec(manifest.engines.vscode);
    assert.ok(engine, `engines.vscode is a caret range: ${manifest.engines.vscode}`);
    const [major, minor, patch] = versionOf(engine[1]);
    assert.deepEqual([major, minor], [host[0], host[1]],
      `engines.vscode ${manifest.engines.vscode} must name the VS Code the tests run on, ${host.join('.')}: lower is untested, higher refuses the host`);
    assert.ok(patch <= host[2], `engines.vscode ${manifest.engines.vscode} is newer than the host ${host.join('.')}`);
    // The API types must not offer what the lowest claimed VS Code lacks.
    const [typesMajor, typesMinor] = versionOf(manifest.devDependencies['@types/vscode']);
    assert.ok(typesMajor === major && typesMinor <= minor, `@types/vscode ${manifest.devDependencies['@types/vscode']} is newer than engines.vscode`);
  });

  it('offers the split size the code defaults to, up to the service limit', () => {
    const setting = manifest.contributes.configuration.properties['healthImaging.maxAttributeBytes'];
    assert.equal(setting.default, DEFAULT_SPLIT_ATTRIBUTE_BYTES);
    assert.equal(setting.maximum, SERVICE_MAX_ATTRIBUTE_BYTES);
  });
});
