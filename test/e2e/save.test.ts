// Saving and reverting through the real workbench (code-server in Chromium) against the seeded
// emulator: edit the patient's name in the JSON editor, Ctrl+S, see the new version in the tree
// and in the emulator; change a SOPInstanceUID, Ctrl+S, answer the real modal with "Update with
// Force"; revert from the command palette. Screenshots: .test-results/screenshots/save-*.png; with
// HI_UPDATE_MEDIA=1 the force dialog and the revert's diff and question are also written to media/ (the README's).
import * as assert from 'node:assert/strict';
import { GetImageSetCommand, SearchImageSetsCommand, type MedicalImagingClient } from '@aws-sdk/client-medical-imaging';
import { SEED_DATASTORE_ID } from 'healthimaging-emulator';
import { builtVsix, startE2E, type E2ESession } from '../../tools/vscode-host/driver';
import { until } from '../support/until';
import { docsScreenshot, emulatorClient, readMetadata, replaceAt, valuePosition, type Json } from './support';


describe('saving and reverting in the workbench', function () {
  this.timeout(180_000);
  let e2e: E2ESession;
  let client: MedicalImagingClient;
  let imageSetId: string;

  const metadata = (versionId?: string): Promise<Json> => readMetadata(client, imageSetId, versionId);
  const imageSet = () => client.send(new GetImageSetCommand({ datastoreId: SEED_DATASTORE_ID, imageSetId }));
  /** The image set once a version after `versionId` is UPDATED. */
  const untilUpdatedAfter = (versionId: string | undefined, what: string) => until(what, async () => {
    const now = await imageSet();
    return now.versionId !== versionId && now.imageSetWorkflowStatus === 'UPDATED' ? now : undefined;
  }, 30_000, 200);
  const editorText = () => e2e.page.locator('.editor-group-container.active .monaco-editor .view-lines');
  const modal = () => e2e.page.locator('.monaco-dialog-box');

  before(async () => {
    // Auto save (on by default in VS Code for the web) never sends HealthImaging metadata; off, it adds no notes.
    e2e = await startE2E({ vsix: builtVsix(), updateDelayMs: 300, settings: { 'files.autoSave': 'off' } });
    client = emulatorClient(e2e);
  });

  after(async () => {
    client?.destroy();
    await e2e?.dispose();
  });

  it('changes the patient\'s name, Ctrl+S: a new version in the tree and in the emulator', async () => {
    const { page } = e2e;
    await e2e.waitForWorkbench();
    await (await e2e.activityBarItem('HealthImaging')).click();
    const view = page.locator('.part.sidebar');
    const datastore = view.locator('.monaco-list-row[aria-label*="sample-datastore"]').first();
    await datastore.waitFor({ state: 'visible', timeout: 30_000 });
    await datastore.click();
    // A non-primary image set: HealthImaging accepts patient-level changes there.
    const row = view.locator('.monaco-list-row[aria-level="2"]').filter({ hasText: 'non-primary' }).first();
    await row.waitFor({ state: 'visible', timeout: 30_000 });
    await row.click();
    const tab = page.locator('.tabs-container .tab.active');
    await tab.waitFor({ state: 'visible', timeout: 30_000 });
    imageSetId = /([0-9a-f]{32})\.json/.exec((await tab.getAttribute('aria-label')) ?? '')?.[1] ?? '';
    assert.ok(imageSetId, 'the active tab is an image set document');
    const summaries = await client.send(new SearchImageSetsCommand({ datastoreId: SEED_DATASTORE_ID, searchCriteria: { filters: [{ operator: 'EQUAL', values: [{ isPrimary: false }] }] } }));
    assert.ok(summaries.imageSetsMetadataSummaries?.some((s) => s.imageSetId === imageSetId) ?? true);

    const before = await imageSet();
    const original = await metadata();
    const text = JSON.stringify(original, null, 2) + '\n';
    const name = valuePosition(text, 'PatientName');
    await editorText().filter({ hasText: name.value }).waitFor({ state: 'visible', timeout: 30_000 });
    await editorText().click();
    await replaceAt(page, name.line, name.column, name.value.length, 'E2E^SAVED');
    await e2e.screenshot('save-1-edited');
    await page.keyboard.press('Control+S');

    const saved = await untilUpdatedAfter(before.versionId, 'the new version in the emulator');
    assert.equal(saved.versionId, String(Number(before.versionId) + 1));
    assert.equal((await metadata()).Patient.DICOM.PatientName, 'E2E^SAVED');
    await page.locator('.tabs-container .tab.active:not(.dirty)').waitFor({ state: 'visible', timeout: 30_000 });

    // The tree shows the new version under the image set.
    // (the row clicked above stays selected through the refresh: its id is stable)
    const imageSetRow = view.locator('.monaco-list-row[aria-level="2"].selected').first();
    await imageSetRow.waitFor({ state: 'visible', timeout: 30_000 });
    await imageSetRow.locator('.monaco-tl-twistie').click();
    await view.locator('.monaco-list-row[aria-level="3"]').filter({ hasText: `Version ${saved.versionId}` }).first()
      .waitFor({ state: 'visible', timeout: 30_000 });
    await e2e.screenshot('save-2-saved-new-version-in-tree');
  });

  it('changes a SOPInstanceUID, Ctrl+S, and answers the real modal with "Update with Force"', async () => {
    const { page } = e2e;
    const before = await imageSet();
    const text = JSON.stringify(await metadata(), null, 2) + '\n';
    const uid = valuePosition(text, 'SOPInstanceUID');
    await editorText().click();
    await replaceAt(page, uid.line, uid.column, uid.value.length, '2.25.4242424242');
    await page.keyboard.press('Control+S');

    const dialog = modal();
    await dialog.waitFor({ state: 'visible', timeout: 30_000 });
    assert.match(await dialog.innerText(), /needs force/);
    // the detail names the attribute by a readable location, not by a JSON pointer of UIDs
    assert.match(await dialog.innerText(), /Series \d+ "[^"]+" \([A-Z]+\) › Instance \d+ › SOPInstanceUID: /);
    assert.doesNotMatch(await dialog.innerText(), /\/Study\/Series\//);
    await docsScreenshot(e2e, dialog, 'save-3-force-modal', 'force-modal');
    await dialog.locator('.monaco-button').filter({ hasText: 'Update with Force' }).first().click();

    const saved = await untilUpdatedAfter(before.versionId, 'the forced version');
    assert.equal(saved.overrides?.forced, true);
    const held = await metadata();
    const series = Object.values(held.Study.Series as Json)[0] as Json;
    assert.ok(series.Instances['2.25.4242424242'], 'the instance is listed under its new UID');
    await page.locator('.tabs-container .tab.active:not(.dirty)').waitFor({ state: 'visible', timeout: 30_000 });
    await editorText().filter({ hasText: '"2.25.4242424242": {' }).waitFor({ state: 'visible', timeout: 30_000 });
    await e2e.screenshot('save-4-forced');
  });

  it('reverts the image set to version 1 from the command palette', async () => {
    const { page } = e2e;
    const before = await imageSet();
    const version1 = await metadata('1');
    await editorText().click();
    await e2e.runCommand('HealthImaging: Revert Image Set to Version…');
    const option = page.locator('.quick-input-widget [role=option]').filter({ hasText: 'Version 1' }).first();
    await option.waitFor({ state: 'visible', timeout: 30_000 });
    await e2e.screenshot('save-5-revert-pick');
    await option.click();

    const dialog = modal();
    await dialog.waitFor({ state: 'visible', timeout: 30_000 });
    const question = await dialog.innerText();
    assert.match(question, /Revert image set .* to version 1\?/);
    // it lists what the revert changes: the name saved earlier, and the instance back under its old UID
    assert.match(question, /Version 1 differs from version \d+ in 3 places:/);
    assert.match(question, /Patient › PatientName/);
    assert.match(question, /› Instance \d+ \(.+\)\n.*› Instance \d+ \(.+\)/);
    // the diff of the current metadata against version 1 is open behind the question
    await page.locator('.part.editor .monaco-diff-editor').first().waitFor({ state: 'visible', timeout: 30_000 });
    await docsScreenshot(e2e, page.locator('.part.editor'), 'save-6-revert-diff-and-confirm', 'revert');
    await dialog.locator('.monaco-button').filter({ hasText: 'Revert' }).first().click();

    const reverted = await untilUpdatedAfter(before.versionId, 'the revert version');
    assert.equal(reverted.versionId, String(Number(before.versionId) + 1));
    const held = await metadata();
    assert.deepEqual(held.Patient, version1.Patient);
    assert.deepEqual(held.Study, version1.Study);
    // The tree lists the new version, and the (unmodified) editor of the image set shows version 1's metadata.
    const view = page.locator('.part.sidebar');
    await view.locator('.monaco-list-row[aria-level="3"]').filter({ hasText: `Version ${reverted.versionId}` }).first()
      .waitFor({ state: 'visible', timeout: 30_000 });
    await page.locator('.tabs-container .tab').filter({ hasText: `${imageSetId}.json` }).first().click();
    await editorText().click();
    await page.keyboard.press('Control+Home');
    // (the editor renders spaces as non-breaking spaces: match around them)
    const restored = new RegExp(`PatientName"\\W+${String(version1.Patient.DICOM.PatientName).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"`);
    try {
      await editorText().filter({ hasText: restored }).first().waitFor({ state: 'visible', timeout: 30_000 });
    } finally {
      await e2e.screenshot('save-7-reverted');
    }
    assert.doesNotMatch(await editorText().innerText(), /E2E\^SAVED/);
  });
});
