// Shared by the end-to-end tests: an SDK client of the emulator, reading an
// image set's metadata, typing over a value in the JSON editor, and screenshots for the docs.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { GetImageSetMetadataCommand, MedicalImagingClient } from '@aws-sdk/client-medical-imaging';
import { EMULATOR_CREDENTIALS, EMULATOR_REGION, SEED_DATASTORE_ID } from 'healthimaging-emulator';
import { repoRoot, type E2ESession, type Locator, type Page } from '../../tools/vscode-host/driver';

export type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** A real SDK client of the session's emulator (for what the tests check behind the UI). */
export function emulatorClient(e2e: E2ESession): MedicalImagingClient {
  return new MedicalImagingClient({ endpoint: e2e.emulator.url, region: EMULATOR_REGION, disableHostPrefix: true, credentials: EMULATOR_CREDENTIALS });
}

/** An image set's metadata (a version of it) as the emulator holds it. */
export async function readMetadata(client: MedicalImagingClient, imageSetId: string, versionId?: string): Promise<Json> {
  const out = await client.send(new GetImageSetMetadataCommand({ datastoreId: SEED_DATASTORE_ID, imageSetId, versionId }));
  const bytes = Buffer.from(await out.imageSetMetadataBlob!.transformToByteArray());
  return JSON.parse((bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : bytes).toString('utf8')) as Json;
}

/** Selects `length` characters from line/column (1-based) with Go to Line and Shift+Right, then types `text` over them. */
export async function replaceAt(page: Page, line: number, column: number, length: number, text: string): Promise<void> {
  await page.keyboard.press('Control+G');
  await page.locator('.quick-input-widget .quick-input-box input').waitFor({ state: 'visible', timeout: 10_000 });
  await page.keyboard.type(`${line}:${column}`);
  await page.keyboard.press('Enter');
  for (let i = 0; i < length; i++) await page.keyboard.press('Shift+ArrowRight');
  await page.keyboard.type(text);
}

/** Line and column (1-based) of the value of the first `"key": "` in the formatted document, and the value. */
export function valuePosition(text: string, key: string): { line: number; column: number; value: string } {
  const lines = text.split('\n');
  const marker = `"${key}": "`;
  const index = lines.findIndex((l) => l.includes(marker));
  assert.ok(index >= 0, `the document has ${key}`);
  const start = lines[index].indexOf(marker) + marker.length;
  const value = lines[index].slice(start, lines[index].indexOf('"', start));
  return { line: index + 1, column: start + 1, value };
}

/**
 * A screenshot of one part of the workbench for the README: always to .test-results/screenshots/<name>.png,
 * and also to media/<mediaName>.png when HI_UPDATE_MEDIA=1 (how the docs' images are made again).
 */
export async function docsScreenshot(e2e: E2ESession, part: Locator, name: string, mediaName = name): Promise<string> {
  const file = await e2e.screenshot(name);
  await part.screenshot({ path: file });
  assert.ok(fs.statSync(file).size > 5_000, `${file} was written`);
  if (process.env.HI_UPDATE_MEDIA === '1') {
    fs.copyFileSync(file, path.join(repoRoot, 'media', `${mediaName}.png`));
  }
  return file;
}
