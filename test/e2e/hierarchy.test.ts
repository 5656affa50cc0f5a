// Primary and non-primary image sets through the real workbench (code-server in Chromium) against the
// seeded emulator: a Study-level edit of a primary image set answered "Update Whole Study" in the real
// modal reaches every primary image set of the study; a non-primary image set whose patient data
// conflicts is compared with the primary data, refused promotion (the notification names the
// attributes), edited to match, saved and promoted: the new primary image set shows in the tree.
// Screenshots: .test-results/screenshots/hierarchy-*.png; with HI_UPDATE_MEDIA=1 also media/study-wide-modal.png
// and media/compare-with-primary.png (the README's).
import * as assert from 'node:assert/strict';
import { GetImageSetCommand, SearchImageSetsCommand, type ImageSetsMetadataSummary, type MedicalImagingClient } from '@aws-sdk/client-medical-imaging';
import { SEED_DATASTORE_ID } from 'healthimaging-emulator';
import { builtVsix, startE2E, type E2ESession, type Locator } from '../../tools/vscode-host/driver';
import { until } from '../support/until';
import { docsScreenshot, emulatorClient, readMetadata, replaceAt, valuePosition, type Json } from './support';

const datastoreId = SEED_DATASTORE_ID;

interface Study { uid: string; primaries: string[]; nonPrimary: string[] }

async function seededStudies(client: MedicalImagingClient): Promise<Study[]> {
  const all: ImageSetsMetadataSummary[] = [];
  let nextToken: string | undefined;
  do {
    const page = await client.send(new SearchImageSetsCommand({ datastoreId, maxResults: 50, nextToken, searchCriteria: {} }));
    all.push(...(page.imageSetsMetadataSummaries ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  const byUid = new Map<string, Study>();
  for (const s of all) {
    const uid = s.DICOMTags?.DICOMStudyInstanceUID;
    if (!uid) continue;
    const study = byUid.get(uid) ?? { uid, primaries: [], nonPrimary: [] };
    (s.isPrimary === false ? study.nonPrimary : study.primaries).push(s.imageSetId!);
    byUid.set(uid, study);
  }
  return [...byUid.values()].sort((a, b) => a.uid.localeCompare(b.uid));
}

describe('primary and non-primary image sets in the workbench', function () {
  this.timeout(240_000);
  let e2e: E2ESession;
  let client: MedicalImagingClient;
  let studies: Study[];

  const view = () => e2e.page.locator('.part.sidebar');
  const imageSetRows = () => view().locator('.monaco-list-row[aria-level="2"]');
  const modal = () => e2e.page.locator('.monaco-dialog-box');
  const activeTab = () => e2e.page.locator('.tabs-container .tab.active');
  const editorText = () => e2e.page.locator('.editor-group-container.active .monaco-editor .view-lines');
  /** A notification's text, from its toast or else from the notification center (toasts may be hidden). */
  async function notification(text: RegExp): Promise<string> {
    const item = e2e.page.locator('.notification-list-item').filter({ hasText: text }).first();
    try {
      await item.waitFor({ state: 'visible', timeout: 10_000 });
    } catch {
      await e2e.runCommand('Notifications: Show Notifications');
      await item.waitFor({ state: 'visible', timeout: 60_000 });
    }
    const shown = await item.innerText();
    await e2e.page.keyboard.press('Escape');
    return shown;
  }
  const version = async (imageSetId: string) => client.send(new GetImageSetCommand({ datastoreId, imageSetId }));

  /** Filters the explorer by a Study Instance UID through the view's Filter command, as a user does. */
  async function showStudy(uid: string, expectedRows: number): Promise<void> {
    const { page } = e2e;
    try {
      await e2e.runCommand('HealthImaging: Filter Image Sets…');
    } catch (e) {
      await e2e.screenshot('hierarchy-failed-filter');
      throw e;
    }
    const kind = page.locator('.quick-input-widget [role=option]').filter({ hasText: 'Study Instance UID' }).first();
    await kind.waitFor({ state: 'visible', timeout: 30_000 });
    await kind.click();
    // the same widget turns into the input box of the value: wait for its title
    await page.locator('.quick-input-widget .quick-input-title').filter({ hasText: 'Filter by Study Instance UID' }).waitFor({ state: 'visible', timeout: 10_000 });
    await page.keyboard.type(uid);
    await page.keyboard.press('Enter');
    await view().locator('.monaco-list-row[aria-level="1"]').filter({ hasText: uid }).first().waitFor({ state: 'visible', timeout: 30_000 });
    await until(`${expectedRows} image sets of the study in the tree`, async () => (await imageSetRows().count()) === expectedRows || undefined, 30_000, 200);
  }

  /** Runs a command from an item's context menu. */
  async function contextMenu(row: Locator, label: string): Promise<void> {
    await row.click({ button: 'right' });
    const item = e2e.page.locator('.monaco-menu .action-item .action-label').filter({ hasText: label }).first();
    await item.waitFor({ state: 'visible', timeout: 10_000 });
    await item.click();
  }

  /** Clicks a modal's button once the modal shows `text`. */
  async function answerModal(text: RegExp, button: string, screenshot?: string): Promise<string> {
    const dialog = modal();
    await dialog.waitFor({ state: 'visible', timeout: 30_000 });
    await dialog.filter({ hasText: text }).waitFor({ state: 'visible', timeout: 10_000 });
    const shown = await dialog.innerText();
    if (screenshot) await docsScreenshot(e2e, dialog, screenshot);
    await dialog.locator('.monaco-button').filter({ hasText: button }).first().click();
    await dialog.waitFor({ state: 'hidden', timeout: 10_000 });
    return shown;
  }

  /** Types over the first `"key": "<value>"` of the active metadata editor. */
  async function typeOver(text: string, key: string, value: string): Promise<void> {
    const at = valuePosition(text, key);
    await editorText().click();
    await replaceAt(e2e.page, at.line, at.column, at.value.length, value);
  }

  before(async () => {
    // Auto save (on by default in VS Code for the web) never sends HealthImaging metadata; off, it adds no notes.
    // (a window of a laptop's size keeps the docs' screenshots small)
    e2e = await startE2E({ vsix: builtVsix(), updateDelayMs: 300, settings: { 'files.autoSave': 'off' }, viewport: { width: 1200, height: 760 } });
    client = emulatorClient(e2e);
    studies = await seededStudies(client);
    await e2e.waitForWorkbench();
    await (await e2e.activityBarItem('HealthImaging')).click();
    const datastore = view().locator('.monaco-list-row[aria-label*="sample-datastore"]').first();
    await datastore.waitFor({ state: 'visible', timeout: 60_000 });
    await datastore.click();
    await imageSetRows().first().waitFor({ state: 'visible', timeout: 30_000 });
  });

  after(async () => {
    client?.destroy();
    await e2e?.dispose();
  });

  it('a Study-level edit answered "Update Whole Study" in the modal: every primary image set of the study gets the new value in a new version', async () => {
    const { page } = e2e;
    const study = studies.find((s) => s.primaries.length === 4 && s.nonPrimary.length === 0);
    assert.ok(study, 'the seed has a study of four primary image sets');
    await showStudy(study.uid, 4);
    await imageSetRows().first().click();
    await activeTab().waitFor({ state: 'visible', timeout: 30_000 });
    const imageSetId = /([0-9a-f]{32})\.json/.exec((await activeTab().getAttribute('aria-label')) ?? '')?.[1] ?? '';
    assert.ok(study.primaries.includes(imageSetId), 'the active tab is an image set of the study');
    const original = await readMetadata(client, imageSetId);
    const text = JSON.stringify(original, null, 2) + '\n';
    await editorText().filter({ hasText: String(original.Study.DICOM.StudyDescription) }).first().waitFor({ state: 'visible', timeout: 30_000 });
    await typeOver(text, 'StudyDescription', 'CT CHEST REVIEWED');
    await page.keyboard.press('Control+S');

    const shown = await answerModal(/Update the whole study\?/, 'Update Whole Study', 'study-wide-modal');
    assert.match(shown, /changes the Study level of study ".*" \(\d{4}-\d{2}-\d{2}\), which has 3 other primary image sets\. Update the whole study\?/);
    assert.match(shown, /Changed at the Study level: StudyDescription\./);
    assert.match(shown, /Only This Image Set/);

    for (const id of study.primaries) {
      const done = await until(`image set ${id} UPDATED at version 2`, async () => {
        const now = await version(id);
        return now.versionId === '2' && now.imageSetWorkflowStatus === 'UPDATED' ? now : undefined;
      }, 60_000, 200);
      assert.equal(done.imageSetState, 'ACTIVE');
      assert.equal((await readMetadata(client, id)).Study.DICOM.StudyDescription, 'CT CHEST REVIEWED', id);
    }
    await page.locator('.tabs-container .tab.active:not(.dirty)').waitFor({ state: 'visible', timeout: 30_000 });
    await e2e.screenshot('hierarchy-1-study-updated');
  });

  it('a non-primary image set: compared, refused promotion naming the attribute, edited to match, saved, promoted; the new primary image set shows in the tree', async () => {
    const { page } = e2e;
    // A seeded non-primary duplicate (its patient data differs) and the primary image set holding its series.
    let found: { study: Study; duplicate: string; holder: Json } | undefined;
    for (const study of studies.filter((s) => s.nonPrimary.length === 1 && s.primaries.length >= 2)) {
      const duplicate = await readMetadata(client, study.nonPrimary[0]);
      for (const p of study.primaries) {
        const doc = await readMetadata(client, p);
        if (Object.keys(doc.Study.Series).some((uid) => duplicate.Study.Series[uid])) found = { study, duplicate: study.nonPrimary[0], holder: doc };
      }
      if (found) break;
    }
    assert.ok(found, 'the seed has a non-primary duplicate with a primary counterpart');
    const { study, duplicate, holder } = found;
    const rows = study.primaries.length + 1;
    await showStudy(study.uid, rows);
    const nonPrimaryRow = () => imageSetRows().filter({ hasText: 'non-primary' }).first();

    // Compare with Primary: the diff of the two image sets' Patient, Study and Series levels.
    await contextMenu(nonPrimaryRow(), 'Compare with Primary');
    const diffTab = page.locator('.tabs-container .tab.active').filter({ hasText: '(non-primary) ↔' });
    await diffTab.waitFor({ state: 'visible', timeout: 30_000 });
    await page.locator('.editor-group-container.active .monaco-diff-editor').first().waitFor({ state: 'visible', timeout: 30_000 });
    await page.locator('.editor-group-container.active .monaco-diff-editor .view-lines').filter({ hasText: 'PatientName' }).first().waitFor({ state: 'visible', timeout: 30_000 });
    await docsScreenshot(e2e, page.locator('.part.editor'), 'compare-with-primary');

    // Promote while the patient data still differs: refused, and the notification names the attributes.
    await contextMenu(nonPrimaryRow(), 'Promote to Primary…');
    await answerModal(/to primary\?/, 'Promote');
    const refused = await notification(/refused to promote/);
    assert.match(refused, /at Patient level: PatientName, PatientID/);
    await e2e.screenshot('hierarchy-2-promote-refused');
    assert.equal((await version(duplicate)).isPrimary, false);

    // Edit the non-primary image set to match the primary data, and save.
    await nonPrimaryRow().click();
    await activeTab().filter({ hasText: `${duplicate}.json` }).waitFor({ state: 'visible', timeout: 30_000 });
    const current = await readMetadata(client, duplicate);
    await editorText().filter({ hasText: String(current.Patient.DICOM.PatientName) }).first().waitFor({ state: 'visible', timeout: 30_000 });
    await typeOver(JSON.stringify(current, null, 2) + '\n', 'PatientName', holder.Patient.DICOM.PatientName);
    await typeOver(JSON.stringify({ ...current, Patient: { DICOM: { ...current.Patient.DICOM, PatientName: holder.Patient.DICOM.PatientName } } }, null, 2) + '\n',
      'PatientID', holder.Patient.DICOM.PatientID);
    await page.keyboard.press('Control+S');
    await until('the edit saved', async () => {
      const now = await version(duplicate);
      return now.versionId === '2' && now.imageSetWorkflowStatus === 'UPDATED' ? now : undefined;
    }, 60_000, 200);
    assert.deepEqual((await readMetadata(client, duplicate)).Patient, holder.Patient);

    // Promote again: a new primary image set, in the tree and open.
    await contextMenu(nonPrimaryRow(), 'Promote to Primary…');
    await answerModal(/to primary\?/, 'Promote');
    await notification(/Promoted image set/);
    const promoted = await until('a new primary image set of the study', async () => {
      const out = await client.send(new SearchImageSetsCommand({
        datastoreId, searchCriteria: { filters: [{ operator: 'EQUAL', values: [{ DICOMStudyInstanceUID: study.uid }] }, { operator: 'EQUAL', values: [{ isPrimary: true }] }] },
      }));
      return out.imageSetsMetadataSummaries?.find((s) => !study.primaries.includes(s.imageSetId!));
    }, 60_000, 200);
    await until('the new image set in the tree', async () => (await imageSetRows().count()) === rows + 1 || undefined, 30_000, 200);
    await activeTab().filter({ hasText: `${promoted.imageSetId}.json` }).waitFor({ state: 'visible', timeout: 30_000 });
    assert.equal((await version(duplicate)).isPrimary, false, 'the original stays non-primary until it is deleted');
    await e2e.screenshot('hierarchy-3-promoted');
  });
});
