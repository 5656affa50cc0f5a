// The save flow in the real extension host against the emulator, one branch per test. Dialog
// answers are scripted with the recording fake; every test checks what the emulator holds
// afterwards AND what the editor holds.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { SearchImageSetsCommand, UpdateImageSetMetadataCommand } from '@aws-sdk/client-medical-imaging';
import { MAX_ATTEMPTS_PER_REQUEST } from '../../src/aws/sdkHealthImagingClient';
import { metadataUri } from '../../src/documents/metadataUri';
import { until } from './helpers';
import {
  DATASTORE_ID, useEditingEnvironment, editJson, emulatorImageSet, emulatorMetadata, emulatorVersions, firstInstance,
  openLargeImageSet, openMetadata, setText, untilEditorShowsEmulator, updateElsewhere, writeThroughProvider, type Json,
} from './saveSupport';

describe('save flow', function () {
  this.timeout(60_000);
  const t = useEditingEnvironment({ order: 'first' });

  const questions = () => t.prompts.recorded.filter((r) => r.modal || r.items.length > 0);

  it('plain save: sends the change against the base version, follows it to UPDATED, shows the new version', async () => {
    const id = await t.pool.take('nonPrimary');
    const editor = await openMetadata(id);
    const before = await emulatorImageSet(t.env.client, id);
    await editJson(editor, (d) => { d.Patient.DICOM.PatientName = 'SAVED^PLAIN'; });

    assert.equal(await editor.document.save(), true);

    const after = await emulatorImageSet(t.env.client, id);
    assert.equal(after.versionId, String(Number(before.versionId) + 1));
    assert.equal(after.imageSetWorkflowStatus, 'UPDATED');
    assert.notEqual(after.overrides?.forced, true);
    const held = await untilEditorShowsEmulator(t.env.client, editor.document, id);
    assert.equal(held.Patient.DICOM.PatientName, 'SAVED^PLAIN');
    assert.deepEqual(questions(), []);
  });

  it('force accepted: the modal lists the attribute and why; the version is forced', async () => {
    const id = await t.pool.take('nonPrimary');
    const editor = await openMetadata(id);
    const before = await emulatorImageSet(t.env.client, id);
    let instance!: ReturnType<typeof firstInstance>;
    let editedSeries!: Json;
    await editJson(editor, (d) => {
      instance = firstInstance(d);
      editedSeries = d.Study.Series[instance.seriesUid];
      instance.instance.DICOM.SOPInstanceUID = '2.25.123456789.1';
    });
    t.prompts.reply({ kind: 'warning', match: /needs force/, answer: 'Update with Force' });

    assert.equal(await editor.document.save(), true);

    const [modal] = questions();
    assert.equal(modal.modal, true);
    assert.deepEqual(modal.items, ['Update with Force']);
    // a readable location, not a JSON pointer: Series <n> "<description>" (<modality>) › Instance <n> › SOPInstanceUID
    const series = editedSeries.DICOM;
    const location = `Series ${String(series.SeriesNumber).trim()} "${series.SeriesDescription}" (${series.Modality}) › Instance ${instance.instance.DICOM.InstanceNumber} › SOPInstanceUID: `;
    assert.ok((modal.detail ?? '').startsWith(location), `${modal.detail} starts with ${location}`);
    assert.doesNotMatch(modal.detail ?? '', /\/Study\/Series\//);
    const after = await emulatorImageSet(t.env.client, id);
    assert.equal(after.versionId, String(Number(before.versionId) + 1));
    assert.equal(after.overrides?.forced, true);
    const held = await untilEditorShowsEmulator(t.env.client, editor.document, id);
    assert.ok(held.Study.Series[instance.seriesUid].Instances['2.25.123456789.1'], 'the instance is now listed under its new UID');
  });

  it('force declined: nothing is sent, the save fails and the edit stays in the dirty editor', async () => {
    const id = await t.pool.take('nonPrimary');
    const editor = await openMetadata(id);
    const before = await emulatorImageSet(t.env.client, id);
    const original = await emulatorMetadata(t.env.client, id);
    const edited = await editJson(editor, (d) => { d.Study.DICOM.StudyInstanceUID = '2.25.99887766'; });
    t.prompts.reply({ kind: 'warning', match: /needs force/, answer: undefined });

    assert.equal(await editor.document.save(), false);

    assert.equal((await emulatorImageSet(t.env.client, id)).versionId, before.versionId);
    assert.deepEqual(await emulatorMetadata(t.env.client, id), original);
    assert.equal(editor.document.isDirty, true);
    assert.deepEqual(JSON.parse(editor.document.getText()), edited);
    t.prompts.reply({ kind: 'warning', match: /needs force/, answer: undefined });
    await assert.rejects(writeThroughProvider(editor.document), /needs force, which was declined/);
    assert.equal(t.prompts.of('warning').length, 2);
  });

  it('refused edit: the save fails naming the path and reason, nothing is sent, the editor stays dirty', async () => {
    const id = await t.pool.take('primary');
    const editor = await openMetadata(id);
    const before = await emulatorImageSet(t.env.client, id);
    const edited = await editJson(editor, (d) => { d.ImageSetID = '0'.repeat(32); });

    await assert.rejects(writeThroughProvider(editor.document),
      (e: Error) => /HealthImaging would refuse/.test(e.message) && e.message.includes('ImageSetID: ImageSetID is set by HealthImaging'));
    assert.equal(await editor.document.save(), false);

    assert.equal((await emulatorImageSet(t.env.client, id)).versionId, before.versionId);
    assert.equal(editor.document.isDirty, true);
    assert.deepEqual(JSON.parse(editor.document.getText()), edited);
    assert.deepEqual(questions(), []);
  });

  it('primary image set: a change that would need force is refused with an explanation instead of the offer', async () => {
    const id = await t.pool.take('primary');
    const editor = await openMetadata(id);
    const before = await emulatorImageSet(t.env.client, id);
    await editJson(editor, (d) => { d.Study.DICOM.StudyInstanceUID = '2.25.5544332211'; });

    await assert.rejects(writeThroughProvider(editor.document),
      (e: Error) => e.message.includes('Study › StudyInstanceUID: ') && /primary/i.test(e.message));
    assert.deepEqual(questions(), [], 'no force offer on a primary image set');
    assert.equal((await emulatorImageSet(t.env.client, id)).versionId, before.versionId);
    assert.equal(editor.document.isDirty, true);
  });

  it('invalid JSON: the save fails with line and column, nothing is sent, the editor keeps the text', async () => {
    const id = await t.pool.take('primary');
    const editor = await openMetadata(id);
    const before = await emulatorImageSet(t.env.client, id);
    const text = editor.document.getText().replace(/"Study": \{/, '"Study": {,');
    await setText(editor, text);
    const line = text.split('\n').findIndex((l) => l.includes('"Study": {,')) + 1;

    await assert.rejects(writeThroughProvider(editor.document, text),
      (e: Error) => /not valid JSON/.test(e.message) && e.message.includes(`line ${line}, column`));
    assert.equal(await editor.document.save(), false);

    assert.equal((await emulatorImageSet(t.env.client, id)).versionId, before.versionId);
    assert.equal(editor.document.isDirty, true);
    assert.equal(editor.document.getText(), text);
  });

  it('no change (only formatting): nothing is sent and the editor is saved', async () => {
    const id = await t.pool.take('primary');
    const editor = await openMetadata(id);
    const versionsBefore = await emulatorVersions(t.env.client, id);
    await setText(editor, JSON.stringify(JSON.parse(editor.document.getText())));

    assert.equal(await editor.document.save(), true);

    assert.equal((await emulatorVersions(t.env.client, id)).length, versionsBefore.length);
    assert.equal(editor.document.isDirty, false);
    assert.deepEqual(JSON.parse(editor.document.getText()), await emulatorMetadata(t.env.client, id));
  });

  it('stale base with Overwrite: applies the edit on top of the newer version, keeping its other changes', async () => {
    const id = await t.pool.take('nonPrimary');
    const editor = await openMetadata(id);
    const base = await emulatorImageSet(t.env.client, id);
    await editJson(editor, (d) => { d.Patient.DICOM.PatientName = 'MINE^OVERWRITE'; });
    const theirs = await updateElsewhere(t.env.client, id, { Study: { DICOM: { StudyDescription: 'CHANGED ELSEWHERE' } } });
    assert.equal(theirs, String(Number(base.versionId) + 1));

    // What VS Code's "Overwrite" does: write the editor's text although the file is newer.
    await writeThroughProvider(editor.document);

    const after = await emulatorImageSet(t.env.client, id);
    assert.equal(after.versionId, String(Number(theirs) + 1));
    const held = await emulatorMetadata(t.env.client, id);
    assert.equal(held.Patient.DICOM.PatientName, 'MINE^OVERWRITE');
    assert.equal(held.Study.DICOM.StudyDescription, 'CHANGED ELSEWHERE');
    assert.deepEqual(questions(), [], 'no overlap: no extra question');
    await vscode.commands.executeCommand('workbench.action.files.revert');
    await untilEditorShowsEmulator(t.env.client, editor.document, id);
  });

  it('stale base touching what the other version changed: shows what will be sent, then overwrites', async () => {
    const id = await t.pool.take('nonPrimary');
    const editor = await openMetadata(id);
    await editJson(editor, (d) => { d.Patient.DICOM.PatientName = 'MINE^BOTH'; });
    const theirs = await updateElsewhere(t.env.client, id, { Patient: { DICOM: { PatientName: 'THEIRS^BOTH' } } });
    t.prompts.reply({ kind: 'warning', match: /Overwrite them with your values/, answer: 'Overwrite' });

    await writeThroughProvider(editor.document);

    const [modal] = questions();
    assert.equal(modal.modal, true);
    assert.match(modal.detail ?? '', /^Patient › PatientName: version \d+ has "THEIRS\^BOTH"; yours is "MINE\^BOTH"/);
    const after = await emulatorImageSet(t.env.client, id);
    assert.equal(after.versionId, String(Number(theirs) + 1));
    assert.equal((await emulatorMetadata(t.env.client, id)).Patient.DICOM.PatientName, 'MINE^BOTH');
  });

  it('stale document saved with document.save(): VS Code reports the newer version instead of overwriting it', async () => {
    const id = await t.pool.take('nonPrimary');
    const editor = await openMetadata(id);
    await editJson(editor, (d) => { d.Patient.DICOM.PatientName = 'MINE^STALE'; });
    const theirs = await updateElsewhere(t.env.client, id, { Study: { DICOM: { StudyDescription: 'THEIRS^STALE' } } });

    // VS Code compares the file's mtime and size with what it opened, and offers Compare / Overwrite
    // (its own notification, which a test cannot click) instead of writing.
    const saved = await editor.document.save();

    assert.equal(saved, false);
    assert.equal((await emulatorImageSet(t.env.client, id)).versionId, theirs, 'no version was created by the stale save');
    const held = await emulatorMetadata(t.env.client, id);
    assert.notEqual(held.Patient.DICOM.PatientName, 'MINE^STALE');
    assert.equal(held.Study.DICOM.StudyDescription, 'THEIRS^STALE');
    assert.equal(editor.document.isDirty, true);
    assert.equal(JSON.parse(editor.document.getText()).Patient.DICOM.PatientName, 'MINE^STALE');
    assert.deepEqual(questions(), [], 'the save flow was not even asked');
  });

  it('ConflictException (the image set changed between plan and submit): error with Compare, edit kept', async () => {
    const id = await t.pool.take('nonPrimary');
    const editor = await openMetadata(id);
    let theirs = '';
    const edited = await editJson(editor, (d) => { firstInstance(d).instance.DICOM.SOPInstanceUID = '2.25.4242'; });
    t.prompts.reply(
      // While the force dialog is open, someone else updates the image set.
      { kind: 'warning', match: /needs force/, answer: 'Update with Force',
        before: async () => { theirs = await updateElsewhere(t.env.client, id, { Study: { DICOM: { StudyDescription: 'RACE' } } }); } },
      { kind: 'error', match: /changed at HealthImaging while saving/, answer: 'Compare' },
    );

    await assert.rejects(writeThroughProvider(editor.document),
      /changed at HealthImaging while saving/);

    assert.equal((await emulatorImageSet(t.env.client, id)).versionId, theirs);
    assert.equal((await emulatorMetadata(t.env.client, id)).Study.DICOM.StudyDescription, 'RACE');
    assert.equal(editor.document.isDirty, true);
    assert.deepEqual(JSON.parse(editor.document.getText()), edited);
    // "Compare" opened the latest version (left) against the editor (right).
    const diff = await until('the Compare diff', () => {
      const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
      return input instanceof vscode.TabInputTextDiff ? input : undefined;
    });
    assert.equal(diff.original.toString(), metadataUri(DATASTORE_ID, id, theirs).toString());
    assert.equal(diff.modified.toString(), editor.document.uri.toString());
  });

  it('image set locked by an update in progress: waits for it, then applies the edit on top', async () => {
    const id = await t.pool.take('nonPrimary');
    const editor = await openMetadata(id);
    const base = await emulatorImageSet(t.env.client, id);
    await editJson(editor, (d) => { d.Patient.DICOM.PatientName = 'AFTER^LOCK'; });
    t.env.emulator.faults.setUpdateDelay(1500);
    const running = await t.env.client.send(new UpdateImageSetMetadataCommand({
      datastoreId: DATASTORE_ID, imageSetId: id, latestVersionId: base.versionId!,
      updateImageSetMetadataUpdates: { DICOMUpdates: { updatableAttributes: new TextEncoder().encode(JSON.stringify({ SchemaVersion: 1.1, Study: { DICOM: { StudyDescription: 'WHILE LOCKED' } } })) } },
    }));
    assert.equal(running.imageSetState, 'LOCKED');

    await writeThroughProvider(editor.document);

    const after = await emulatorImageSet(t.env.client, id);
    assert.equal(after.versionId, String(Number(running.latestVersionId) + 1));
    const held = await emulatorMetadata(t.env.client, id);
    assert.equal(held.Patient.DICOM.PatientName, 'AFTER^LOCK');
    assert.equal(held.Study.DICOM.StudyDescription, 'WHILE LOCKED');
    assert.deepEqual(questions(), []);
  });

  it('auto save (the default in VS Code for the web) sends nothing; the edit waits for an explicit save', async () => {
    const files = vscode.workspace.getConfiguration('files');
    await files.update('autoSaveDelay', 200, vscode.ConfigurationTarget.Global);
    await files.update('autoSave', 'afterDelay', vscode.ConfigurationTarget.Global);
    try {
      const id = await t.pool.take('nonPrimary');
      const editor = await openMetadata(id);
      const before = await emulatorImageSet(t.env.client, id);
      // Saves as VS Code's auto save makes them arrive at the provider and are turned down.
      const saves: vscode.TextDocumentSaveReason[] = [];
      const listener = vscode.workspace.onWillSaveTextDocument((e) => saves.push(e.reason));
      try {
        await editJson(editor, (d) => { d.Patient.DICOM.PatientName = 'NOT^AUTOSAVED'; });
        await until('an auto save', () => saves.length > 0 || undefined, 30_000);
        await new Promise((r) => setTimeout(r, 600));
        // No more auto saves from here on: the explicit save below must not race one on a busy machine.
        await files.update('autoSave', 'off', vscode.ConfigurationTarget.Global);
      } finally {
        listener.dispose();
      }
      assert.equal(saves[0], vscode.TextDocumentSaveReason.AfterDelay);
      assert.equal((await emulatorImageSet(t.env.client, id)).versionId, before.versionId, 'auto save sent nothing');
      assert.equal(editor.document.isDirty, true);
      assert.equal(JSON.parse(editor.document.getText()).Patient.DICOM.PatientName, 'NOT^AUTOSAVED');

      assert.equal(await editor.document.save(), true); // an explicit save
      assert.equal((await emulatorMetadata(t.env.client, id)).Patient.DICOM.PatientName, 'NOT^AUTOSAVED');
    } finally {
      await files.update('autoSave', 'off', vscode.ConfigurationTarget.Global);
      await files.update('autoSaveDelay', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  it('UPDATE_FAILED: the save fails with the service\'s message; the edit is kept', async () => {
    const id = await t.pool.take('nonPrimary');
    const editor = await openMetadata(id);
    const before = await emulatorImageSet(t.env.client, id);
    const edited = await editJson(editor, (d) => { d.Patient.DICOM.PatientName = 'FAILS^UPDATE'; });
    t.env.emulator.faults.failNextUpdates(2, 'INVALID_REQUEST: simulated failure for the test');

    assert.equal(await editor.document.save(), false);
    const failed = await emulatorImageSet(t.env.client, id);
    assert.equal(failed.versionId, String(Number(before.versionId) + 1));
    assert.equal(failed.imageSetWorkflowStatus, 'UPDATE_FAILED');
    await assert.rejects(writeThroughProvider(editor.document),
      (e: Error) => e.message.includes('INVALID_REQUEST: simulated failure for the test') && /UPDATE_FAILED/.test(e.message));

    assert.notEqual((await emulatorMetadata(t.env.client, id)).Patient.DICOM.PatientName, 'FAILS^UPDATE');
    assert.equal(editor.document.isDirty, true);
    assert.deepEqual(JSON.parse(editor.document.getText()), edited);

    // Once the service accepts updates again, the kept edit is saved with a plain save: the failed
    // attempts took version numbers but kept the content, so VS Code must not report "the file is
    // newer", and the save goes against the latest (failed) version.
    const failedAgain = await emulatorImageSet(t.env.client, id);
    assert.equal(failedAgain.versionId, String(Number(failed.versionId) + 1));
    assert.equal(await editor.document.save(), true);
    const saved = await emulatorImageSet(t.env.client, id);
    assert.equal(saved.versionId, String(Number(failedAgain.versionId) + 1));
    assert.equal(saved.imageSetWorkflowStatus, 'UPDATED');
    assert.equal((await emulatorMetadata(t.env.client, id)).Patient.DICOM.PatientName, 'FAILS^UPDATE');
  });

  it('throttling: UpdateImageSetMetadata answered 429 twice is retried with back-off and succeeds once', async () => {
    const id = await t.pool.take('nonPrimary');
    const editor = await openMetadata(id);
    const before = await emulatorImageSet(t.env.client, id);
    await editJson(editor, (d) => { d.Patient.DICOM.PatientName = 'THROTTLED^SAVE'; });
    t.env.emulator.faults.reset();
    t.env.emulator.faults.throttleNext('UpdateImageSetMetadata', 2);

    assert.equal(await editor.document.save(), true);

    const after = await emulatorImageSet(t.env.client, id);
    assert.equal(after.versionId, String(Number(before.versionId) + 1), 'exactly one version: the throttled calls created none');
    assert.deepEqual(t.env.emulator.faults.requestCounts().UpdateImageSetMetadata, { total: 3, byStatus: { 200: 1, 429: 2 } },
      'three HTTP attempts: two throttled, one accepted');
    assert.equal((await emulatorMetadata(t.env.client, id)).Patient.DICOM.PatientName, 'THROTTLED^SAVE');
    await untilEditorShowsEmulator(t.env.client, editor.document, id);
  });

  it(`throttling that persists: the save makes exactly ${MAX_ATTEMPTS_PER_REQUEST} HTTP attempts, then fails and keeps the edit`, async () => {
    const id = await t.pool.take('nonPrimary');
    const editor = await openMetadata(id);
    const before = await emulatorImageSet(t.env.client, id);
    const edited = await editJson(editor, (d) => { d.Patient.DICOM.PatientName = 'ALWAYS^THROTTLED'; });
    t.env.emulator.faults.reset();
    t.env.emulator.faults.throttleNext('UpdateImageSetMetadata', 100);
    try {
      await assert.rejects(writeThroughProvider(editor.document),
        (e: Error) => /Not saved: HealthImaging throttled UpdateImageSetMetadata; try again in a moment.*Your edit is kept\./.test(e.message));
      assert.deepEqual(t.env.emulator.faults.requestCounts().UpdateImageSetMetadata,
        { total: MAX_ATTEMPTS_PER_REQUEST, byStatus: { 429: MAX_ATTEMPTS_PER_REQUEST } });
    } finally {
      t.env.emulator.faults.reset();
    }
    assert.equal((await emulatorImageSet(t.env.client, id)).versionId, before.versionId, 'nothing was versioned');
    assert.equal(editor.document.isDirty, true);
    assert.deepEqual(JSON.parse(editor.document.getText()), edited);
  });

  it('split save: says how many requests, sends them in order each against the previous version', async () => {
    await t.env.setSetting('maxAttributeBytes', 300);
    // (a Study-level change: saved to this image set alone, whatever its study holds; study-wide saves have their own tests)
    await t.env.setSetting('studyWideUpdates', 'never');
    try {
      const id = await t.pool.take('primary');
      const editor = await openMetadata(id);
      const before = await emulatorImageSet(t.env.client, id);
      const values: Json = {
        StudyDescription: 'D'.repeat(60), AdditionalPatientHistory: 'H'.repeat(150), MedicalAlerts: 'M'.repeat(60),
        Allergies: 'A'.repeat(60), AdmittingDiagnosesDescription: 'X'.repeat(60),
      };
      await editJson(editor, (d) => { Object.assign(d.Study.DICOM, values); });

      assert.equal(await editor.document.save(), true);

      const note = t.prompts.of('information').find((r) => /saving it as \d+ requests/.test(r.message));
      assert.ok(note, 'an information message says how many requests');
      const requests = Number(/as (\d+) requests/.exec(note.message)![1]);
      assert.ok(requests >= 2);
      assert.equal(note.modal, false);
      const versions = await emulatorVersions(t.env.client, id);
      assert.equal(versions[0].versionId, String(Number(before.versionId) + requests));
      assert.ok(versions.slice(0, requests).every((v) => v.ImageSetWorkflowStatus === 'UPDATED'));
      const held = await emulatorMetadata(t.env.client, id);
      for (const [k, v] of Object.entries(values)) {
        assert.equal(held.Study.DICOM[k], v, k);
      }
      await untilEditorShowsEmulator(t.env.client, editor.document, id);
    } finally {
      await t.env.setSetting('maxAttributeBytes', undefined);
      await t.env.setSetting('studyWideUpdates', undefined);
    }
  });

  it('split save failing at request 2: stops there, reports what was applied; saving again sends the rest', async () => {
    await t.env.setSetting('maxAttributeBytes', 300);
    // (a Study-level change: saved to this image set alone, whatever its study holds; study-wide saves have their own tests)
    await t.env.setSetting('studyWideUpdates', 'never');
    try {
      const id = await t.pool.take('primary');
      const editor = await openMetadata(id);
      const before = await emulatorImageSet(t.env.client, id);
      const values: Json = {
        StudyDescription: 'P'.repeat(60), AdditionalPatientHistory: 'Q'.repeat(150), MedicalAlerts: 'R'.repeat(60),
        Allergies: 'S'.repeat(60), AdmittingDiagnosesDescription: 'T'.repeat(60),
      };
      const edited = await editJson(editor, (d) => { Object.assign(d.Study.DICOM, values); });
      t.env.emulator.faults.setUpdateDelay(800);
      const saving = writeThroughProvider(editor.document).then(() => undefined, (e: Error) => e);
      // Once request 1 has created its version (and before request 2 is sent), the next update fails.
      await until('request 1', async () => (await emulatorImageSet(t.env.client, id)).versionId !== before.versionId || undefined, 10_000);
      t.env.emulator.faults.failNextUpdates(1, 'INVALID_REQUEST: second request refused for the test');
      const error = await saving;

      assert.ok(error instanceof Error, 'the save failed');
      const first = String(Number(before.versionId) + 1);
      assert.match(error.message, new RegExp(`^Saved 1 of \\d+ requests \\(now version ${first}\\); request 2 failed: .*INVALID_REQUEST: second request refused for the test`));
      const versions = await emulatorVersions(t.env.client, id);
      assert.equal(versions[0].versionId, String(Number(first) + 1), 'nothing was sent after the failed request');
      assert.equal(versions[0].ImageSetWorkflowStatus, 'UPDATE_FAILED');
      assert.equal(versions[1].ImageSetWorkflowStatus, 'UPDATED');
      const partly = await emulatorMetadata(t.env.client, id);
      const applied = Object.keys(values).filter((k) => partly.Study.DICOM[k] === values[k]);
      assert.ok(applied.length > 0 && applied.length < Object.keys(values).length, `request 1 applied part of the edit (${applied.join(', ')})`);
      assert.equal(editor.document.isDirty, true);
      assert.deepEqual(JSON.parse(editor.document.getText()), edited);

      t.env.emulator.faults.setUpdateDelay(100);
      await writeThroughProvider(editor.document); // VS Code's Overwrite: the rest goes on top
      const held = await emulatorMetadata(t.env.client, id);
      for (const [k, v] of Object.entries(values)) {
        assert.equal(held.Study.DICOM[k], v, k);
      }
    } finally {
      t.env.emulator.faults.setUpdateDelay(100);
      await t.env.setSetting('maxAttributeBytes', undefined);
      await t.env.setSetting('studyWideUpdates', undefined);
    }
  });

  it('the 5,200-instance image set: a one-attribute save sends one small request (time is logged)', async function () {
    // Opening, editing and saving a 12 MB document takes well over a minute on a busy two-core machine.
    this.timeout(240_000);
    const found = await t.env.client.send(new SearchImageSetsCommand({
      datastoreId: DATASTORE_ID, searchCriteria: { filters: [{ operator: 'EQUAL', values: [{ DICOMPatientId: 'SYN-9999' }] }] },
    }));
    const id = found.imageSetsMetadataSummaries![0].imageSetId!;
    const editor = await openLargeImageSet(t.env, id);
    const before = await emulatorImageSet(t.env.client, id);
    const edited = editor.document.getText().replace(/"StudyDescription": "[^"]*"/, '"StudyDescription": "LARGE SAVED"');
    await setText(editor, edited);
    const started = Date.now();
    await writeThroughProvider(editor.document);
    const elapsed = Date.now() - started;
    console.log(`      large image set save: ${(edited.length / 1e6).toFixed(1)} MB document, ${elapsed} ms from write to the new version read back`);

    const after = await emulatorImageSet(t.env.client, id);
    assert.equal(after.versionId, String(Number(before.versionId) + 1), 'one request');
    assert.equal((await emulatorMetadata(t.env.client, id)).Study.DICOM.StudyDescription, 'LARGE SAVED');
    assert.deepEqual(questions(), []);
  });

  it('confirmForceUpdate off: a change that needs force is saved with force without asking', async () => {
    await t.env.setSetting('confirmForceUpdate', false);
    try {
      const id = await t.pool.take('nonPrimary');
      const editor = await openMetadata(id);
      await editJson(editor, (d) => { d.Study.DICOM.StudyID = 'NEWID'; });
      assert.equal(await editor.document.save(), true);
      assert.deepEqual(questions(), []);
      assert.equal((await emulatorImageSet(t.env.client, id)).overrides?.forced, true);
      assert.equal((await untilEditorShowsEmulator(t.env.client, editor.document, id)).Study.DICOM.StudyID, 'NEWID');
    } finally {
      await t.env.setSetting('confirmForceUpdate', undefined);
    }
  });
});
