// "Preview Update", "Copy as AWS CLI Command" and the diagnostics while typing, in the real
// extension host against the emulator. None of them may send anything.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { until } from './helpers';
import {
  DATASTORE_ID, useEditingEnvironment, editJson, emulatorImageSet, firstInstance, openMetadata, setText, type Json,
} from './saveSupport';

describe('preview, CLI command and diagnostics', function () {
  this.timeout(60_000);
  const t = useEditingEnvironment({ order: 'last' });

  async function diagnosticsOf(uri: vscode.Uri, predicate: (d: readonly vscode.Diagnostic[]) => boolean): Promise<readonly vscode.Diagnostic[]> {
    return until('the expected diagnostics', () => {
      const list = vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'HealthImaging');
      return predicate(list) ? list : undefined;
    }, 10_000);
  }

  it('Preview Update shows the exact request of the unsaved edit, grouped, with the force flag; nothing is sent', async () => {
    const id = await t.pool.take('nonPrimary');
    const editor = await openMetadata(id);
    const before = await emulatorImageSet(t.env.client, id);
    let instance!: ReturnType<typeof firstInstance>;
    await editJson(editor, (d) => {
      d.Patient.DICOM.PatientName = 'PREVIEW^NAME';
      instance = firstInstance(d);
      instance.instance.DICOM.SOPInstanceUID = '2.25.777';
    });

    const preview = await vscode.commands.executeCommand<vscode.TextDocument>('healthImaging.previewUpdate');

    assert.equal(preview.languageId, 'json');
    const shown = JSON.parse(preview.getText()) as Json;
    assert.equal(shown.force, true);
    assert.equal(shown.basedOnVersionId, before.versionId);
    // the exact JSON pointer for machines, and a readable location for people
    assert.deepEqual(shown.ready, [{ path: '/Patient/DICOM/PatientName', location: 'Patient › PatientName', operation: 'update' }]);
    const sopPath = `/Study/Series/${instance.seriesUid}/Instances/${instance.uid}/DICOM/SOPInstanceUID`;
    assert.deepEqual(shown.needsForce.map((r: Json) => r.path), [sopPath]);
    assert.match(shown.needsForce[0].location, new RegExp(`^Series \\d+ .* › Instance ${instance.instance.DICOM.InstanceNumber} › SOPInstanceUID$`));
    assert.deepEqual(shown.refused, []);
    assert.equal(shown.requests.length, 1);
    assert.deepEqual(shown.requests[0].updateImageSetMetadataUpdates.DICOMUpdates.updatableAttributes, {
      SchemaVersion: 1.1,
      Patient: { DICOM: { PatientName: 'PREVIEW^NAME' } },
      Study: { Series: { [instance.seriesUid]: { Instances: { [instance.uid]: { DICOM: { SOPInstanceUID: '2.25.777' } } } } } },
    });
    assert.equal(shown.requests[0].latestVersionId, before.versionId);
    assert.equal((await emulatorImageSet(t.env.client, id)).versionId, before.versionId, 'the preview sent nothing');
    assert.ok(editor.document.isDirty);

    // Typing on updates the open preview.
    await editJson(editor, (d) => { d.Patient.DICOM.PatientName = 'PREVIEW^AGAIN'; });
    await until('the preview to follow the edit', () => /PREVIEW\^AGAIN/.test(preview.getText()) || undefined, 10_000);
  });

  it('Preview Update groups refused changes and says Save sends nothing', async () => {
    const id = await t.pool.take('primary');
    const editor = await openMetadata(id);
    await editJson(editor, (d) => { d.DatastoreID = 'f'.repeat(32); });
    const preview = await vscode.commands.executeCommand<vscode.TextDocument>('healthImaging.previewUpdate', editor.document.uri);
    const shown = JSON.parse(preview.getText()) as Json;
    assert.deepEqual(shown.refused.map((r: Json) => r.path), ['/DatastoreID']);
    assert.match(shown.summary, /Save sends nothing/);
  });

  it('Copy as AWS CLI Command puts a runnable, safely quoted command on the clipboard', async () => {
    const id = await t.pool.take('nonPrimary');
    const editor = await openMetadata(id);
    const before = await emulatorImageSet(t.env.client, id);
    await editJson(editor, (d) => { d.Patient.DICOM.PatientName = `O'HARA^"Q" $HOME`; });

    const text = await vscode.commands.executeCommand<string>('healthImaging.copyUpdateAsCliCommand');

    assert.equal(await vscode.env.clipboard.readText(), text);
    assert.match(text, new RegExp(`^aws medical-imaging update-image-set-metadata --datastore-id ${DATASTORE_ID} --image-set-id ${id} --latest-version-id ${before.versionId} `));
    assert.doesNotMatch(text, /--force/);
    assert.match(text, /--cli-binary-format raw-in-base64-out --update-image-set-metadata-updates '/);
    // The single-quoted argument, unquoted as a POSIX shell does, is the MetadataUpdates JSON.
    const quoted = /--update-image-set-metadata-updates '(.*)'\n$/s.exec(text)![1];
    const updates = JSON.parse(quoted.replace(/'\\''/g, `'`)) as Json;
    assert.deepEqual(JSON.parse(updates.DICOMUpdates.updatableAttributes), { SchemaVersion: 1.1, Patient: { DICOM: { PatientName: `O'HARA^"Q" $HOME` } } });
    assert.match(t.prompts.of('information')[0].message, /Copied the AWS CLI command/);
    assert.equal((await emulatorImageSet(t.env.client, id)).versionId, before.versionId);
  });

  it('diagnostics: invalid JSON at its position, refused edits as errors, needs-force as information, on their ranges', async () => {
    const id = await t.pool.take('nonPrimary');
    const editor = await openMetadata(id);
    const uri = editor.document.uri;

    // Invalid JSON: an error where the problem is.
    const broken = editor.document.getText().replace('"Patient": {', '"Patient": {,');
    await setText(editor, broken);
    const line = broken.split('\n').findIndex((l) => l.includes('"Patient": {,'));
    const json = await diagnosticsOf(uri, (l) => l.some((d) => d.code === 'json'));
    assert.equal(json[0].severity, vscode.DiagnosticSeverity.Error);
    assert.equal(json[0].range.start.line, line);

    // Duplicate keys are problems too.
    await setText(editor, '{\n  "a": 1,\n  "a": 2\n}\n');
    const duplicate = await diagnosticsOf(uri, (l) => l.some((d) => d.code === 'json' && d.range.start.line === 2));
    assert.match(duplicate.find((d) => d.range.start.line === 2)!.message, /duplicate|more than once|twice/i);

    // A refused edit and an edit that needs force.
    await vscode.commands.executeCommand('workbench.action.files.revert');
    let instance!: ReturnType<typeof firstInstance>;
    await editJson(editor, (d) => {
      d.ImageSetID = '1'.repeat(32);
      instance = firstInstance(d);
      instance.instance.DICOM.SOPInstanceUID = '2.25.31337';
    });
    const list = await diagnosticsOf(uri, (l) => l.some((d) => d.code === 'refused') && l.some((d) => d.code === 'needs-force'));
    const refused = list.find((d) => d.code === 'refused')!;
    assert.equal(refused.severity, vscode.DiagnosticSeverity.Error);
    assert.match(editor.document.getText(refused.range), /^"ImageSetID": "1{32}"$/);
    const force = list.find((d) => d.code === 'needs-force')!;
    assert.equal(force.severity, vscode.DiagnosticSeverity.Information);
    assert.match(editor.document.getText(force.range), /^"SOPInstanceUID": "2\.25\.31337"$/);

    // Undoing the edits clears them.
    await vscode.commands.executeCommand('workbench.action.files.revert');
    await diagnosticsOf(uri, (l) => l.length === 0);
  });
});
