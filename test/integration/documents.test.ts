// Metadata documents (`healthimaging:` file system) in the real extension host against the
// seeded emulator: the text is the service's metadata, stat() reports updatedAt, older
// versions open read-only, the 5,000-instance image set opens.
import * as assert from 'node:assert/strict';
import { gunzipSync } from 'node:zlib';
import * as vscode from 'vscode';
import {
  GetImageSetCommand, GetImageSetMetadataCommand, SearchImageSetsCommand, UpdateImageSetMetadataCommand,
  type ImageSetsMetadataSummary,
} from '@aws-sdk/client-medical-imaging';
import { setUpExtension, until, type ExtensionEnv } from './helpers';

describe('metadata documents', () => {
  let env: ExtensionEnv;
  let datastoreId: string;
  let summaries: ImageSetsMetadataSummary[];

  async function serviceMetadata(imageSetId: string, versionId?: string): Promise<unknown> {
    const out = await env.client.send(new GetImageSetMetadataCommand({ datastoreId, imageSetId, versionId }));
    const bytes = await out.imageSetMetadataBlob!.transformToByteArray();
    return JSON.parse(gunzipSync(bytes).toString('utf8'));
  }

  function uriOf(imageSetId: string, version?: string): vscode.Uri {
    return vscode.Uri.parse(`healthimaging:/${datastoreId}/${imageSetId}.json${version ? `?version=${version}` : ''}`);
  }

  before(async () => {
    env = await setUpExtension();
    const root = await env.api.explorer.getChildren();
    const ds = root.find((n) => n.kind === 'datastore' && n.datastore.datastoreName === 'sample-datastore');
    assert.ok(ds && ds.kind === 'datastore');
    datastoreId = ds.datastore.datastoreId;
    summaries = [];
    let nextToken: string | undefined;
    do {
      const out = await env.client.send(new SearchImageSetsCommand({ datastoreId, nextToken, maxResults: 50 }));
      summaries.push(...(out.imageSetsMetadataSummaries ?? []));
      nextToken = out.nextToken;
    } while (nextToken);
  });

  after(async () => {
    await env?.dispose();
  });

  it('opens an image set as JSON whose text parses to exactly the emulator\'s metadata', async () => {
    const id = summaries[3].imageSetId!;
    const doc = await vscode.workspace.openTextDocument(uriOf(id));
    await vscode.window.showTextDocument(doc);
    assert.equal(doc.languageId, 'json');
    const expected = await serviceMetadata(id);
    assert.deepEqual(JSON.parse(doc.getText()), expected);
    assert.equal(doc.getText(), JSON.stringify(expected, null, 2) + '\n', 'pretty-printed with two spaces and a final newline');
    assert.equal(doc.isDirty, false);
    const base = env.api.metadataFileSystem.getBase(doc.uri);
    assert.ok(base, 'the base is recorded');
    assert.equal(base.text, doc.getText());
    assert.equal(base.versionId, String(summaries[3].version));
    assert.equal(base.datastoreId, datastoreId);
    assert.equal(base.imageSetId, id);
  });

  it('stat() reports the image set\'s updatedAt as mtime, writable for the latest version', async () => {
    const id = summaries[3].imageSetId!;
    const props = await env.client.send(new GetImageSetCommand({ datastoreId, imageSetId: id }));
    const stat = await vscode.workspace.fs.stat(uriOf(id));
    assert.equal(stat.type, vscode.FileType.File);
    assert.equal(stat.mtime, props.updatedAt!.getTime());
    assert.equal(stat.ctime, props.createdAt!.getTime());
    assert.equal(stat.permissions, undefined);
  });

  it('opens an older version read-only, with that version\'s metadata', async () => {
    const id = summaries[4].imageSetId!;
    const before = await env.client.send(new GetImageSetCommand({ datastoreId, imageSetId: id }));
    await env.client.send(new UpdateImageSetMetadataCommand({
      datastoreId, imageSetId: id, latestVersionId: before.versionId!,
      updateImageSetMetadataUpdates: { DICOMUpdates: { updatableAttributes: new TextEncoder().encode(JSON.stringify({ SchemaVersion: 1.1, Study: { DICOM: { StudyDescription: 'NEWER' } } })) } },
    }));
    await until('the update to finish', async () =>
      (await env.client.send(new GetImageSetCommand({ datastoreId, imageSetId: id }))).imageSetWorkflowStatus === 'UPDATED');

    const oldUri = uriOf(id, before.versionId);
    const stat = await vscode.workspace.fs.stat(oldUri);
    assert.equal(stat.permissions, vscode.FilePermission.Readonly);
    const doc = await vscode.workspace.openTextDocument(oldUri);
    await vscode.window.showTextDocument(doc);
    const oldMetadata = await serviceMetadata(id, before.versionId);
    assert.deepEqual(JSON.parse(doc.getText()), oldMetadata);
    assert.notEqual((JSON.parse(doc.getText()) as { Study: { DICOM: { StudyDescription?: string } } }).Study.DICOM.StudyDescription, 'NEWER');

    // the file system refuses writes to it
    await assert.rejects(
      Promise.resolve(vscode.workspace.fs.writeFile(oldUri, new TextEncoder().encode('{}'))),
      (e: unknown) => e instanceof vscode.FileSystemError && /read-only/.test(e.message));
    // and the editor does not take typing
    await vscode.window.showTextDocument(doc);
    await vscode.commands.executeCommand('type', { text: 'x' });
    assert.equal(doc.isDirty, false, 'typing into the read-only editor changes nothing');
    assert.deepEqual(JSON.parse(doc.getText()), oldMetadata);

    // the latest document shows the newer version
    const latest = await vscode.workspace.openTextDocument(uriOf(id));
    assert.equal((JSON.parse(latest.getText()) as { Study: { DICOM: { StudyDescription?: string } } }).Study.DICOM.StudyDescription, 'NEWER');
  });

  it('opens a version from the tree\'s version node', async () => {
    const id = summaries[4].imageSetId!;
    env.api.explorer.refresh(); // list the image sets as they are now (the updated one first)
    const ds = (await env.api.explorer.getChildren()).find((n) => n.kind === 'datastore')!;
    const sets = await env.api.explorer.getChildren(ds);
    const node = sets.find((n) => n.kind === 'imageSet' && n.imageSetId === id);
    assert.ok(node, 'the updated image set is on the first page (sorted by updatedAt)');
    const versions = await env.api.explorer.getChildren(node);
    const oldest = versions[versions.length - 1];
    assert.equal(oldest.kind, 'version');
    const ti = oldest.toTreeItem();
    await vscode.commands.executeCommand(ti.command!.command, ...(ti.command!.arguments ?? []));
    assert.equal(vscode.window.activeTextEditor?.document.uri.toString(), uriOf(id, '1').toString());
  });

  it('reloads an unmodified document when its image set was updated elsewhere (stat reports the newer updatedAt)', async () => {
    const id = summaries[6].imageSetId!;
    const doc = await vscode.workspace.openTextDocument(uriOf(id));
    await vscode.window.showTextDocument(doc);
    const other = await vscode.workspace.openTextDocument(uriOf(summaries[7].imageSetId!));
    await vscode.window.showTextDocument(other);
    const before = await env.client.send(new GetImageSetCommand({ datastoreId, imageSetId: id }));
    await env.client.send(new UpdateImageSetMetadataCommand({
      datastoreId, imageSetId: id, latestVersionId: before.versionId!,
      updateImageSetMetadataUpdates: { DICOMUpdates: { updatableAttributes: new TextEncoder().encode(JSON.stringify({ SchemaVersion: 1.1, Study: { DICOM: { StudyDescription: 'CHANGED ELSEWHERE' } } })) } },
    }));
    await until('the update to finish', async () =>
      (await env.client.send(new GetImageSetCommand({ datastoreId, imageSetId: id }))).imageSetWorkflowStatus === 'UPDATED');
    await vscode.window.showTextDocument(doc);
    await until('the editor to show the newer version', () =>
      (JSON.parse(doc.getText()) as { Study: { DICOM: { StudyDescription?: string } } }).Study.DICOM.StudyDescription === 'CHANGED ELSEWHERE');
    assert.equal(doc.isDirty, false);
    assert.equal(env.api.metadataFileSystem.getBase(doc.uri)?.versionId, String(Number(before.versionId) + 1));
  });

  it('reports a missing image set and a malformed URI with clear messages', async () => {
    await assert.rejects(Promise.resolve(vscode.workspace.fs.readFile(uriOf('0'.repeat(32)))),
      (e: unknown) => e instanceof vscode.FileSystemError && e.code === 'FileNotFound');
    await assert.rejects(Promise.resolve(vscode.workspace.fs.readFile(vscode.Uri.parse(`healthimaging:/${datastoreId}/NOT-AN-ID.json`))),
      (e: unknown) => e instanceof Error && /image set id "NOT-AN-ID" must be 32 characters/.test(e.message));
  });

  it('opens the 5,000-instance image set (time to open is logged)', async () => {
    const big = summaries.find((s) => (s.DICOMTags?.DICOMNumberOfStudyRelatedInstances ?? 0) >= 5000);
    assert.ok(big);
    const uri = uriOf(big.imageSetId!);
    const started = Date.now();
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc);
    const openMs = Date.now() - started;
    const timing = env.api.metadataFileSystem.getReadTiming(uri);
    assert.ok(timing, 'the provider recorded the read');
    assert.equal(timing.bytes, Buffer.byteLength(doc.getText(), 'utf8'));
    const series = (JSON.parse(doc.getText()) as { Study: { Series: Record<string, { Instances: object }> } }).Study.Series;
    const instances = Object.values(series).reduce((n, s) => n + Object.keys(s.Instances).length, 0);
    assert.ok(instances >= 5000, `${instances} instances`);
    // numbers for the README (not asserted: no timed tests)
    // auto layout: compact, under the size where VS Code turns highlighting and folding off (300,000 lines, 20 MB)
    assert.ok(doc.lineCount < 300_000, `${doc.lineCount} lines`);
    console.log(`      large image set: ${instances} instances, ${(timing.bytes / 1e6).toFixed(1)} MB, ${doc.lineCount} lines; ` +
      `fetch+gunzip ${timing.fetchMs} ms, format ${timing.formatMs} ms, provider ${timing.totalMs} ms, editor open ${openMs} ms`);
  });
});
