// Clicks through the real workbench (code-server in Chromium) against the seeded
// emulator: activity bar -> HealthImaging -> sample-datastore -> an image set ->
// its metadata opens as a JSON document that shows the patient's name.
// Screenshots: .test-results/screenshots/browse-*.png
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { GetImageSetMetadataCommand, ListDatastoresCommand, MedicalImagingClient } from '@aws-sdk/client-medical-imaging';
import { gunzipSync } from 'node:zlib';
import { EMULATOR_CREDENTIALS, EMULATOR_REGION } from 'healthimaging-emulator';
import { builtVsix, startE2E, type E2ESession } from '../../tools/vscode-host/driver';

describe('browsing an image set in the workbench', function () {
  this.timeout(180_000);
  let e2e: E2ESession;

  before(async () => {
    e2e = await startE2E({ vsix: builtVsix() });
  });

  after(async () => {
    await e2e?.dispose();
  });

  it('opens the metadata of an image set from the HealthImaging view and shows the patient name', async () => {
    const { page } = e2e;
    await e2e.waitForWorkbench();
    const item = await e2e.activityBarItem('HealthImaging');
    await item.click();

    // The view lists the seeded data store; expanding it lists its image sets.
    const view = page.locator('.part.sidebar');
    const datastore = view.locator('.monaco-list-row[aria-label*="sample-datastore"]').first();
    await datastore.waitFor({ state: 'visible', timeout: 30_000 });
    await datastore.click();
    const imageSets = view.locator('.monaco-list-row[aria-level="2"]');
    await imageSets.first().waitFor({ state: 'visible', timeout: 30_000 });
    assert.ok(await imageSets.count() > 1, 'the data store lists image sets');
    await e2e.screenshot('browse-1-tree');

    // Click the first image set: its metadata opens as healthimaging:/<datastoreId>/<imageSetId>.json.
    await imageSets.first().click();
    const tab = page.locator('.tabs-container .tab.active');
    // Reading and formatting the document took over 30 s on a busy two-core machine.
    await tab.waitFor({ state: 'visible', timeout: 90_000 });
    const tabLabel = (await tab.getAttribute('aria-label')) ?? '';
    const imageSetId = /([0-9a-f]{32})\.json/.exec(tabLabel)?.[1];
    assert.ok(imageSetId, `the active tab names an image set document, got "${tabLabel}"`);

    // What the service holds for that image set, read with the real SDK.
    const client = new MedicalImagingClient({
      endpoint: e2e.emulator.url, region: EMULATOR_REGION, disableHostPrefix: true, credentials: EMULATOR_CREDENTIALS,
    });
    const metadata = await readMetadata(client, imageSetId);
    const patientName = (metadata as { Patient?: { DICOM?: { PatientName?: string } } }).Patient?.DICOM?.PatientName;
    assert.ok(patientName, 'the seeded image set has a patient name');

    const editor = page.locator('.editor-group-container.active .monaco-editor .view-lines');
    await editor.filter({ hasText: patientName }).waitFor({ state: 'visible', timeout: 90_000 });
    assert.match(await editor.innerText(), /"PatientName"/);
    const file = await e2e.screenshot('browse-2-metadata');
    assert.ok(fs.statSync(file).size > 10_000, 'the screenshot was written');
  });
});

async function readMetadata(client: MedicalImagingClient, imageSetId: string): Promise<unknown> {
  const stores = await client.send(new ListDatastoresCommand({}));
  const datastoreId = stores.datastoreSummaries?.find((d) => d.datastoreName === 'sample-datastore')?.datastoreId;
  assert.ok(datastoreId, 'the emulator lists sample-datastore');
  const out = await client.send(new GetImageSetMetadataCommand({ datastoreId, imageSetId }));
  assert.ok(out.imageSetMetadataBlob, 'GetImageSetMetadata returned a body');
  const bytes = Buffer.from(await out.imageSetMetadataBlob.transformToByteArray());
  return JSON.parse((bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : bytes).toString('utf8'));
}
