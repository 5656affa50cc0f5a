// The explorer tree in the real extension host against the seeded emulator: data store,
// paging with "Load more…", versions, the filter, and the error node when the service is down.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { SearchImageSetsCommand, type ImageSetsMetadataSummary } from '@aws-sdk/client-medical-imaging';
import type { DatastoreNode, ErrorNode, ExplorerNode, ImageSetNode, LoadMoreNode, VersionNode } from '../../src/explorer/nodes';
import { FakePrompts } from './fakePrompts';
import { EXTENSION_ID, setUpExtension, until, type ExtensionEnv } from './helpers';

const PAGE_SIZE = 40;

async function searchAll(env: ExtensionEnv, datastoreId: string, patientId?: string): Promise<ImageSetsMetadataSummary[]> {
  const all: ImageSetsMetadataSummary[] = [];
  let nextToken: string | undefined;
  do {
    const out = await env.client.send(new SearchImageSetsCommand({
      datastoreId, nextToken, maxResults: 50,
      searchCriteria: patientId ? { filters: [{ operator: 'EQUAL', values: [{ DICOMPatientId: patientId }] }] } : undefined,
    }));
    all.push(...(out.imageSetsMetadataSummaries ?? []));
    nextToken = out.nextToken;
  } while (nextToken);
  return all;
}

function item(node: ExplorerNode): vscode.TreeItem {
  return node.toTreeItem();
}

describe('explorer', () => {
  let env: ExtensionEnv;
  let datastore: DatastoreNode;

  before(async () => {
    env = await setUpExtension({ settings: { pageSize: PAGE_SIZE } });
  });

  after(async () => {
    await env?.dispose();
  });

  async function roots(): Promise<ExplorerNode[]> {
    return env.api.explorer.getChildren();
  }

  async function imageSetChildren(): Promise<ExplorerNode[]> {
    return env.api.explorer.getChildren(datastore);
  }

  it('lists the seeded data store', async () => {
    const nodes = await roots();
    const found = nodes.find((n): n is DatastoreNode => n.kind === 'datastore' && n.datastore.datastoreName === 'sample-datastore');
    assert.ok(found, `sample-datastore in ${nodes.map((n) => item(n).label).join(', ')}`);
    datastore = found;
    const ti = item(datastore);
    assert.equal(ti.collapsibleState, vscode.TreeItemCollapsibleState.Collapsed);
    assert.equal(ti.id, `datastore:${datastore.datastore.datastoreId}`);
    assert.match(String(ti.contextValue), /datastore;/);
  });

  it('pages through all image sets with "Load more…" (page size from the setting)', async () => {
    const expected = await searchAll(env, datastore.datastore.datastoreId);
    assert.ok(expected.length >= 120);
    let children = await imageSetChildren();
    assert.equal(children.filter((n) => n.kind === 'imageSet').length, PAGE_SIZE, 'first page has pageSize image sets');
    let rounds = 0;
    for (;;) {
      const more = children.find((n): n is LoadMoreNode => n.kind === 'loadMore');
      if (!more) {
        break;
      }
      assert.equal(children[children.length - 1], more, '"Load more…" is the last item');
      assert.equal(item(more).label, 'Load more…');
      assert.deepEqual(item(more).command?.arguments, [more]);
      await vscode.commands.executeCommand(item(more).command!.command, ...(item(more).command!.arguments ?? []));
      children = await imageSetChildren();
      rounds++;
      assert.ok(rounds < 20, 'paging ends');
    }
    assert.equal(rounds, Math.ceil(expected.length / PAGE_SIZE) - 1);
    const shown = children.filter((n): n is ImageSetNode => n.kind === 'imageSet');
    assert.deepEqual(shown.map((n) => n.imageSetId).sort(), expected.map((s) => s.imageSetId!).sort());
    assert.equal(new Set(shown.map((n) => item(n).id)).size, shown.length, 'stable, unique ids');
  });

  it('labels image sets from the search summary and opens their metadata on click', async () => {
    const children = await imageSetChildren();
    const node = children.find((n): n is ImageSetNode => n.kind === 'imageSet' && !!n.summary.dicomTags?.patientName && !!n.summary.dicomTags.studyDescription);
    assert.ok(node, 'an image set with a patient name and a study description');
    const ti = item(node);
    const tags = node.summary.dicomTags!;
    assert.ok(String(ti.label).startsWith(tags.patientName!), `label ${String(ti.label)}`);
    assert.ok(String(ti.label).includes(tags.studyDescription!), `label ${String(ti.label)}`);
    assert.match(String(ti.description), new RegExp(`^v${node.summary.version}`));
    assert.ok((ti.tooltip as vscode.MarkdownString).value.includes(node.imageSetId), 'tooltip names the image set id');
    assert.match(String(ti.contextValue), /imageSet;/);
    assert.equal(ti.command?.command, 'healthImaging.openImageSet');
    await vscode.commands.executeCommand(ti.command!.command, ...(ti.command!.arguments ?? []));
    const editor = vscode.window.activeTextEditor;
    assert.ok(editor, 'an editor opened');
    assert.equal(editor.document.uri.toString(), `healthimaging:/${datastore.datastore.datastoreId}/${node.imageSetId}.json`);
    assert.equal(editor.document.languageId, 'json');
    assert.equal(JSON.parse(editor.document.getText()).ImageSetID, node.imageSetId);
  });

  it('expands an image set to its versions, newest first, with context tokens', async () => {
    const children = await imageSetChildren();
    const node = children.find((n): n is ImageSetNode => n.kind === 'imageSet')!;
    const id = node.imageSetId;
    // give it a second version through the service
    const { UpdateImageSetMetadataCommand, GetImageSetCommand } = await import('@aws-sdk/client-medical-imaging');
    const before = await env.client.send(new GetImageSetCommand({ datastoreId: datastore.datastore.datastoreId, imageSetId: id }));
    await env.client.send(new UpdateImageSetMetadataCommand({
      datastoreId: datastore.datastore.datastoreId, imageSetId: id, latestVersionId: before.versionId!,
      updateImageSetMetadataUpdates: { DICOMUpdates: { updatableAttributes: new TextEncoder().encode(JSON.stringify({ SchemaVersion: 1.1, Study: { DICOM: { StudyDescription: 'TREE TEST' } } })) } },
    }));
    const latest = String(Number(before.versionId) + 1);
    const versions = await (async () => {
      for (let i = 0; i < 100; i++) {
        env.api.explorer.refresh(node);
        const vs = (await env.api.explorer.getChildren(node)).filter((n): n is VersionNode => n.kind === 'version');
        if (vs[0]?.version.imageSetWorkflowStatus === 'UPDATED') {
          return vs;
        }
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error('the update did not complete');
    })();
    assert.deepEqual(versions.map((v) => item(v).label), Array.from({ length: Number(latest) }, (_, i) => `Version ${Number(latest) - i}`));
    const newest = item(versions[0]);
    assert.match(String(newest.contextValue), /^imageSetVersion;latest;/);
    assert.match(String(newest.description), /^UPDATED · /);
    assert.doesNotMatch(String(item(versions[1]).contextValue), /latest;/);
    assert.equal(newest.command?.command, 'healthImaging.openImageSetVersion');
    assert.equal(env.api.explorer.getParent(versions[0]), node);
    assert.equal(item(node).description, `v${latest} · UPDATED`, 'the image set shows its latest version and state');
  });

  it('relabels an image set after it changed (a save or a revert calls refreshImageSet)', async () => {
    const node = (await imageSetChildren()).find((n): n is ImageSetNode => n.kind === 'imageSet' && n.summary.isPrimary === false)!;
    const { UpdateImageSetMetadataCommand, GetImageSetCommand } = await import('@aws-sdk/client-medical-imaging');
    const ids = { datastoreId: datastore.datastore.datastoreId, imageSetId: node.imageSetId };
    const before = await env.client.send(new GetImageSetCommand(ids));
    await env.client.send(new UpdateImageSetMetadataCommand({
      ...ids, latestVersionId: before.versionId!,
      updateImageSetMetadataUpdates: { DICOMUpdates: { updatableAttributes: new TextEncoder().encode(JSON.stringify({ SchemaVersion: 1.1, Patient: { DICOM: { PatientName: 'RENAMED^PATIENT' } } })) } },
    }));
    await until('the update to finish', async () => (await env.client.send(new GetImageSetCommand(ids))).imageSetWorkflowStatus === 'UPDATED');
    await env.api.explorer.refreshImageSet(ids.datastoreId, ids.imageSetId);
    const again = (await imageSetChildren()).find((n): n is ImageSetNode => n.kind === 'imageSet' && n.imageSetId === node.imageSetId)!;
    assert.match(String(item(again).label), /^RENAMED\^PATIENT · /);
    assert.match(String(item(again).description), new RegExp(`^v${Number(before.versionId) + 1}`));
  });

  it('filters image sets with SearchImageSets, shows the filter, and clears it', async () => {
    const all = await searchAll(env, datastore.datastore.datastoreId);
    const patientId = all.find((s) => s.DICOMTags?.DICOMPatientId)!.DICOMTags!.DICOMPatientId!;
    const expected = await searchAll(env, datastore.datastore.datastoreId, patientId);
    assert.ok(expected.length > 0 && expected.length < all.length);

    const prompts = new FakePrompts().reply(
      { kind: 'quickPick', match: 'Filter', answer: 'Patient ID' },
      { kind: 'inputBox', match: 'Patient ID', answer: patientId },
    );
    env.api.setPrompts(prompts);
    await vscode.commands.executeCommand('healthImaging.filterImageSets', datastore);
    prompts.assertDone();
    env.api.setPrompts(undefined);

    const filteredRoot = (await roots()).find((n): n is DatastoreNode => n.kind === 'datastore' && n.datastore.datastoreId === datastore.datastore.datastoreId)!;
    assert.match(String(item(filteredRoot).description), /filtered: Patient ID = /);
    assert.match(String(item(filteredRoot).contextValue), /filtered;/);
    const filtered = (await env.api.explorer.getChildren(filteredRoot)).filter((n): n is ImageSetNode => n.kind === 'imageSet');
    assert.deepEqual(filtered.map((n) => n.imageSetId).sort(), expected.map((s) => s.imageSetId!).sort());
    assert.ok(filtered.every((n) => n.summary.dicomTags?.patientId === patientId));

    await vscode.commands.executeCommand('healthImaging.clearFilter', filteredRoot);
    const clearedRoot = (await roots()).find((n): n is DatastoreNode => n.kind === 'datastore' && n.datastore.datastoreId === datastore.datastore.datastoreId)!;
    assert.equal(item(clearedRoot).description, undefined);
    const cleared = (await env.api.explorer.getChildren(clearedRoot)).filter((n) => n.kind === 'imageSet');
    assert.equal(cleared.length, PAGE_SIZE);
    datastore = clearedRoot;
  });

  it('validates filter input naming the field, and shows a placeholder when nothing matches', async () => {
    const prompts = new FakePrompts().reply(
      { kind: 'quickPick', match: 'Filter', answer: 'Study Instance UID' },
      { kind: 'inputBox', match: 'Study Instance UID', answer: '9.9.9.9' },
    );
    env.api.setPrompts(prompts);
    await vscode.commands.executeCommand('healthImaging.filterImageSets', datastore);
    env.api.setPrompts(undefined);
    prompts.assertDone();
    const validate = (prompts.of('inputBox')[0].options as vscode.InputBoxOptions).validateInput!;
    assert.equal(await validate('not-a-uid'), 'Study Instance UID: "not-a-uid" may contain only digits and dots.');
    assert.equal(await validate(''), 'Study Instance UID: enter a value.');

    const filteredRoot = (await roots()).find((n): n is DatastoreNode => n.kind === 'datastore' && n.datastore.datastoreId === datastore.datastore.datastoreId)!;
    const children = await env.api.explorer.getChildren(filteredRoot);
    assert.equal(children.length, 1);
    assert.equal(children[0].kind, 'placeholder');
    assert.equal(item(children[0]).label, 'No image sets match the filter');

    await vscode.commands.executeCommand('healthImaging.clearFilter');
    datastore = (await roots()).find((n): n is DatastoreNode => n.kind === 'datastore' && n.datastore.datastoreId === datastore.datastore.datastoreId)!;
    assert.equal(item(datastore).description, undefined);
  });

  it('opens an image set from the palette: recent image sets, or one typed by id', async () => {
    const all = await searchAll(env, datastore.datastore.datastoreId);
    const prompts = new FakePrompts().reply(
      { kind: 'quickPick', match: 'Open Image Set', answer: (items) => items[1] },
      { kind: 'quickPick', match: 'Open Image Set', answer: (items) => items[0] },
      { kind: 'inputBox', match: 'Open Image Set', answer: all[all.length - 1].imageSetId! },
    );
    env.api.setPrompts(prompts);
    try {
      const first = await vscode.commands.executeCommand<vscode.TextEditor>('healthImaging.openImageSet');
      const picked = prompts.of('quickPick')[0];
      assert.equal(picked.pickItems?.length, 51, 'the id entry and the 50 most recently updated image sets');
      assert.equal(first.document.uri.toString(), `healthimaging:/${datastore.datastore.datastoreId}/${picked.pickItems![1].detail}.json`);
      const second = await vscode.commands.executeCommand<vscode.TextEditor>('healthImaging.openImageSet');
      assert.equal(second.document.uri.toString(), `healthimaging:/${datastore.datastore.datastoreId}/${all[all.length - 1].imageSetId}.json`);
    } finally {
      env.api.setPrompts(undefined);
    }
    prompts.assertDone();
    const validate = (prompts.of('inputBox')[0].options as vscode.InputBoxOptions).validateInput!;
    assert.match(String(await validate('abc')), /"abc" is not an image set id/);
  });

  it('copies the id and the ARN of an image set', async () => {
    const node = (await imageSetChildren()).find((n): n is ImageSetNode => n.kind === 'imageSet')!;
    const id = await vscode.commands.executeCommand<string>('healthImaging.copyId', node);
    assert.equal(id, node.imageSetId);
    const arn = await vscode.commands.executeCommand<string>('healthImaging.copyArn', node);
    assert.equal(arn, `${datastore.datastore.datastoreArn}/imageset/${node.imageSetId}`);
    assert.match(arn, /^arn:aws:medical-imaging:us-east-1:\d{12}:datastore\/[0-9a-z]{32}\/imageset\/[0-9a-z]{32}$/);
  });

  it('picks a profile from the AWS config files and a region, writing the settings', async () => {
    const prompts = new FakePrompts().reply(
      { kind: 'quickPick', match: 'Select AWS Profile', answer: 'healthimaging-emulator' },
      { kind: 'quickPick', match: 'Select AWS Region', answer: 'us-east-1' },
    );
    env.api.setPrompts(prompts);
    try {
      assert.equal(await vscode.commands.executeCommand('healthImaging.selectProfile'), 'healthimaging-emulator');
      assert.equal(await vscode.commands.executeCommand('healthImaging.selectRegion'), 'us-east-1');
    } finally {
      env.api.setPrompts(undefined);
    }
    prompts.assertDone();
    const [profilePick, regionPick] = prompts.of('quickPick');
    const emulatorItem = profilePick.pickItems?.find((i) => i.label === 'healthimaging-emulator');
    assert.ok(emulatorItem, 'the profile of the config files is offered');
    assert.match(emulatorItem.description ?? '', /access keys · us-east-1 · current/);
    assert.ok(regionPick.pickItems?.some((i) => i.label === 'eu-west-2'), 'HealthImaging regions are offered');
    const section = vscode.workspace.getConfiguration('healthImaging');
    assert.equal(section.get('profile'), 'healthimaging-emulator');
    assert.equal(section.get('region'), 'us-east-1');
  });

  it('sets the welcome view\'s state (healthImaging.connectionState) for no credentials, no region and connected, never a wrong one on the way', async () => {
    // Every value written to the context key the welcome view's "when" clauses read (package.json viewsWelcome).
    const written: string[] = [];
    const listener = env.api.connection.onDidSetState((s) => written.push(s));
    const expectState = async (what: string, state: string, allowedOnTheWay: string[], change: () => Promise<void>) => {
      const from = written.length;
      await change();
      let last = '';
      try {
        await until(`the tree to be empty and the state ${state} (${what})`, async () => {
          const nodes = await roots();
          last = `state ${env.api.connection.state}, wrote ${written.slice(from).join(' -> ') || 'nothing'}, ${nodes.length} root(s) ${nodes.map((n) => n.kind).join(' ')}`;
          return written.slice(from).includes(state) && env.api.connection.state === state && nodes.length === 0;
        });
      } catch (e) {
        throw new Error(`${(e as Error).message}; last seen: ${last}`);
      }
      const seen = written.slice(from);
      assert.deepEqual(seen.filter((s) => s !== state && !allowedOnTheWay.includes(s)), [], `${what}: wrote ${seen.join(' -> ')}`);
    };
    const viewsWelcome = (vscode.extensions.getExtension(EXTENSION_ID)?.packageJSON as { contributes: { viewsWelcome: { when: string; contents: string }[] } }).contributes.viewsWelcome;
    const welcomeFor = (state: string) => viewsWelcome.filter((w) => w.when === `healthImaging.connectionState == ${state}`);
    try {
      await expectState('a profile without credentials', 'noCredentials', ['unknown'], () => env.setSetting('profile', 'nobody-configured-this'));
      assert.match(welcomeFor('noCredentials')[0]?.contents ?? '', /^No AWS credentials were found for HealthImaging\./);
      await expectState('no region in the settings or the profile', 'noRegion', ['unknown'], async () => {
        await env.setSetting('region', '');
        await env.setSetting('profile', '');
      });
      assert.match(welcomeFor('noRegion')[0]?.contents ?? '', /^No AWS region is set for HealthImaging yet\./);
      // Without an endpoint either, the connection knows from the local files alone that the region is missing.
      await expectState('no region and no endpoint', 'noRegion', [], () => env.setSetting('endpoint', ''));
      await env.setSetting('endpoint', env.emulator.url);
      await env.setSetting('profile', 'healthimaging-emulator');
      await env.setSetting('region', 'us-east-1');
      const back = await until('the data store again', async () =>
        (await roots()).find((n): n is DatastoreNode => n.kind === 'datastore' && n.datastore.datastoreName === 'sample-datastore'));
      datastore = back;
      assert.equal(env.api.connection.state, 'ready');
      assert.equal(welcomeFor('ready').length + welcomeFor('unknown').length, 0, 'no welcome content once connected');
    } finally {
      listener.dispose();
    }
  });

  it('keeps the loaded image sets when a later page fails, and retries from that page', async () => {
    env.api.explorer.refresh(datastore);
    let children = await imageSetChildren();
    const more = children.find((n): n is LoadMoreNode => n.kind === 'loadMore')!;
    env.emulator.faults.throttleNext('SearchImageSets', 10); // more than the SDK's attempts
    try {
      await vscode.commands.executeCommand('healthImaging.loadMore', more);
      children = await imageSetChildren();
      assert.equal(children.filter((n) => n.kind === 'imageSet').length, PAGE_SIZE, 'the first page stays');
      const error = children[children.length - 1] as ErrorNode;
      assert.equal(error.kind, 'error');
      assert.match(String(item(error).label), /throttled SearchImageSets/);
    } finally {
      env.emulator.faults.reset();
    }
    const error = children[children.length - 1] as ErrorNode;
    await vscode.commands.executeCommand('healthImaging.retry', error);
    children = await imageSetChildren();
    assert.equal(children.filter((n) => n.kind === 'imageSet').length, 2 * PAGE_SIZE);
    assert.equal(children[children.length - 1].kind, 'loadMore');
  });

  it('shows an error node when the service is down, and recovers on retry after it restarts', async () => {
    await env.stopEmulator();
    env.api.explorer.refresh();
    const down = await roots();
    assert.equal(down.length, 1);
    const error = down[0] as ErrorNode;
    assert.equal(error.kind, 'error');
    const ti = item(error);
    assert.match(String(ti.label), /Cannot reach HealthImaging at http:\/\/127\.0\.0\.1:\d+/);
    assert.equal(ti.command?.command, 'healthImaging.retry');
    assert.match(String(ti.contextValue), /error;/);

    await env.restartEmulator();
    await vscode.commands.executeCommand(ti.command!.command, ...(ti.command!.arguments ?? []));
    const back = await roots();
    const again = back.find((n): n is DatastoreNode => n.kind === 'datastore' && n.datastore.datastoreName === 'sample-datastore');
    assert.ok(again, 'the data store is listed again');
    assert.equal(again.datastore.datastoreId, datastore.datastore.datastoreId, 'same data after the restart');
    const children = await env.api.explorer.getChildren(again);
    assert.equal(children.filter((n) => n.kind === 'imageSet').length, PAGE_SIZE);
  });
});
