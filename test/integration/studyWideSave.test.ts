// Study-wide saves in the real extension host against the emulator: a Study-level change of a primary
// image set whose study has other primary image sets, one branch per test (the question and its three
// answers, the setting, a change at several levels, the study changing while asking, a locked
// study-mate, ConflictException, UPDATE_FAILED), the preview, the CLI command and diagnostics, and the
// measured time of a study-wide save against a single-image-set save.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { DeleteImageSetCommand, UpdateImageSetMetadataCommand } from '@aws-sdk/client-medical-imaging';
import { metadataUri } from '../../src/documents/metadataUri';
import { until } from './helpers';
import {
  DATASTORE_ID, editJson, emulatorImageSet, emulatorMetadata, emulatorVersions, firstInstance, openMetadata, StudyPool, untilEditorShowsEmulator,
  useEditingEnvironment, writeThroughProvider,
} from './saveSupport';

const shortId = (id: string) => `${id.slice(0, 8)}…`;

describe('study-wide saves', function () {
  this.timeout(90_000);
  const t = useEditingEnvironment({ order: 'first' });
  let studies: StudyPool;
  before(() => { studies = new StudyPool(() => t.env.client); });
  afterEach(async () => { await t.env.setSetting('studyWideUpdates', undefined); });

  const versions = async (ids: string[]) => Promise.all(ids.map(async (id) => Number((await emulatorImageSet(t.env.client, id)).versionId)));
  const questions = () => t.prompts.recorded.filter((r) => r.modal || r.items.length > 0);
  const WHOLE = { kind: 'warning' as const, match: /Update the whole study\?/, answer: 'Update Whole Study' };

  it('"Update Whole Study": one question naming the study and its image sets; every image set gets the value in a new version; open editors follow', async () => {
    const study = await studies.take({ primaries: 4, exact: true });
    const [id, ...mates] = study.primaries;
    const before = await versions(study.primaries);
    const cleanMate = await openMetadata(mates[0]);
    const dirtyMate = await openMetadata(mates[1]);
    const dirtyText = await editJson(dirtyMate, (d) => { d.Study.DICOM.ReferringPhysicianName = 'DIRTY^MATE'; });
    const editor = await openMetadata(id);
    await editJson(editor, (d) => { d.Study.DICOM.StudyDescription = 'WHOLE STUDY'; });
    t.prompts.reply(WHOLE);

    assert.equal(await editor.document.save(), true);

    const [modal] = questions();
    assert.equal(modal.modal, true);
    assert.deepEqual(modal.items, ['Update Whole Study', 'Only This Image Set']);
    const escaped = study.description.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    assert.match(modal.message, new RegExp(`^Image set ${shortId(id)} changes the Study level of study "${escaped}" \\(\\d{4}-\\d{2}-\\d{2}\\), which has 3 other primary image sets\\. Update the whole study\\?$`));
    assert.match(modal.detail ?? '', /^Changed at the Study level: StudyDescription\./);
    const listed = (modal.detail ?? '').split('\n').filter((l) => / · /.test(l));
    assert.equal(listed.length, 3);
    for (const mate of mates) {
      assert.ok(listed.some((l) => l.endsWith(` · ${shortId(mate)}`)), `${mate} is listed as patient · description · modality · short id`);
    }
    assert.ok(listed.every((l) => l.split(' · ').length === 4), listed.join('\n'));

    const after = await versions(study.primaries);
    assert.deepEqual(after, before.map((v) => v + 1), 'one new version each');
    for (const imageSetId of study.primaries) {
      const props = await emulatorImageSet(t.env.client, imageSetId);
      assert.equal(props.imageSetWorkflowStatus, 'UPDATED', imageSetId);
      assert.equal((await emulatorMetadata(t.env.client, imageSetId)).Study.DICOM.StudyDescription, 'WHOLE STUDY', imageSetId);
    }
    await untilEditorShowsEmulator(t.env.client, editor.document, id);
    // A clean editor of a study-mate shows the new version; a dirty one keeps the user's text, and its
    // next save meets VS Code's "the file is newer" (nothing is sent).
    await untilEditorShowsEmulator(t.env.client, cleanMate.document, mates[0]);
    assert.equal(dirtyMate.document.isDirty, true);
    assert.deepEqual(JSON.parse(dirtyMate.document.getText()), dirtyText);
    assert.equal(await dirtyMate.document.save(), false);
    assert.equal((await emulatorImageSet(t.env.client, mates[1])).versionId, String(after[2]));
  });

  it('"Only This Image Set": the others keep their values', async () => {
    const study = await studies.take({ primaries: 2, exact: true });
    const [id, ...mates] = study.primaries;
    const before = await versions(study.primaries);
    const editor = await openMetadata(id);
    await editJson(editor, (d) => { d.Study.DICOM.StudyDescription = 'ONLY HERE'; });
    t.prompts.reply({ ...WHOLE, answer: 'Only This Image Set' });

    assert.equal(await editor.document.save(), true);

    assert.deepEqual(await versions(study.primaries), [before[0] + 1, ...before.slice(1)]);
    assert.equal((await emulatorMetadata(t.env.client, id)).Study.DICOM.StudyDescription, 'ONLY HERE');
    for (const mate of mates) assert.notEqual((await emulatorMetadata(t.env.client, mate)).Study.DICOM.StudyDescription, 'ONLY HERE');
  });

  it('Cancel: nothing is sent, the save fails and the edit stays in the dirty editor', async () => {
    const study = await studies.take({ primaries: 2, exact: true });
    const before = await versions(study.primaries);
    const editor = await openMetadata(study.primaries[0]);
    const edited = await editJson(editor, (d) => { d.Study.DICOM.AccessionNumber = 'CANCELLED'; });
    t.prompts.reply({ ...WHOLE, answer: undefined });

    await assert.rejects(writeThroughProvider(editor.document), /you cancelled the question about updating the whole study\. Nothing was sent/);

    assert.deepEqual(await versions(study.primaries), before);
    assert.equal(editor.document.isDirty, true);
    assert.deepEqual(JSON.parse(editor.document.getText()), edited);
  });

  it('healthImaging.studyWideUpdates "always" sends to the whole study without asking; "never" to this image set only', async () => {
    const study = await studies.take({ primaries: 2, exact: true });
    const before = await versions(study.primaries);
    await t.env.setSetting('studyWideUpdates', 'always');
    const editor = await openMetadata(study.primaries[0]);
    await editJson(editor, (d) => { d.Study.DICOM.StudyDescription = 'ALWAYS'; });
    assert.equal(await editor.document.save(), true);
    assert.deepEqual(await versions(study.primaries), before.map((v) => v + 1));

    await t.env.setSetting('studyWideUpdates', 'never');
    await editJson(editor, (d) => { d.Study.DICOM.StudyDescription = 'NEVER'; });
    assert.equal(await editor.document.save(), true);
    assert.deepEqual(await versions(study.primaries), [before[0] + 2, ...before.slice(1).map((v) => v + 1)]);
    assert.equal((await emulatorMetadata(t.env.client, study.primaries[1])).Study.DICOM.StudyDescription, 'ALWAYS');
    assert.deepEqual(questions(), []);
  });

  it('a Study- and an Instance-level change: two requests (said first), the Instance change on this image set only', async () => {
    const study = await studies.take({ primaries: 2, exact: true });
    const [id, mate] = study.primaries;
    const before = await versions(study.primaries);
    const editor = await openMetadata(id);
    let instance!: ReturnType<typeof firstInstance>;
    await editJson(editor, (d) => {
      d.Study.DICOM.StudyDescription = 'TWO REQUESTS';
      instance = firstInstance(d);
      instance.instance.DICOM.InstanceNumber = '99';
    });
    t.prompts.reply(WHOLE);

    assert.equal(await editor.document.save(), true);

    assert.match(questions()[0].detail ?? '', /The other changes \(below the Study level\) go to image set .* only, as a separate request\./);
    const note = t.prompts.of('information').find((r) => /as 2 requests, in order: the Study-level change to the whole study/.test(r.message));
    assert.ok(note, 'the save says it sends two requests');
    assert.deepEqual(await versions(study.primaries), [before[0] + 2, before[1] + 1]);
    const held = await emulatorMetadata(t.env.client, id);
    assert.equal(held.Study.DICOM.StudyDescription, 'TWO REQUESTS');
    assert.equal(held.Study.Series[instance.seriesUid].Instances[instance.uid].DICOM.InstanceNumber, '99');
    assert.equal((await emulatorMetadata(t.env.client, mate)).Study.DICOM.StudyDescription, 'TWO REQUESTS');
    await untilEditorShowsEmulator(t.env.client, editor.document, id);
  });

  it('the study changes while the question is open: nothing is sent, the message says what changed', async () => {
    const study = await studies.take({ primaries: 3, exact: true });
    const [id, gone, ...rest] = study.primaries;
    const before = await versions([id, ...rest]);
    const editor = await openMetadata(id);
    await editJson(editor, (d) => { d.Study.DICOM.StudyDescription = 'RACED'; });
    t.prompts.reply({
      ...WHOLE,
      before: async () => {
        await t.env.client.send(new DeleteImageSetCommand({ datastoreId: DATASTORE_ID, imageSetId: gone }));
        await until('the deletion', async () => (await emulatorImageSet(t.env.client, gone)).imageSetState === 'DELETED' || undefined);
      },
    });

    await assert.rejects(writeThroughProvider(editor.document),
      /changed while the question was open: it now has 1 other primary image set \(2 were listed\)\. Nothing was sent/);

    assert.deepEqual(await versions([id, ...rest]), before);
    assert.equal(editor.document.isDirty, true);
  });

  it('a study-mate locked by another update: waits for it, then updates the whole study', async () => {
    const study = await studies.take({ primaries: 2, exact: true });
    const [id, mate] = study.primaries;
    const before = await versions(study.primaries);
    const editor = await openMetadata(id);
    await editJson(editor, (d) => { d.Study.DICOM.StudyDescription = 'AFTER THE LOCK'; });
    t.env.emulator.faults.setUpdateDelay(1500);
    const running = await t.env.client.send(new UpdateImageSetMetadataCommand({
      datastoreId: DATASTORE_ID, imageSetId: mate, latestVersionId: String(before[1]),
      updateImageSetMetadataUpdates: { DICOMUpdates: { updatableAttributes: new TextEncoder().encode(JSON.stringify({ SchemaVersion: 1.1, Study: { DICOM: { ReferringPhysicianName: 'WHILE^LOCKED' } } })) } },
    }));
    assert.equal(running.imageSetState, 'LOCKED');
    t.prompts.reply(WHOLE);

    await writeThroughProvider(editor.document);

    assert.deepEqual(await versions(study.primaries), [before[0] + 1, before[1] + 2]);
    const held = await emulatorMetadata(t.env.client, mate);
    assert.equal(held.Study.DICOM.StudyDescription, 'AFTER THE LOCK');
    assert.equal(held.Study.DICOM.ReferringPhysicianName, 'WHILE^LOCKED');
  });

  it('ConflictException on the study-wide request: a clear message with Compare, nothing changed, the edit kept', async () => {
    const study = await studies.take({ primaries: 2, exact: true });
    const before = await versions(study.primaries);
    const editor = await openMetadata(study.primaries[0]);
    const edited = await editJson(editor, (d) => { d.Study.DICOM.StudyDescription = 'CONFLICT'; });
    t.env.emulator.faults.errorNext('UpdateImageSetMetadata', 'ConflictException', 1, `Image set ${study.primaries[1]} of the same study is LOCKED (UPDATING); retry when it is ACTIVE`);
    t.prompts.reply(WHOLE, { kind: 'error', match: /HealthImaging refused the study-wide update/, answer: undefined });

    await assert.rejects(writeThroughProvider(editor.document),
      (e: Error) => /Not saved: HealthImaging refused the study-wide update \(.*of the same study is LOCKED.*\).*Nothing was changed\. Your edit is kept\./.test(e.message));

    assert.deepEqual(await versions(study.primaries), before);
    assert.equal(editor.document.isDirty, true);
    assert.deepEqual(JSON.parse(editor.document.getText()), edited);
  });

  it('UPDATE_FAILED: the message names each image set with the service\'s message; saving again is a plain save', async () => {
    const study = await studies.take({ primaries: 3, exact: true });
    const [id] = study.primaries;
    const before = await versions(study.primaries);
    const editor = await openMetadata(id);
    await editJson(editor, (d) => { d.Study.DICOM.StudyDescription = 'FAILS FIRST'; });
    t.env.emulator.faults.failNextUpdates(1, 'INTERNAL_ERROR: injected study failure');
    t.prompts.reply(WHOLE);

    const error = await writeThroughProvider(editor.document).then(() => undefined, (e: Error) => e);
    assert.ok(error, 'the save failed');
    assert.match(error.message, /^Not saved: HealthImaging could not apply the study-wide update to 3 of 3 image sets: /);
    for (const imageSetId of study.primaries) {
      assert.ok(error.message.includes(`image set ${shortId(imageSetId)} (version `), `${imageSetId} is named`);
    }
    assert.equal(error.message.split('INTERNAL_ERROR: injected study failure').length - 1, 3);
    assert.match(error.message, /Your edit is kept\.$/);
    for (const imageSetId of study.primaries) {
      assert.equal((await emulatorImageSet(t.env.client, imageSetId)).imageSetWorkflowStatus, 'UPDATE_FAILED');
    }
    assert.equal(editor.document.isDirty, true);

    t.prompts.reply(WHOLE);
    assert.equal(await editor.document.save(), true, 'saved again without "the file is newer"');
    assert.deepEqual(await versions(study.primaries), before.map((v) => v + 2));
    for (const imageSetId of study.primaries) {
      assert.equal((await emulatorMetadata(t.env.client, imageSetId)).Study.DICOM.StudyDescription, 'FAILS FIRST');
    }
  });

  it('Preview Update, Copy as AWS CLI Command and diagnostics say that the Study-level change reaches the whole study', async () => {
    const study = await studies.take({ primaries: 3, exact: true });
    const [id] = study.primaries;
    const editor = await openMetadata(id);
    await editJson(editor, (d) => { d.Study.DICOM.StudyDescription = 'PREVIEWED'; });

    const preview = await vscode.commands.executeCommand<vscode.TextDocument>('healthImaging.previewUpdate', editor.document.uri);
    const shown = JSON.parse(preview.getText());
    assert.match(shown.summary, /reaches all 3 primary image sets of the study \(includeStudyImageSets\), after asking\./);
    assert.equal(shown.studyWide.otherPrimaryImageSets, 2);
    assert.deepEqual(shown.studyWide.attributes, ['/Study/DICOM/StudyDescription']);
    assert.equal(shown.requests[0].includeStudyImageSets, true);

    const cli = await vscode.commands.executeCommand<string>('healthImaging.copyUpdateAsCliCommand', editor.document.uri);
    assert.match(cli, /^aws medical-imaging update-image-set-metadata .*--include-study-image-sets/);
    assert.ok(t.prompts.of('information').some((r) => /--include-study-image-sets: it reaches all 3 primary image sets/.test(r.message)));

    const diagnostic = await until('the study-wide diagnostic', () =>
      vscode.languages.getDiagnostics(editor.document.uri).find((d) => d.code === 'study-wide'));
    assert.equal(diagnostic.severity, vscode.DiagnosticSeverity.Information);
    assert.match(diagnostic.message, /Study-level change: Save can apply it to all 3 primary image sets of this study; it asks first\./);
    assert.match(editor.document.getText(diagnostic.range), /StudyDescription/);

    // A non-primary image set's Study-level change reaches only itself: no such diagnostic.
    const other = await studies.take({ primaries: 1, nonPrimary: true });
    const nonPrimary = await openMetadata(other.nonPrimary[0]);
    // (the StudyID change needs force there: its diagnostic shows that the edit has been checked)
    await editJson(nonPrimary, (d) => { d.Study.DICOM.StudyDescription = 'NON-PRIMARY'; d.Study.DICOM.StudyID = 'CHECKED'; });
    await until('the edit of the non-primary image set to be checked', () =>
      vscode.languages.getDiagnostics(nonPrimary.document.uri).some((d) => d.code === 'needs-force') || undefined);
    assert.deepEqual(vscode.languages.getDiagnostics(nonPrimary.document.uri).filter((d) => d.code === 'study-wide'), []);
  });

  it('measured: a study-wide save of a 4-image-set study until every image set is UPDATED, against a single-image-set save', async () => {
    await t.env.setSetting('studyWideUpdates', 'always');
    // The save flow alone (what the provider's writeFile runs: plan, requests, following every image set
    // to UPDATED, reading the new version back), without the editor's save machinery around it.
    const time = async (imageSetId: string, value: string): Promise<number> => {
      const uri = metadataUri(DATASTORE_ID, imageSetId);
      const document = JSON.parse(Buffer.from(await vscode.workspace.fs.readFile(uri)).toString('utf8'));
      document.Study.DICOM.StudyDescription = value;
      const started = Date.now();
      await vscode.workspace.fs.writeFile(uri, Buffer.from(JSON.stringify(document, null, 2) + '\n', 'utf8'));
      return Date.now() - started;
    };
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
    const wide: number[] = [];
    const single: number[] = [];
    for (let run = 0; run < 5; run++) {
      const study = await studies.take({ primaries: 4, exact: true });
      const alone = await studies.take({ primaries: 1, exact: true });
      const before = await versions(study.primaries);
      // alternate which goes first, so that a slow moment of the machine does not favour one side
      const measureWide = async () => wide.push(await time(study.primaries[0], `MEASURED ${run}`));
      const measureSingle = async () => single.push(await time(alone.primaries[0], `MEASURED ${run}`));
      if (run % 2 === 0) { await measureWide(); await measureSingle(); } else { await measureSingle(); await measureWide(); }
      assert.deepEqual(await versions(study.primaries), before.map((v) => v + 1), 'every image set of the study got a new version');
      for (const imageSetId of study.primaries) {
        assert.equal((await emulatorImageSet(t.env.client, imageSetId)).imageSetWorkflowStatus, 'UPDATED');
        assert.equal((await emulatorMetadata(t.env.client, imageSetId)).Study.DICOM.StudyDescription, `MEASURED ${run}`);
      }
      assert.equal((await emulatorVersions(t.env.client, alone.primaries[0])).length, 2);
    }
    const ratio = median(wide) / median(single);
    console.log(`      study-wide save: 4 image sets UPDATED in ${median(wide)} ms (median of ${wide.join(', ')}); ` +
      `single image set ${median(single)} ms (median of ${single.join(', ')}); ratio ${ratio.toFixed(2)} (emulator update delay 100 ms)`);
  });
});
