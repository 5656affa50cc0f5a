// "Revert Image Set to Version…" and "Compare with Previous Version" in the real extension host
// against the emulator: what the emulator holds afterwards and what the open editor shows.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { metadataUri } from '../../src/documents/metadataUri';
import type { ExplorerNode } from '../../src/explorer/nodes';
import type { RevertResult } from '../../src/explorer/revert';
import { until } from './helpers';
import {
  DATASTORE_ID, useEditingEnvironment, emulatorImageSet, emulatorMetadata, emulatorVersions, openMetadata,
  untilEditorShowsEmulator, updateElsewhere,
} from './saveSupport';

describe('revert and version commands', function () {
  this.timeout(60_000);
  const t = useEditingEnvironment({ order: 'last', skip: 10 });

  function diffTabs(): vscode.TabInputTextDiff[] {
    return vscode.window.tabGroups.all.flatMap((g) => g.tabs).map((t) => t.input)
      .filter((i): i is vscode.TabInputTextDiff => i instanceof vscode.TabInputTextDiff);
  }

  it('reverts the active document\'s image set: pick, diff, confirm, new version with the old metadata, editor refreshed', async () => {
    const id = await t.pool.take('primary');
    const version1 = await emulatorMetadata(t.env.client, id, '1');
    const v2 = await updateElsewhere(t.env.client, id, { Study: { DICOM: { StudyDescription: 'TO BE REVERTED', AccessionNumber: 'REVERTED-1' } } });
    const editor = await openMetadata(id);
    assert.equal(JSON.parse(editor.document.getText()).Study.DICOM.StudyDescription, 'TO BE REVERTED');
    t.prompts.reply(
      { kind: 'quickPick', match: /Revert image set .* \(now version 2\) to/, answer: 'Version 1' },
      { kind: 'warning', match: /Revert image set .* to version 1\?/, answer: 'Revert' },
    );

    const result = await vscode.commands.executeCommand<RevertResult>('healthImaging.revertImageSet');

    assert.deepEqual(result, { datastoreId: DATASTORE_ID, imageSetId: id, revertedToVersionId: '1', versionId: String(Number(v2) + 1) });
    const pick = t.prompts.of('quickPick')[0];
    assert.deepEqual(pick.items, ['Version 1'], 'only earlier versions are offered');
    assert.match(pick.pickItems?.[0].description ?? '', /UPDATED|CREATED|IMPORTED|ACTIVE/);
    assert.ok(pick.pickItems?.[0].detail, 'the item tells the version\'s time');
    const confirm = t.prompts.of('warning')[0];
    assert.equal(confirm.modal, true);
    assert.deepEqual(confirm.items, ['Revert']);
    // the question lists every place the revert changes, by readable location
    assert.match(confirm.detail ?? '', /^Version 1 differs from version 2 in 2 places:\nStudy › AccessionNumber\nStudy › StudyDescription\n/);
    assert.ok(diffTabs().some((d) => d.original.toString() === metadataUri(DATASTORE_ID, id, v2).toString()
      && d.modified.toString() === metadataUri(DATASTORE_ID, id, '1').toString()), 'the diff of current vs chosen version was shown');

    const latest = await emulatorImageSet(t.env.client, id);
    assert.equal(latest.versionId, result.versionId);
    assert.equal(latest.imageSetWorkflowStatus, 'UPDATED');
    const held = await emulatorMetadata(t.env.client, id);
    assert.deepEqual(held.Study, version1.Study);
    assert.deepEqual(held.Patient, version1.Patient);
    const shown = await untilEditorShowsEmulator(t.env.client, editor.document, id);
    assert.notEqual(shown.Study.DICOM.StudyDescription, 'TO BE REVERTED');
  });

  it('declining the confirmation sends nothing', async () => {
    const id = await t.pool.take('primary');
    await updateElsewhere(t.env.client, id, { Study: { DICOM: { StudyDescription: 'KEPT' } } });
    const before = await emulatorVersions(t.env.client, id);
    t.prompts.reply(
      { kind: 'warning', match: /to version 1\?/, answer: undefined },
    );
    // From a version node of the tree: no version pick is needed.
    const node = { kind: 'version', datastoreId: DATASTORE_ID, imageSetId: id, versionId: '1' };

    const result = await vscode.commands.executeCommand('healthImaging.revertImageSet', node);

    assert.equal(result, undefined);
    assert.equal((await emulatorVersions(t.env.client, id)).length, before.length);
    assert.equal((await emulatorMetadata(t.env.client, id)).Study.DICOM.StudyDescription, 'KEPT');
  });

  it('from the palette without an editor: asks for the image set, then the version', async () => {
    const id = await t.pool.take('primary');
    const v2 = await updateElsewhere(t.env.client, id, { Study: { DICOM: { StudyDescription: 'PALETTE' } } });
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    t.prompts.reply(
      { kind: 'quickPick', match: /Image set to revert/, answer: (items) => items.find((i) => i.detail === id) },
      { kind: 'quickPick', match: /to…/, answer: 'Version 1' },
      { kind: 'warning', match: /to version 1\?/, answer: 'Revert' },
    );

    const result = await vscode.commands.executeCommand<RevertResult>('healthImaging.revertImageSet');

    assert.equal(result?.versionId, String(Number(v2) + 1));
    assert.notEqual((await emulatorMetadata(t.env.client, id)).Study.DICOM.StudyDescription, 'PALETTE');
  });

  it('from the tree: a real version node reverts to that version; the tree then lists the new version', async () => {
    const id = await t.pool.take('primary');
    await updateElsewhere(t.env.client, id, { Study: { DICOM: { StudyDescription: 'TREE ONE' } } });
    const v3 = await updateElsewhere(t.env.client, id, { Study: { DICOM: { StudyDescription: 'TREE TWO' } } });
    // Find the image set in the explorer (paging through "Load more…" if needed) and list its versions.
    const datastore = (await t.env.api.explorer.getChildren()).find((n) => n.kind === 'datastore')!;
    let imageSetNode: ExplorerNode | undefined;
    for (let page = 0; !imageSetNode && page < 10; page++) {
      const children = await t.env.api.explorer.getChildren(datastore);
      imageSetNode = children.find((n) => n.kind === 'imageSet' && n.imageSetId === id);
      const more = children.find((n) => n.kind === 'loadMore');
      if (!imageSetNode && more?.kind === 'loadMore') {
        await t.env.api.explorer.loadMore(more);
      }
    }
    assert.ok(imageSetNode, 'the image set is in the tree');
    const versions = (await t.env.api.explorer.getChildren(imageSetNode)).filter((n) => n.kind === 'version');
    const version2 = versions.find((n) => n.kind === 'version' && n.versionId === '2')!;
    assert.ok(version2, 'version 2 is listed');
    assert.match(String(version2.toTreeItem().contextValue), /imageSetVersion;/);
    t.prompts.reply({ kind: 'warning', match: /to version 2\?/, answer: 'Revert' });

    const result = await vscode.commands.executeCommand<RevertResult>('healthImaging.revertImageSet', version2);

    assert.equal(result?.versionId, String(Number(v3) + 1));
    assert.equal(t.prompts.of('quickPick').length, 0, 'no version pick from a version node');
    assert.equal((await emulatorMetadata(t.env.client, id)).Study.DICOM.StudyDescription, 'TREE ONE');
    await until('the tree to list the new version', async () => {
      const again = (await t.env.api.explorer.getChildren(imageSetNode)).filter((n) => n.kind === 'version');
      return again.some((n) => n.kind === 'version' && n.versionId === result.versionId) || undefined;
    });
  });

  it('Compare with Previous Version opens version N-1 against N', async () => {
    const id = await t.pool.take('primary');
    const v2 = await updateElsewhere(t.env.client, id, { Study: { DICOM: { StudyDescription: 'COMPARED' } } });
    const node = { kind: 'version', datastoreId: DATASTORE_ID, imageSetId: id, versionId: v2 };

    const uris = await vscode.commands.executeCommand<[vscode.Uri, vscode.Uri]>('healthImaging.compareWithPreviousVersion', node);

    assert.deepEqual(uris.map(String), [metadataUri(DATASTORE_ID, id, '1').toString(), metadataUri(DATASTORE_ID, id, v2).toString()]);
    const diff = await until('the diff editor', () => diffTabs().find((d) => d.modified.toString() === uris[1].toString()));
    assert.equal(diff.original.toString(), uris[0].toString());
    const right = await vscode.workspace.openTextDocument(uris[1]);
    assert.equal(JSON.parse(right.getText()).Study.DICOM.StudyDescription, 'COMPARED');

    const first = await vscode.commands.executeCommand('healthImaging.compareWithPreviousVersion', { ...node, versionId: '1' });
    assert.equal(first, undefined);
    assert.match(t.prompts.of('information')[0].message, /first version/);
  });
});
