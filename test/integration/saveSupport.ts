// Shared by the save, revert, preview and hierarchy integration tests: image sets and studies handed out
// one per test (so tests do not see each other's versions), what the emulator holds (read with the real SDK),
// and editing a metadata document the way a user does (through the editor).
import * as assert from 'node:assert/strict';
import { gunzipSync } from 'node:zlib';
import * as vscode from 'vscode';
import {
  GetImageSetCommand, GetImageSetMetadataCommand, ListImageSetVersionsCommand, SearchImageSetsCommand, UpdateImageSetMetadataCommand,
  type ImageSetsMetadataSummary, type MedicalImagingClient,
} from '@aws-sdk/client-medical-imaging';
import { formatMetadata } from '../../src/core/metadataText';
import { metadataUri } from '../../src/documents/metadataUri';
import { SEED_DATASTORE_ID } from 'healthimaging-emulator';
import { FakePrompts } from './fakePrompts';
import { setUpExtension, until, type ExtensionEnv } from './helpers';

export const DATASTORE_ID = SEED_DATASTORE_ID;

export type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Every seeded image set's search summary but the 5,000-instance one's. */
async function seededSummaries(client: MedicalImagingClient): Promise<ImageSetsMetadataSummary[]> {
  const all: ImageSetsMetadataSummary[] = [];
  let nextToken: string | undefined;
  do {
    const page = await client.send(new SearchImageSetsCommand({ datastoreId: DATASTORE_ID, maxResults: 50, nextToken, searchCriteria: {} }));
    all.push(...(page.imageSetsMetadataSummaries ?? []).filter((s) => s.DICOMTags?.DICOMPatientId !== 'SYN-9999'));
    nextToken = page.nextToken;
  } while (nextToken);
  return all;
}

/**
 * Hands out seeded image sets, each once: primary or non-primary, never the 5,000-instance one, and
 * never one with a document still open. Every test file starts its own emulator with the same seed (the
 * same ids), so each file takes its own slice (`order`, `skip`) to keep clear of documents and cached
 * texts another file left behind.
 */
export class ImageSetPool {
  private summaries: { imageSetId: string; isPrimary: boolean }[] | undefined;
  private readonly used = new Set<string>();

  constructor(private readonly client: () => MedicalImagingClient, private readonly slice: { order: 'first' | 'last'; skip?: number } = { order: 'first' }) {}

  async take(kind: 'primary' | 'nonPrimary'): Promise<string> {
    if (!this.summaries) {
      this.summaries = (await seededSummaries(this.client())).map((s) => ({ imageSetId: s.imageSetId!, isPrimary: s.isPrimary !== false }));
      this.summaries.sort((a, b) => a.imageSetId.localeCompare(b.imageSetId));
      if (this.slice.order === 'last') {
        this.summaries.reverse();
      }
    }
    const open = new Set(vscode.workspace.textDocuments.map((d) => /([0-9a-z]{32})\.json$/.exec(d.uri.path)?.[1]));
    const candidates = this.summaries.filter((s) => s.isPrimary === (kind === 'primary')).slice(this.slice.skip ?? 0);
    const found = candidates.find((s) => !this.used.has(s.imageSetId) && !open.has(s.imageSetId));
    assert.ok(found, `no unused ${kind} image set left in the seed`);
    this.used.add(found.imageSetId);
    return found.imageSetId;
  }
}

export interface SeededStudy {
  uid: string;
  description: string;
  /** Primary image sets, by id. */
  primaries: string[];
  nonPrimary: string[];
}

/** Hands out seeded studies, each once (the 5,200-instance one never), by how many primary image sets they have. */
export class StudyPool {
  private studies: SeededStudy[] | undefined;
  private readonly used = new Set<string>();

  constructor(private readonly client: () => MedicalImagingClient) {}

  async take(want: { primaries: number; exact?: boolean; nonPrimary?: boolean }): Promise<SeededStudy> {
    if (!this.studies) {
      const byUid = new Map<string, SeededStudy>();
      for (const s of await seededSummaries(this.client())) {
        const tags = s.DICOMTags ?? {};
        if (!tags.DICOMStudyInstanceUID) continue;
        const study = byUid.get(tags.DICOMStudyInstanceUID) ?? { uid: tags.DICOMStudyInstanceUID, description: tags.DICOMStudyDescription ?? '', primaries: [], nonPrimary: [] };
        (s.isPrimary === false ? study.nonPrimary : study.primaries).push(s.imageSetId!);
        byUid.set(study.uid, study);
      }
      this.studies = [...byUid.values()].sort((a, b) => a.uid.localeCompare(b.uid));
      for (const s of this.studies) s.primaries.sort();
    }
    const found = this.studies.find((s) => !this.used.has(s.uid)
      && (want.exact ? s.primaries.length === want.primaries : s.primaries.length >= want.primaries)
      && (want.nonPrimary === undefined || (s.nonPrimary.length > 0) === want.nonPrimary));
    assert.ok(found, `no unused seeded study with ${want.primaries} primary image sets left`);
    this.used.add(found.uid);
    return found;
  }
}

export async function emulatorImageSet(client: MedicalImagingClient, imageSetId: string, versionId?: string) {
  return client.send(new GetImageSetCommand({ datastoreId: DATASTORE_ID, imageSetId, versionId }));
}

export async function emulatorMetadata(client: MedicalImagingClient, imageSetId: string, versionId?: string): Promise<Json> {
  const out = await client.send(new GetImageSetMetadataCommand({ datastoreId: DATASTORE_ID, imageSetId, versionId }));
  const bytes = Buffer.from(await out.imageSetMetadataBlob!.transformToByteArray());
  const text = bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes).toString('utf8') : bytes.toString('utf8');
  return JSON.parse(text) as Json;
}

export async function emulatorVersions(client: MedicalImagingClient, imageSetId: string) {
  const out = await client.send(new ListImageSetVersionsCommand({ datastoreId: DATASTORE_ID, imageSetId, maxResults: 50 }));
  return (out.imageSetPropertiesList ?? []).sort((a, b) => Number(b.versionId) - Number(a.versionId));
}

/** Someone else's update (through the SDK), followed until it has finished. Returns the new version. */
export async function updateElsewhere(client: MedicalImagingClient, imageSetId: string, updatable: object, force = false): Promise<string> {
  const current = await emulatorImageSet(client, imageSetId);
  const out = await client.send(new UpdateImageSetMetadataCommand({
    datastoreId: DATASTORE_ID, imageSetId, latestVersionId: current.versionId!, force,
    updateImageSetMetadataUpdates: { DICOMUpdates: { updatableAttributes: new TextEncoder().encode(JSON.stringify({ SchemaVersion: 1.1, ...updatable })) } },
  }));
  const version = out.latestVersionId!;
  await until(`version ${version} to finish`, async () => {
    const p = await emulatorImageSet(client, imageSetId, version);
    return p.imageSetWorkflowStatus !== 'UPDATING' && p.imageSetState !== 'LOCKED' ? p : undefined;
  });
  return version;
}

export async function openMetadata(imageSetId: string): Promise<vscode.TextEditor> {
  const document = await vscode.workspace.openTextDocument(metadataUri(DATASTORE_ID, imageSetId));
  return vscode.window.showTextDocument(document, { preview: false });
}

/**
 * Opens the 5,200-instance image set (which no pool hands out) showing this file's emulator: an
 * earlier test file may have left its document loaded with another emulator's version, so the
 * provider is told to forget it and the editor waits for the text of this emulator.
 */
export async function openLargeImageSet(env: ExtensionEnv, imageSetId: string): Promise<vscode.TextEditor> {
  const editor = await openMetadata(imageSetId);
  const held = await emulatorMetadata(env.client, imageSetId);
  const texts = [formatMetadata(held, 'compact'), formatMetadata(held, 'expanded')];
  const fresh = () => !editor.document.isDirty && texts.includes(editor.document.getText());
  if (!fresh()) {
    if (editor.document.isDirty) await vscode.commands.executeCommand('workbench.action.files.revert');
    env.api.metadataFileSystem.refresh(editor.document.uri);
    await until('the large image set to show this emulator\'s metadata', () => fresh() || undefined, 60_000);
  }
  return editor;
}

/** Replaces the whole text of the editor (as typing would; the document becomes dirty). */
export async function setText(editor: vscode.TextEditor, text: string): Promise<void> {
  const document = editor.document;
  const all = new vscode.Range(document.positionAt(0), document.positionAt(document.getText().length));
  const ok = await editor.edit((b) => b.replace(all, text));
  assert.ok(ok, 'the edit was not applied');
}

/** Edits the document's JSON with `change` and writes it back formatted; returns the edited value. */
export async function editJson(editor: vscode.TextEditor, change: (doc: Json) => void): Promise<Json> {
  const doc = JSON.parse(editor.document.getText()) as Json;
  change(doc);
  await setText(editor, JSON.stringify(doc, null, 2) + '\n');
  return doc;
}

/** Waits until the editor shows exactly the emulator's metadata, not dirty. */
export async function untilEditorShowsEmulator(client: MedicalImagingClient, document: vscode.TextDocument, imageSetId: string): Promise<Json> {
  const expected = await emulatorMetadata(client, imageSetId);
  await until('the editor to show the service\'s metadata, not dirty', () => {
    if (document.isDirty) {
      return undefined;
    }
    try {
      assert.deepEqual(JSON.parse(document.getText()), expected);
      return true;
    } catch {
      return undefined;
    }
  }, 10_000);
  return expected;
}

export function firstSeries(doc: Json): { uid: string; series: Json } {
  const [uid, series] = Object.entries(doc.Study.Series as Json)[0];
  return { uid, series };
}

export function firstInstance(doc: Json): { seriesUid: string; uid: string; instance: Json } {
  const { uid: seriesUid, series } = firstSeries(doc);
  const [uid, instance] = Object.entries(series.Instances as Json)[0];
  return { seriesUid, uid, instance };
}

/** Reverts and closes every editor (an unsaved test edit must not leak into the next test). */
export async function closeAllEditors(): Promise<void> {
  for (const document of vscode.workspace.textDocuments.filter((d) => d.isDirty)) {
    await vscode.window.showTextDocument(document, { preview: false, viewColumn: vscode.ViewColumn.One });
    await vscode.commands.executeCommand('workbench.action.files.revert');
    await until(`${document.uri.toString()} to be reverted`, () => !document.isDirty || undefined, 5_000);
  }
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
}

/** Writes through the `healthimaging:` file system, as VS Code's save (or its "Overwrite") does. */
export async function writeThroughProvider(document: vscode.TextDocument, text = document.getText()): Promise<void> {
  await vscode.workspace.fs.writeFile(document.uri, Buffer.from(text, 'utf8'));
}

/** What a save, revert or preview test file works with; set by the hooks of useEditingEnvironment. */
export interface EditingEnvironment {
  env: ExtensionEnv;
  pool: ImageSetPool;
  prompts: FakePrompts;
}

/**
 * The mocha hooks every editing test file shares: a seeded emulator and the extension pointed at it,
 * auto save off (VS Code for the web auto-saves by default; these tests save when they mean to), a
 * fresh recording fake for each test's dialog answers (every scripted answer must have been used),
 * and no editor or injected fault left behind. Call it inside `describe`.
 */
export function useEditingEnvironment(slice: { order: 'first' | 'last'; skip?: number }): EditingEnvironment {
  const handles = {} as EditingEnvironment;
  before(async () => {
    handles.env = await setUpExtension({ updateDelayMs: 100 });
    handles.pool = new ImageSetPool(() => handles.env.client, slice);
    await closeAllEditors(); // what an earlier test file left open
    await vscode.workspace.getConfiguration('files').update('autoSave', 'off', vscode.ConfigurationTarget.Global);
  });
  after(async () => {
    await vscode.workspace.getConfiguration('files').update('autoSave', undefined, vscode.ConfigurationTarget.Global);
    await handles.env?.dispose();
  });
  beforeEach(() => {
    handles.prompts = new FakePrompts();
    handles.env.api.setPrompts(handles.prompts);
  });
  afterEach(async function () {
    this.timeout(120_000); // closing a 12 MB document is slow on a busy machine
    handles.env.api.setPrompts(undefined);
    handles.env.emulator.faults.reset();
    await closeAllEditors();
    handles.prompts.assertDone();
  });
  return handles;
}
