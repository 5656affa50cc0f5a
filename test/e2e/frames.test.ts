// The frames panel in the real workbench (code-server in Chromium) against the seeded emulator: open a CT
// image set's metadata, click Show Frames in the editor's title bar, and check the pixels the page drew: the
// phantom's soft tissue in the centre at the grey its window gives, air at the edge black; a window/level drag
// changes them; Go to Line into an instance shows it. Screenshots: .test-results/screenshots/frames-*.png; with
// HI_UPDATE_MEDIA=1 frames-beside-editor.png is also written to media/screenshot-frames.png (the README's).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { GetImageSetMetadataCommand, MedicalImagingClient, SearchImageSetsCommand } from '@aws-sdk/client-medical-imaging';
import { SEED_DATASTORE_ID } from 'healthimaging-emulator';
import { findJsonPointerRange, formatMetadata } from '../../src/core/metadataText';
import { builtVsix, repoRoot, startE2E, type E2ESession, type Frame } from '../../tools/vscode-host/driver';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

// What the functions evaluated in the frames page use of its DOM (this file is compiled without the DOM types).
interface Canvas { hidden: boolean; width: number; height: number; getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } }
declare const document: { querySelector(selector: string): Canvas };

async function until<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Mean grey level (red channel) of a square of the large view's canvas, centred on (x, y) in image pixels. */
function meanGrey(frame: Frame, x: number, y: number, half = 3): Promise<number> {
  return frame.evaluate(({ x, y, half }) => {
    const canvas = document.querySelector('#view canvas');
    const data = canvas.getContext('2d')!.getImageData(x - half, y - half, 2 * half + 1, 2 * half + 1).data;
    let sum = 0;
    for (let i = 0; i < data.length; i += 4) sum += data[i];
    return sum / (data.length / 4);
  }, { x, y, half });
}

describe('the frames panel in the workbench', function () {
  this.timeout(180_000);
  let e2e: E2ESession;
  let client: MedicalImagingClient;

  before(async () => {
    e2e = await startE2E({ vsix: builtVsix(), settings: { 'files.autoSave': 'off' }, viewport: { width: 1400, height: 860 } });
    client = new MedicalImagingClient({
      endpoint: e2e.emulator.url, region: 'us-east-1', disableHostPrefix: true,
      credentials: { accessKeyId: 'AKIAEMULATOREXAMPLE', secretAccessKey: 'emulator-secret' },
    });
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed') await e2e?.screenshot('frames-failure').catch(() => undefined);
  });

  after(async () => {
    client?.destroy();
    await e2e?.dispose();
  });

  it('shows a seeded CT slice beside its metadata: soft tissue grey at the centre, air black, window/level by drag', async () => {
    const { page } = e2e;
    // A seeded axial CT series, its first instance: the phantom's chest at the lung apex.
    const found = await client.send(new SearchImageSetsCommand({ datastoreId: SEED_DATASTORE_ID, maxResults: 50 }));
    let imageSetId: string | undefined;
    let first: Json | undefined;
    let text = '';
    let pointer = '';
    for (const summary of found.imageSetsMetadataSummaries ?? []) {
      const out = await client.send(new GetImageSetMetadataCommand({ datastoreId: SEED_DATASTORE_ID, imageSetId: summary.imageSetId! }));
      const doc = JSON.parse(gunzipSync(Buffer.from(await out.imageSetMetadataBlob!.transformToByteArray())).toString('utf8')) as Json;
      const series = Object.values(doc.Study.Series as Json);
      if (series.length === 1 && series[0].DICOM.SeriesDescription === 'Axial 5mm') {
        imageSetId = summary.imageSetId!;
        first = Object.values(series[0].Instances as Json).find((i: Json) => i.DICOM.InstanceNumber === '1');
        text = formatMetadata(doc);
        const twelfth = Object.values(series[0].Instances as Json).find((i: Json) => i.DICOM.InstanceNumber === '12');
        pointer = `/Study/Series/${series[0].DICOM.SeriesInstanceUID}/Instances/${twelfth.DICOM.SOPInstanceUID}/DICOM/InstanceNumber`;
        break;
      }
    }
    assert.ok(imageSetId && first, 'a seeded axial CT image set');
    assert.deepEqual([first.DICOM.WindowCenter[0], first.DICOM.WindowWidth[0], first.DICOM.RescaleIntercept], ['40', '400', '-1024']);

    await e2e.waitForWorkbench();
    await (await e2e.activityBarItem('HealthImaging')).click();
    await e2e.runCommand('HealthImaging: Open Image Set…');
    const enterId = page.locator('.quick-input-widget [role=option]').filter({ hasText: 'Enter an image set id' }).first();
    await enterId.waitFor({ state: 'visible', timeout: 30_000 });
    await enterId.click();
    // The same widget becomes an input box: wait until it lists nothing before typing.
    await page.locator('.quick-input-widget [role=option]').first().waitFor({ state: 'hidden', timeout: 10_000 });
    await page.keyboard.type(imageSetId);
    await page.keyboard.press('Enter');
    await page.locator(`.tabs-container .tab.active[aria-label*="${imageSetId}"]`).waitFor({ state: 'visible', timeout: 30_000 });

    // The metadata editor's title bar: Show Frames.
    const button = page.locator('.editor-group-container.active .editor-actions .action-label[aria-label^="Show Frames"]').first();
    await button.waitFor({ state: 'visible', timeout: 30_000 });
    await button.click();

    const frame = await until('the frames page', async () => {
      for (const f of page.frames()) {
        if (await f.locator('#view canvas').count().catch(() => 0)) return f;
      }
      return undefined;
    });
    const caption = frame.locator('#caption-instance');
    await until('the first instance in the large view', async () => /^Instance 1 · /.test((await caption.textContent().catch(() => '')) ?? ''));
    await until('the drawn frame', () => frame.evaluate(() => {
      const canvas = document.querySelector('#view canvas');
      return !canvas.hidden && canvas.width === 256 && canvas.height === 256;
    }, undefined));
    assert.equal(await frame.locator('#caption-window').textContent(), 'W 400 L 40');
    await until('the series and instance thumbnails', async () => (await frame.locator('.tile .thumb canvas').count()) >= 3);

    // Soft tissue (45 HU, noise 12 HU) through the window W 400 L 40 is grey ((45 + 0.5 - 40) / 399 + 0.5) × 255 ≈ 131;
    // air (-1000 HU) at the edge is black.
    const centre = await meanGrey(frame, 128, 128);
    const edge = await meanGrey(frame, 250, 250);
    assert.ok(centre > 110 && centre < 152, `soft tissue at the centre: grey ${centre.toFixed(1)}`);
    assert.ok(edge < 8, `air at the edge: grey ${edge.toFixed(1)}`);
    await e2e.screenshot('frames-1-ct');

    // Window/level: drag right (wider window: less contrast) and down (higher centre: darker).
    const canvas = frame.locator('#view canvas');
    const box = await canvas.boundingBox();
    assert.ok(box, 'the canvas is on screen');
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2 + 150, box.y + box.height / 2 + 60, { steps: 8 });
    await page.mouse.up();
    await until('a new window', async () => (await frame.locator('#caption-window').textContent()) !== 'W 400 L 40');
    const after = await meanGrey(frame, 128, 128);
    assert.ok(Math.abs(after - centre) > 10, `the drag changed the grey at the centre: ${centre.toFixed(1)} -> ${after.toFixed(1)}`);
    await e2e.screenshot('frames-2-window-dragged');

    // Reset Window restores the metadata's window.
    await frame.locator('#reset-window').click();
    await until('the metadata\'s window again', async () => (await frame.locator('#caption-window').textContent()) === 'W 400 L 40');
    assert.ok(Math.abs((await meanGrey(frame, 128, 128)) - centre) < 0.5);
    // Follow the cursor: Go to Line into the twelfth instance of the editor; the panel shows it.
    const range = findJsonPointerRange(text, pointer);
    assert.ok(range, pointer);
    const line = text.slice(0, range.offset).split('\n').length;
    await page.locator('.editor-group-container .monaco-editor .view-lines').first().click();
    await page.keyboard.press('Control+G');
    await page.locator('.quick-input-widget .quick-input-box input').waitFor({ state: 'visible', timeout: 10_000 });
    await page.keyboard.type(`${line}:12`);
    await page.keyboard.press('Enter');
    await until('the twelfth instance in the large view', async () => /^Instance 12 · /.test((await caption.textContent()) ?? ''));
    await until('its thumbnail selected', async () => (await frame.locator('.instance-tile[aria-selected="true"] .label').textContent()) === '#12');
    const beside = path.join(e2e.screenshotDir, 'frames-beside-editor.png');
    await page.locator('.monaco-workbench .part.editor').screenshot({ path: beside });
    if (process.env.HI_UPDATE_MEDIA === '1') fs.copyFileSync(beside, path.join(repoRoot, 'media', 'screenshot-frames.png'));

    // The panel's strict Content Security Policy held: nothing refused, no uncaught errors.
    assert.deepEqual(e2e.problems.filter((p) => p.startsWith('page error') || /Content Security Policy|Refused to/i.test(p)), []);
  });
});
