// The manifest (package.json) says the same as the code it describes.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_SPLIT_ATTRIBUTE_BYTES, SERVICE_MAX_ATTRIBUTE_BYTES } from '../../src/core/updateRules';

const root = join(__dirname, '../../..');
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  contributes: { configuration: { properties: Record<string, { default?: unknown; maximum?: unknown }> } };
};

describe('manifest', () => {
  it('offers the split size the code defaults to, up to the service limit', () => {
    const setting = manifest.contributes.configuration.properties['healthImaging.maxAttributeBytes'];
    assert.equal(setting.default, DEFAULT_SPLIT_ATTRIBUTE_BYTES);
    assert.equal(setting.maximum, SERVICE_MAX_ATTRIBUTE_BYTES);
  });
});
