// Non-primary image sets in the real extension host against the emulator: Compare with Primary,
// Promote to Primary… (refused while the data conflicts, a COPY_FAILED copy, throttled, then promoted
// and the original deleted), Delete Image Set… (the question, an editor with unsaved changes, reading
// and saving a deleted image set) and Show Image Sets of This Study.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { DeleteImageSetCommand, SearchImageSetsCommand } from '@aws-sdk/client-medical-imaging';
import { MAX_ATTEMPTS_PER_REQUEST } from '../../src/aws/sdkHealthImagingClient';
import { metadataUri } from '../../src/documents/metadataUri';
import type { DatastoreNode, ExplorerNode, ImageSetNode } from '../../src/explorer/nodes';
import type { CompareResult } from '../../src/hierarchy/compareWithPrimary';
import type { DeleteResult } from '../../src/hierarchy/deleteImageSet';
import type { PromoteResult } from '../../src/hierarchy/promote';
import { until } from './helpers';
import {
  DATASTORE_ID, editJson, emulatorImageSet, emulatorMetadata, openMetadata, StudyPool, useEditingEnvironment, writeThroughProvider, type Json,
} from './saveSupport';

const shortId = (id: string) => `${id.slice(0, 8)}…`;
/** How the tree hands an image set to a command (the commands read these fields). */
const node = (imageSetId: string) => ({ kind: 'imageSet', datastoreId: DATASTORE_ID, imageSetId, summary: { imageSetId } });

describe('primary and non-primary image sets', function () {
  this.timeout(90_000);
  const t = useEditingEnvironment({ order: 'last', skip: 4 });
  let studies: StudyPool;
  before(() => { studies = new StudyPool(() => t.env.client); });

  const activeDiff = () => until('a diff editor', () => {
    const tab = vscode.window.tabGroups.activeTabGroup.activeTab;
    return tab?.input instanceof vscode.TabInputTextDiff ? { tab, input: tab.input } : undefined;
  });
  const text = async (uri: vscode.Uri): Promise<Json> => JSON.parse((await vscode.workspace.openTextDocument(uri)).getText()) as Json;
  const primaryCount = async (): Promise<number> => {
    const out = await t.env.client.send(new SearchImageSetsCommand({ datastoreId: DATASTORE_ID, maxResults: 50, searchCriteria: { filters: [{ operator: 'EQUAL', values: [{ isPrimary: true }] }] } }));
    let n = out.imageSetsMetadataSummaries?.length ?? 0;
    let nextToken = out.nextToken;
    while (nextToken) {
      const page = await t.env.client.send(new SearchImageSetsCommand({ datastoreId: DATASTORE_ID, maxResults: 50, nextToken, searchCriteria: { filters: [{ operator: 'EQUAL', values: [{ isPrimary: true }] }] } }));
      n += page.imageSetsMetadataSummaries?.length ?? 0;
      nextToken = page.nextToken;
    }
    return n;
  };
  /** The seeded non-primary duplicate of a study and the primary image set holding its series. */
  const duplicate = async () => {
    const study = await studies.take({ primaries: 1, nonPrimary: true });
    const imageSetId = study.nonPrimary[0];
    const series = Object.keys((await emulatorMetadata(t.env.client, imageSetId)).Study.Series);
    let holder = '';
    for (const p of study.primaries) {
      if (Object.keys((await emulatorMetadata(t.env.client, p)).Study.Series).some((s) => series.includes(s))) holder = p;
    }
    assert.ok(holder, 'a primary image set holds the same series');
    return { study, imageSetId, holder };
  };
  /** Edits the duplicate's patient data to match its primary counterpart and saves it (as a user does). */
  const reconcile = async (imageSetId: string, holder: string) => {
    const primary = await emulatorMetadata(t.env.client, holder);
    const editor = await openMetadata(imageSetId);
    await editJson(editor, (d) => {
      d.Patient.DICOM.PatientName = primary.Patient.DICOM.PatientName;
      d.Patient.DICOM.PatientID = primary.Patient.DICOM.PatientID;
    });
    assert.equal(await editor.document.save(), true);
    return editor;
  };

  it('Compare with Primary: a diff of the Patient, Study and Series levels against the primary image set holding the same series', async () => {
    const { imageSetId, holder } = await duplicate();

    const result = await vscode.commands.executeCommand<CompareResult>('healthImaging.compareWithPrimary', node(imageSetId));

    assert.equal(result.primaryImageSetId, holder);
    assert.equal(result.sameSeries, true);
    const { tab, input } = await activeDiff();
    assert.equal(tab.label, `${shortId(imageSetId)} (non-primary) ↔ ${shortId(holder)} (primary)`);
    assert.equal(input.original.toString(), result.left.toString());
    assert.equal(input.modified.toString(), result.right.toString());
    const left = await text(result.left);
    const right = await text(result.right);
    assert.deepEqual(Object.keys(left), ['Patient', 'Study']);
    assert.notEqual(left.Patient.DICOM.PatientName, right.Patient.DICOM.PatientName, 'the conflicting patient name is in the diff');
    assert.notEqual(left.Patient.DICOM.PatientID, right.Patient.DICOM.PatientID);
    assert.deepEqual(left.Study.DICOM, right.Study.DICOM);
    assert.deepEqual(Object.keys(left.Study.Series), Object.keys(right.Study.Series), 'the primary side shows the shared series only');
    for (const series of Object.values(left.Study.Series) as Json[]) {
      assert.deepEqual(Object.keys(series), ['DICOM', 'InstanceCount']);
      assert.ok(series.InstanceCount > 0);
    }
  });

  it('Compare with Primary on a primary image set says there is nothing to compare; from the palette it offers non-primary image sets only', async () => {
    const { study, imageSetId } = await duplicate();
    const result = await vscode.commands.executeCommand('healthImaging.compareWithPrimary', node(study.primaries[0]));
    assert.equal(result, undefined);
    assert.match(t.prompts.of('information')[0]?.message ?? '', /is primary: .* nothing to compare/);

    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    t.prompts.reply({ kind: 'quickPick', match: /Non-primary image set/, answer: (items) => items.find((i) => i.detail === imageSetId) });
    const picked = await vscode.commands.executeCommand<CompareResult>('healthImaging.compareWithPrimary');
    assert.equal(picked.left.path, `/${DATASTORE_ID}/${imageSetId}.levels.json`);
    const offered = t.prompts.of('quickPick')[0].pickItems ?? [];
    assert.ok(offered.length > 0 && offered.every((i) => /non-primary/.test(i.description ?? '')), 'only non-primary image sets are offered');
  });

  it('Compare with Primary when the study has no primary image set says so', async () => {
    const { study, imageSetId } = await duplicate();
    for (const primary of study.primaries) {
      await t.env.client.send(new DeleteImageSetCommand({ datastoreId: DATASTORE_ID, imageSetId: primary }));
    }
    await until('the deletions', async () => {
      const states = await Promise.all(study.primaries.map(async (p) => (await emulatorImageSet(t.env.client, p)).imageSetState));
      return states.every((s) => s === 'DELETED') || undefined;
    });

    const result = await vscode.commands.executeCommand('healthImaging.compareWithPrimary', metadataUri(DATASTORE_ID, imageSetId));

    assert.equal(result, undefined);
    assert.match(t.prompts.of('information')[0]?.message ?? '', /^No primary image set of study ".*" \(\d{4}-\d{2}-\d{2}\) exists in this data store, so nothing conflicts with image set [0-9a-z]{8}…: Promote to Primary… makes it the study's primary data\.$/);
  });

  it('Promote refused while the patient data differs: the message names the attributes and offers Compare with Primary; nothing is created', async () => {
    const { imageSetId, holder } = await duplicate();
    const before = await primaryCount();
    t.prompts.reply(
      { kind: 'warning', match: /^Promote image set .* to primary\?$/, answer: 'Promote' },
      { kind: 'error', match: /^HealthImaging refused to promote image set/, answer: 'Compare with Primary' },
    );

    const result = await vscode.commands.executeCommand<PromoteResult>('healthImaging.promoteToPrimary', node(imageSetId));

    assert.equal(result.outcome, 'refused');
    const [confirm] = t.prompts.of('warning');
    assert.equal(confirm.modal, true);
    assert.deepEqual(confirm.items, ['Promote']);
    assert.match(confirm.detail ?? '', /copies version 1 of image set .* into a new primary image set, with a new id\. The non-primary original stays as it is until you delete it\./);
    const error = await t.prompts.waitFor((r) => r.kind === 'error');
    assert.match(error.message, /^HealthImaging refused to promote image set [0-9a-z]{8}…: it still differs from the primary image sets of its study ".*" \(\d{4}-\d{2}-\d{2}\) at Patient level: PatientName, PatientID\. Make these attributes agree .*promote again\. Nothing was copied\.$/);
    assert.deepEqual(result.conflicts.map((c) => c.attribute), ['PatientName', 'PatientID']);
    assert.ok(result.conflicts.every((c) => c.imageSetIds.includes(holder)));
    assert.equal(await primaryCount(), before, 'nothing was promoted');
    assert.equal((await emulatorImageSet(t.env.client, imageSetId)).isPrimary, false);
    // "Compare with Primary" opened the comparison.
    const { tab } = await activeDiff();
    assert.equal(tab.label, `${shortId(imageSetId)} (non-primary) ↔ ${shortId(holder)} (primary)`);
  });

  it('Promote once the data agrees: a new primary image set, in the tree and open; deleting the original is offered and done', async () => {
    const { imageSetId, holder } = await duplicate();
    const roots = await t.env.api.explorer.getChildren();
    const datastore = roots.find((n): n is DatastoreNode => n.kind === 'datastore' && n.datastore.datastoreId === DATASTORE_ID)!;
    await t.env.api.explorer.getChildren(datastore); // the tree lists the data store before the promotion
    const original = await reconcile(imageSetId, holder);
    const versions = (await emulatorImageSet(t.env.client, imageSetId)).versionId;
    t.prompts.reply(
      { kind: 'warning', match: /^Promote image set .* to primary\?$/, answer: 'Promote' },
      { kind: 'information', match: /^Promoted image set .*: the new primary image set .* is open/, answer: 'Delete Non-Primary Original…' },
      { kind: 'warning', match: new RegExp(`^Delete image set ${imageSetId} of .*, study ".*"`), answer: 'Delete' },
    );

    const result = await vscode.commands.executeCommand<PromoteResult>('healthImaging.promoteToPrimary', original.document.uri);

    assert.equal(result.outcome, 'promoted');
    const created = (result as { imageSetId: string }).imageSetId;
    const props = await emulatorImageSet(t.env.client, created);
    assert.deepEqual([props.isPrimary, props.imageSetWorkflowStatus], [true, 'COPIED']);
    assert.deepEqual((await emulatorMetadata(t.env.client, created)).Patient, (await emulatorMetadata(t.env.client, holder)).Patient);
    await until('the new image set in the tree', async () =>
      (await t.env.api.explorer.getChildren(datastore)).some((n: ExplorerNode) => n.kind === 'imageSet' && n.imageSetId === created) || undefined);
    await until('the new image set open', () => vscode.workspace.textDocuments.some((d) => d.uri.toString() === metadataUri(DATASTORE_ID, created).toString()) || undefined);

    // "Delete Non-Primary Original…" asked its own question, then deleted the original and closed its editor.
    const question = await t.prompts.waitFor((r) => r.kind === 'warning' && /^Delete image set/.test(r.message));
    assert.equal(question.detail, `The non-primary image set ${imageSetId} is deleted from the data store with its metadata (${versions} versions) and its frames. This cannot be undone.`);
    await until('the original deleted', async () => (await emulatorImageSet(t.env.client, imageSetId)).imageSetState === 'DELETED' || undefined);
    await until('the original\'s editor closed', () => !vscode.window.tabGroups.all.flatMap((g) => g.tabs).some((tab) =>
      tab.input instanceof vscode.TabInputText && tab.input.uri.toString() === metadataUri(DATASTORE_ID, imageSetId).toString()) || undefined);
    await until('the original gone from the tree', async () =>
      !(await t.env.api.explorer.getChildren(datastore)).some((n: ExplorerNode) => n.kind === 'imageSet' && n.imageSetId === imageSetId) || undefined);
  });

  it('Promote whose copy ends COPY_FAILED: says so, names the new image set, and nothing is primary', async () => {
    const { imageSetId, holder } = await duplicate();
    await reconcile(imageSetId, holder);
    const before = await primaryCount();
    t.env.emulator.faults.failNextCopies(1, 'INTERNAL_ERROR: injected copy failure');
    t.prompts.reply(
      { kind: 'warning', match: /to primary\?$/, answer: 'Promote' },
      { kind: 'error', match: /^The copy that was to promote image set/, answer: undefined },
    );

    const result = await vscode.commands.executeCommand<PromoteResult>('healthImaging.promoteToPrimary', node(imageSetId));

    assert.equal(result.outcome, 'failed');
    assert.ok(result.imageSetId);
    assert.match(result.message, new RegExp(`failed \\(image set ${result.imageSetId!.slice(0, 8)}…, version 1: COPY_FAILED: INTERNAL_ERROR: injected copy failure\\)\\. Nothing was promoted; image set ${result.imageSetId!.slice(0, 8)}… is not primary\\.$`));
    assert.deepEqual(result.conflicts, [], 'the data agrees: the message names no attributes');
    assert.equal((await emulatorImageSet(t.env.client, result.imageSetId!)).isPrimary, false);
    assert.equal(await primaryCount(), before);
  });

  it('Promote while CopyImageSet is throttled: retried by the adapter; when it persists, a clear message and nothing copied', async () => {
    const { imageSetId, holder } = await duplicate();
    await reconcile(imageSetId, holder);
    const before = await primaryCount();
    t.env.emulator.faults.reset();
    t.env.emulator.faults.throttleNext('CopyImageSet', 100);
    t.prompts.reply(
      { kind: 'warning', match: /to primary\?$/, answer: 'Promote' },
      { kind: 'error', match: /was not promoted: HealthImaging is throttling CopyImageSet .* Nothing was copied; try again in a moment\./, answer: undefined },
    );
    assert.equal(await vscode.commands.executeCommand('healthImaging.promoteToPrimary', node(imageSetId)), undefined);
    assert.deepEqual(t.env.emulator.faults.requestCounts().CopyImageSet, { total: MAX_ATTEMPTS_PER_REQUEST, byStatus: { 429: MAX_ATTEMPTS_PER_REQUEST } });
    assert.equal(await primaryCount(), before);

    t.env.emulator.faults.reset();
    t.env.emulator.faults.throttleNext('CopyImageSet', 2);
    t.prompts.reply(
      { kind: 'warning', match: /to primary\?$/, answer: 'Promote' },
      { kind: 'information', match: /^Promoted image set/, answer: undefined },
    );
    const result = await vscode.commands.executeCommand<PromoteResult>('healthImaging.promoteToPrimary', node(imageSetId));
    assert.equal(result.outcome, 'promoted');
    assert.deepEqual(t.env.emulator.faults.requestCounts().CopyImageSet, { total: 3, byStatus: { 200: 1, 429: 2 } }, 'retried by the adapter, once accepted');
    assert.equal(await primaryCount(), before + 1);
  });

  it('Promote a primary image set: nothing to do', async () => {
    const study = await studies.take({ primaries: 1 });
    assert.equal(await vscode.commands.executeCommand('healthImaging.promoteToPrimary', node(study.primaries[0])), undefined);
    assert.match(t.prompts.of('information')[0]?.message ?? '', /is already primary/);
  });

  it('Delete Image Set…: the question names patient, study, id and versions; an editor with unsaved changes asks first; reading it afterwards says it was deleted', async () => {
    const study = await studies.take({ primaries: 2 });
    const imageSetId = study.primaries[1];
    const doc = await emulatorMetadata(t.env.client, imageSetId);
    const editor = await openMetadata(imageSetId);
    await editJson(editor, (d) => { d.Study.DICOM.StudyDescription = 'UNSAVED'; });
    t.prompts.reply(
      { kind: 'warning', match: /^Delete image set/, answer: 'Delete' },
      { kind: 'warning', match: /has unsaved changes\. Delete the image set and discard them\?$/, answer: 'Discard Changes and Delete' },
    );

    const result = await vscode.commands.executeCommand<DeleteResult>('healthImaging.deleteImageSet', metadataUri(DATASTORE_ID, imageSetId));

    assert.deepEqual(result, { datastoreId: DATASTORE_ID, imageSetId, versions: 1 });
    const [question] = t.prompts.of('warning');
    assert.equal(question.modal, true);
    assert.equal(question.message, `Delete image set ${imageSetId} of ${doc.Patient.DICOM.PatientName}, study "${doc.Study.DICOM.StudyDescription}" ` +
      `(${String(doc.Study.DICOM.StudyDate).replace(/^(\d{4})(\d{2})(\d{2})$/, '$1-$2-$3')})?`);
    assert.equal(question.detail, `The primary image set ${imageSetId} is deleted from the data store with its metadata (1 version) and its frames. This cannot be undone.`);
    assert.equal((await emulatorImageSet(t.env.client, imageSetId)).imageSetState, 'DELETED');
    assert.ok(!vscode.workspace.textDocuments.some((d) => d.uri.toString() === editor.document.uri.toString() && !d.isClosed && d.isDirty), 'the unsaved changes were discarded');
    assert.ok(!vscode.window.tabGroups.all.flatMap((g) => g.tabs).some((tab) => tab.input instanceof vscode.TabInputText && tab.input.uri.toString() === editor.document.uri.toString()));
    // The study's other image set stays.
    assert.equal((await emulatorImageSet(t.env.client, study.primaries[0])).imageSetState, 'ACTIVE');

    await assert.rejects(Promise.resolve(vscode.workspace.fs.readFile(metadataUri(DATASTORE_ID, imageSetId))),
      (e: Error) => new RegExp(`Image set ${imageSetId} was deleted`).test(e.message));
    assert.equal(await vscode.commands.executeCommand('healthImaging.deleteImageSet', node(imageSetId)), undefined);
    assert.match(t.prompts.of('information').at(-1)?.message ?? '', /is already deleted/);
  });

  it('Delete declined: nothing is deleted', async () => {
    const study = await studies.take({ primaries: 2 });
    t.prompts.reply({ kind: 'warning', match: /^Delete image set/, answer: undefined });
    assert.equal(await vscode.commands.executeCommand('healthImaging.deleteImageSet', node(study.primaries[0])), undefined);
    assert.equal((await emulatorImageSet(t.env.client, study.primaries[0])).imageSetState, 'ACTIVE');
  });

  it('saving an image set that was deleted while its editor was open: a clear message, the edit kept', async () => {
    const study = await studies.take({ primaries: 2 });
    const imageSetId = study.primaries[0];
    const editor = await openMetadata(imageSetId);
    const edited = await editJson(editor, (d) => { d.Study.DICOM.StudyDescription = 'TOO LATE'; });
    await t.env.client.send(new DeleteImageSetCommand({ datastoreId: DATASTORE_ID, imageSetId }));
    await until('the deletion', async () => (await emulatorImageSet(t.env.client, imageSetId)).imageSetState === 'DELETED' || undefined);

    await assert.rejects(writeThroughProvider(editor.document),
      /Not saved: image set .* no longer exists at HealthImaging \(it was deleted\), so there is nothing to update\. Your edit is kept/);
    assert.equal(editor.document.isDirty, true);
    assert.deepEqual(JSON.parse(editor.document.getText()), edited);
  });

  it('Show Image Sets of This Study: the explorer shows the image sets of the item\'s study, primary and non-primary', async () => {
    const { study } = await duplicate();
    const roots = await t.env.api.explorer.getChildren();
    const datastore = roots.find((n): n is DatastoreNode => n.kind === 'datastore' && n.datastore.datastoreId === DATASTORE_ID)!;
    const item = { ...node(study.primaries[0]), summary: { imageSetId: study.primaries[0], dicomTags: { studyInstanceUID: study.uid } } } as unknown as ImageSetNode;

    const filter = await vscode.commands.executeCommand<{ description: string }>('healthImaging.showStudyImageSets', item);

    assert.equal(filter.description, `Study Instance UID = ${study.uid}`);
    const fresh = (await t.env.api.explorer.getChildren()).find((n): n is DatastoreNode => n.kind === 'datastore' && n.datastore.datastoreId === DATASTORE_ID)!;
    const shown = (await t.env.api.explorer.getChildren(fresh)).filter((n): n is ImageSetNode => n.kind === 'imageSet').map((n) => n.imageSetId).sort();
    assert.deepEqual(shown, [...study.primaries, ...study.nonPrimary].sort());
    assert.ok(fresh.toTreeItem().description?.toString().includes(`filtered: Study Instance UID = ${study.uid}`));
    await vscode.commands.executeCommand('healthImaging.clearFilter', datastore);
  });
});
