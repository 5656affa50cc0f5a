// DICOM-aware editing in the real extension host, through VS Code's own commands:
// vscode.executeHoverProvider, vscode.executeCompletionItemProvider, vscode.executeCodeActionProvider,
// and "HealthImaging: Go to Series or Instance…" (its quick pick answered by the recording fake);
// plus the layouts: the 5,200-instance image set opens compact and saves back compact.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { SearchImageSetsCommand } from '@aws-sdk/client-medical-imaging';
import { formatMetadata } from '../../src/core/metadataText';
import { until } from './helpers';
import {
  DATASTORE_ID, editJson, emulatorImageSet, emulatorMetadata, firstInstance, openLargeImageSet, openMetadata, setText, untilEditorShowsEmulator,
  useEditingEnvironment, type Json,
} from './saveSupport';

function hoverText(hovers: vscode.Hover[]): string {
  return hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : 'value' in c ? c.value : ''))).join('\n');
}

async function hoverAt(document: vscode.TextDocument, needle: string, nth = 1): Promise<string> {
  let at = -1;
  for (let i = 0; i < nth; i++) at = document.getText().indexOf(needle, at + 1);
  assert.ok(at >= 0, `${needle} is in the document`);
  const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', document.uri, document.positionAt(at + 2));
  return hoverText(hovers);
}

async function diagnosticsOf(uri: vscode.Uri, ok: (list: readonly vscode.Diagnostic[]) => boolean): Promise<readonly vscode.Diagnostic[]> {
  return until('the diagnostics', () => {
    const list = vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'HealthImaging');
    return ok(list) ? list : undefined;
  }, 20_000);
}

describe('DICOM-aware editing', () => {
  const t = useEditingEnvironment({ order: 'last', skip: 3 });

  it('hover on an attribute: tag, VR, level, and what a change does on a non-primary vs a primary image set', async () => {
    const nonPrimary = await openMetadata(await t.pool.take('nonPrimary'));
    const text = await hoverAt(nonPrimary.document, '"PatientName"');
    assert.match(text, /\(0010,0010\)/);
    assert.match(text, /VR PN \(person name\) · VM 1/);
    assert.match(text, /plain update on this non-primary image set/);
    const primary = await openMetadata(await t.pool.take('primary'));
    assert.match(await hoverAt(primary.document, '"PatientName"'), /refused\*\* on this primary image set/);
    assert.match(await hoverAt(primary.document, '"StudyInstanceUID"'), /refused[^]*identifies the study[^]*force is not available/);
    // a UID value names its SOP Class; a private tag shows its VR from DICOMVRs
    assert.match(await hoverAt(primary.document, '"1.2.840.10008.5.1.4.1.1.'), /Storage\*\*[^]*SOP Class/);
    assert.match(await hoverAt(nonPrimary.document, '"SpecificCharacterSet"'), /\(0008,0005\)/);
  });

  it('completion inside a level\'s DICOM: the keywords of that level not yet present, inserted with a value that fits', async () => {
    const editor = await openMetadata(await t.pool.take('primary'));
    const document = editor.document;
    const patientOpen = document.getText().indexOf('"DICOM": {') + '"DICOM": {'.length;
    const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', document.uri, document.positionAt(patientOpen));
    // (other providers add words and JSON snippets: ours name the tag)
    const ours = list.items.filter((i) => /^\([0-9A-F]{4},[0-9A-F]{4}\) /.test(i.detail ?? ''));
    const labels = ours.map((i) => (typeof i.label === 'string' ? i.label : i.label.label));
    assert.ok(labels.includes('PatientBirthTime'), 'a Patient-level keyword that is missing');
    assert.ok(!labels.includes('PatientName'), 'not one that is there');
    assert.ok(!labels.includes('StudyDate') && !labels.includes('Rows'), 'nothing from other levels');
    const item = ours.find((i) => (typeof i.label === 'string' ? i.label : i.label.label) === 'PatientBirthTime')!;
    assert.match((item.insertText as vscode.SnippetString).value, /^"PatientBirthTime": "\$\{1:HHMMSS\}",$/);
    // at a value: the enumerated values
    const sex = document.getText().indexOf('"PatientSex": "') + '"PatientSex": "'.length;
    const values = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', document.uri, document.positionAt(sex));
    assert.deepEqual(values.items.filter((i) => i.kind === vscode.CompletionItemKind.Value).map((i) => (typeof i.label === 'string' ? i.label : i.label.label)), ['M', 'F', 'O']);
  });

  it('quick fixes: a malformed date is corrected, an attribute at the wrong level is moved, and the diagnostics clear', async () => {
    const editor = await openMetadata(await t.pool.take('nonPrimary'));
    const uri = editor.document.uri;
    await editJson(editor, (d) => {
      d.Study.DICOM.StudyDate = '2024-03-15';
      d.Study.DICOM.PatientBirthTime = '101500';
    });
    const list = await diagnosticsOf(uri, (l) => l.some((d) => d.code === 'vr-format') && l.some((d) => d.code === 'refused'));
    const format = list.find((d) => d.code === 'vr-format')!;
    assert.equal(format.severity, vscode.DiagnosticSeverity.Warning);
    assert.match(format.message, /not a date in YYYYMMDD form[^]*\(Study › StudyDate\)$/);
    const refused = list.find((d) => d.code === 'refused')!;
    assert.match(refused.message, /Patient-level element[^]*\(Study › PatientBirthTime\)$/);

    const apply = async (diagnostic: vscode.Diagnostic, title: RegExp) => {
      const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, diagnostic.range);
      const action = actions.find((a) => title.test(a.title));
      assert.ok(action, `${title} among ${actions.map((a) => a.title).join(', ')}`);
      // (the command returns title, kind, edit and isPreferred; not the diagnostics a fix answers)
      assert.equal(action.kind?.value, vscode.CodeActionKind.QuickFix.value);
      assert.equal(action.isPreferred, true);
      assert.ok(await vscode.workspace.applyEdit(action.edit!));
    };
    await apply(format, /^Correct StudyDate to "20240315"$/);
    await diagnosticsOf(uri, (l) => !l.some((d) => d.code === 'vr-format'));
    await apply((await diagnosticsOf(uri, (l) => l.some((d) => d.code === 'refused'))).find((d) => d.code === 'refused')!, /^Move to Patient level$/);
    await diagnosticsOf(uri, (l) => l.length === 0);
    const doc = JSON.parse(editor.document.getText()) as Json;
    assert.equal(doc.Study.DICOM.StudyDate, '20240315');
    assert.equal(doc.Patient.DICOM.PatientBirthTime, '101500');
    assert.equal(doc.Study.DICOM.PatientBirthTime, undefined);
    // a UID attribute can get a new one
    const instance = firstInstance(doc);
    const at = editor.document.getText().indexOf(`"SOPInstanceUID": "${instance.uid}"`);
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, new vscode.Range(editor.document.positionAt(at + 2), editor.document.positionAt(at + 2)));
    const generate = actions.find((a) => a.title === 'Generate a new UID');
    assert.ok(generate);
    assert.ok(await vscode.workspace.applyEdit(generate.edit!));
    assert.match(firstInstance(JSON.parse(editor.document.getText()) as Json).instance.DICOM.SOPInstanceUID, /^2\.25\.\d{10,39}$/);
  });

  it('Go to Series or Instance…: series and instances in a quick pick; the chosen one is revealed and selected', async () => {
    const editor = await openMetadata(await t.pool.take('primary'));
    const doc = JSON.parse(editor.document.getText()) as Json;
    const instance = firstInstance(doc);
    t.prompts.reply({
      kind: 'quickPick', match: /Series or instance of image set/,
      answer: (items) => items.find((i) => i.detail === instance.uid),
    });
    const pointer = await vscode.commands.executeCommand<string>('healthImaging.goToSeriesOrInstance');
    assert.equal(pointer, `/Study/Series/${instance.seriesUid}/Instances/${instance.uid}`);
    const pick = t.prompts.recorded.find((r) => r.kind === 'quickPick')!;
    const series = doc.Study.Series[instance.seriesUid].DICOM;
    assert.equal(pick.pickItems![0].label, `$(list-tree) Series ${String(series.SeriesNumber).trim()} "${series.SeriesDescription}" (${series.Modality})`);
    assert.match(pick.pickItems![0].description!, /^\d+ instances?$/);
    assert.equal(pick.pickItems![1].label, `$(file) Instance ${instance.instance.DICOM.InstanceNumber}`);
    const active = vscode.window.activeTextEditor!;
    assert.equal(active.document.getText(active.selection), `"${instance.uid}"`);
  });

  it('the 5,200-instance image set opens compact (highlighting and folding stay on), hover answers, and a save keeps the layout', async function () {
    this.timeout(180_000);
    const found = await t.env.client.send(new SearchImageSetsCommand({
      datastoreId: DATASTORE_ID, searchCriteria: { filters: [{ operator: 'EQUAL', values: [{ DICOMPatientId: 'SYN-9999' }] }] },
    }));
    const id = found.imageSetsMetadataSummaries![0].imageSetId!;
    const editor = await openLargeImageSet(t.env, id);
    const document = editor.document;
    const held = await emulatorMetadata(t.env.client, id);
    assert.equal(document.getText(), formatMetadata(held, 'compact'));
    // VS Code turns tokenization and folding off above 300,000 lines or 20 MB
    assert.ok(document.lineCount < 300_000, `${document.lineCount} lines`);
    assert.ok(document.getText().length < 20 * 1024 * 1024);
    const last = document.getText().lastIndexOf('"InstanceNumber"');
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', document.uri, document.positionAt(last + 2));
    assert.match(hoverText(hovers), /\(0020,0013\)/);

    const before = await emulatorImageSet(t.env.client, id);
    await setText(editor, document.getText().replace(/"StudyDescription": "[^"]*"/, '"StudyDescription": "COMPACT SAVED"'));
    assert.equal(await document.save(), true);
    const after = await untilEditorShowsEmulator(t.env.client, document, id);
    assert.equal(after.Study.DICOM.StudyDescription, 'COMPACT SAVED');
    assert.equal((await emulatorImageSet(t.env.client, id)).versionId, String(Number(before.versionId) + 1));
    assert.equal(document.getText(), formatMetadata(after, 'compact'), 'the service\'s text, in the same layout');
    assert.equal(document.isDirty, false);
  });

  it('healthImaging.documentLayout: expanded and compact apply to what is opened, and an unmodified editor is reloaded', async () => {
    const editor = await openMetadata(await t.pool.take('primary'));
    const id = /([0-9a-z]{32})\.json$/.exec(editor.document.uri.path)![1];
    const held = await emulatorMetadata(t.env.client, id);
    assert.equal(editor.document.getText(), formatMetadata(held, 'expanded'), 'auto: a small image set is expanded');
    await t.env.setSetting('documentLayout', 'compact');
    try {
      await until('the editor to show the compact layout', () => editor.document.getText() === formatMetadata(held, 'compact') || undefined);
      assert.equal(editor.document.isDirty, false);
      // diagnostics and the preview work the same
      await editJson(editor, (d) => { d.Study.DICOM.StudyDate = '2024-03-15'; });
      assert.ok(editor.document.getText().includes('"StudyDate": "2024-03-15"'));
      await diagnosticsOf(editor.document.uri, (l) => l.some((d) => /not a date in YYYYMMDD form/.test(d.message)));
    } finally {
      await t.env.setSetting('documentLayout', undefined);
    }
  });
});
