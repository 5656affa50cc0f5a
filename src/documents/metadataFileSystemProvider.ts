// The `healthimaging:` file system: an image set's metadata as a JSON document.
//   readFile  -> GetImageSet (which version is latest) + GetImageSetMetadata (that version),
//                gunzipped, pretty-printed; records what the editor was opened on (the base).
//   stat      -> GetImageSet: mtime = updatedAt, so VS Code's own "file is newer" appears when
//                someone else updated the image set; `?version=N` documents are read-only.
//   writeFile -> the save handler (the save flow), which submits UpdateImageSetMetadata.
import * as vscode from 'vscode';
import type { HealthImagingClient } from '../aws/healthImagingClient';
import { HealthImagingError } from '../aws/errors';
import { chooseLayout, formatMetadata, type LayoutSetting, type MetadataLayout } from '../core/metadataText';
import { SCHEME } from '../constants';
import { Disposable } from '../shared/lifecycle';
import type { Logger } from '../shared/logger';
import { latestKey, parseMetadataUri } from './metadataUri';

/** What an editor was opened on. `text` is exactly what readFile returned. */
export interface MetadataBase {
  datastoreId: string;
  imageSetId: string;
  versionId: string;
  text: string;
  updatedAt?: Date;
  isPrimary?: boolean;
  /** How `text` is laid out; a save's new text keeps it (healthImaging.documentLayout). */
  layout?: MetadataLayout;
  /**
   * Later versions known to hold this same content: an update that ended UPDATE_FAILED takes a
   * version number but keeps the previous content (see noteUnchangedVersion).
   */
  unchangedVersions?: string[];
}

export interface MetadataSaveHandler {
  /** Saves `content` (the editor's text) made from `base`; resolves to the new base (the service's text). */
  save(uri: vscode.Uri, content: Uint8Array, base: MetadataBase): Promise<MetadataBase>;
}

/** Timing of the last readFile per document, for the log and for tests. */
export interface ReadTiming {
  versionId: string;
  bytes: number;
  fetchMs: number;
  formatMs: number;
  totalMs: number;
}

const encoder = new TextEncoder();

function isDirectoryPath(path: string): boolean {
  return path === '/' || path === '' || /^\/[0-9a-z]{32}\/?$/.test(path);
}

export class MetadataFileSystemProvider extends Disposable implements vscode.FileSystemProvider {
  private readonly _onDidChangeFile = this._register(new vscode.EventEmitter<vscode.FileChangeEvent[]>());
  readonly onDidChangeFile = this._onDidChangeFile.event;

  /** Base per latest-version document (key: URI without query). */
  private readonly bases = new Map<string, MetadataBase>();
  /** Formatted text of immutable older versions (key: full URI), a few at most. */
  private readonly versionCache = new Map<string, MetadataBase>();
  private static readonly VERSION_CACHE_SIZE = 4;
  private saveHandler: MetadataSaveHandler | undefined;
  /** Documents just saved whose saved text differs from the service's (see writeFile). */
  private readonly justWritten = new Map<string, { size: number; timer: NodeJS.Timeout }>();
  private readonly timings = new Map<string, ReadTiming>();

  constructor(
    private readonly getClient: () => HealthImagingClient,
    private readonly log: Logger,
    /** The healthImaging.documentLayout setting, read at each open. */
    private readonly layoutSetting: () => LayoutSetting = () => 'auto',
  ) {
    super();
    this._register(new vscode.Disposable(() => {
      for (const { timer } of this.justWritten.values()) {
        clearTimeout(timer);
      }
      this.justWritten.clear();
    }));
    this._register(vscode.workspace.onDidSaveTextDocument((doc) => {
      if (doc.uri.scheme === SCHEME && !doc.uri.query && this.justWritten.has(doc.uri.toString())) {
        this.endJustWritten(doc.uri.toString(), doc.uri, 0);
      }
    }));
    this._register(vscode.workspace.onDidCloseTextDocument((doc) => {
      if (doc.uri.scheme === SCHEME && !doc.uri.query) {
        this.bases.delete(doc.uri.toString());
      }
    }));
  }

  /** Registers the provider for the `healthimaging:` scheme. */
  register(): this {
    this._register(vscode.workspace.registerFileSystemProvider(SCHEME, this, { isCaseSensitive: true }));
    return this;
  }

  setSaveHandler(handler: MetadataSaveHandler): vscode.Disposable {
    this.saveHandler = handler;
    return new vscode.Disposable(() => {
      if (this.saveHandler === handler) {
        this.saveHandler = undefined;
      }
    });
  }

  getBase(uri: vscode.Uri): MetadataBase | undefined {
    const parts = parseMetadataUri(uri);
    return parts.versionId ? this.versionCache.get(uri.toString()) : this.bases.get(latestKey(parts));
  }

  /**
   * Records that `versionId` holds the same content as the base of `uri` (an update of it failed).
   * stat() then describes that version as the base, so the next save is not met by VS Code's "the
   * file is newer", and the save flow submits against that version.
   */
  noteUnchangedVersion(uri: vscode.Uri, versionId: string): void {
    const base = this.bases.get(latestKey(parseMetadataUri(uri)));
    if (base && base.versionId !== versionId && !base.unchangedVersions?.includes(versionId)) {
      // the same object: its parsed document stays cached by the save flow
      base.unchangedVersions = [...(base.unchangedVersions ?? []), versionId];
    }
  }

  /** The timing of the last read of `uri` (ids, sizes and milliseconds only). */
  getReadTiming(uri: vscode.Uri): ReadTiming | undefined {
    return this.timings.get(uri.toString());
  }

  /** Forgets what is known about `uri` and tells VS Code it changed (an unmodified editor reloads). */
  refresh(uri: vscode.Uri): void {
    const parts = parseMetadataUri(uri);
    if (!parts.versionId) {
      const doc = this.openDocument(uri);
      if (!doc?.isDirty) {
        this.bases.delete(latestKey(parts));
      }
    }
    this._onDidChangeFile.fire([{ type: vscode.FileChangeType.Changed, uri }]);
  }

  watch(): vscode.Disposable {
    return new vscode.Disposable(() => undefined);
  }

  async stat(uri: vscode.Uri): Promise<vscode.FileStat> {
    if (isDirectoryPath(uri.path)) {
      // `/` and `/<datastoreId>` exist as folders, so that VS Code's writeFile (which makes sure
      // the parent folder exists first) reaches writeFile.
      return { type: vscode.FileType.Directory, ctime: 0, mtime: 0, size: 0, permissions: vscode.FilePermission.Readonly };
    }
    const parts = parseMetadataUri(uri);
    const props = await this.run(uri, () => this.getClient().getImageSet(parts.datastoreId, parts.imageSetId, parts.versionId));
    if (props.imageSetState === 'DELETED') {
      throw vscode.FileSystemError.FileNotFound(`Image set ${parts.imageSetId} has been deleted.`);
    }
    const known = parts.versionId ? this.versionCache.get(uri.toString()) : this.bases.get(latestKey(parts));
    // A newer version than the known one gets a different size too: VS Code reports "the file is
    // newer" (Compare / Overwrite) only when both mtime and size (its etag) differ from what it opened.
    // A version known to hold the base's content (a failed update) is described as the base itself.
    const sameAsKnown = known !== undefined && (known.versionId === props.versionId || known.unchangedVersions?.includes(props.versionId) === true);
    let size = known ? Buffer.byteLength(known.text, 'utf8') + (sameAsKnown ? 0 : 1) : 0;
    const modified = sameAsKnown && known.versionId !== props.versionId && known.updatedAt ? known.updatedAt : props.updatedAt;
    let mtime = modified?.getTime() ?? props.createdAt?.getTime() ?? 0;
    const written = parts.versionId ? undefined : this.justWritten.get(latestKey(parts));
    if (written) {
      // Between a save and its completion VS Code records this stat: describe the text it wrote
      // (a step older); the change event after the save then makes the editor reload.
      size = written.size;
      mtime -= 1;
    }
    return {
      type: vscode.FileType.File,
      ctime: props.createdAt?.getTime() ?? 0,
      mtime,
      size,
      permissions: parts.versionId ? vscode.FilePermission.Readonly : undefined,
    };
  }

  async readFile(uri: vscode.Uri): Promise<Uint8Array> {
    const parts = parseMetadataUri(uri);
    const started = Date.now();
    if (parts.versionId) {
      const cached = this.versionCache.get(uri.toString());
      if (cached) {
        return encoder.encode(cached.text);
      }
    }
    const client = this.getClient();
    const props = await this.run(uri, () => client.getImageSet(parts.datastoreId, parts.imageSetId, parts.versionId));
    if (props.imageSetState === 'DELETED') {
      throw vscode.FileSystemError.FileNotFound(`Image set ${parts.imageSetId} was deleted: HealthImaging no longer has its metadata. Refresh the explorer to see the data store as it is.`);
    }
    const versionId = props.versionId;
    const existing = parts.versionId ? undefined : this.bases.get(latestKey(parts));
    let base: MetadataBase;
    let timing: ReadTiming;
    if (existing && props.imageSetState === 'ACTIVE' && existing.versionId === versionId
      && (existing.updatedAt?.getTime() ?? 0) === (props.updatedAt?.getTime() ?? 0)) {
      base = existing;
      timing = { versionId, bytes: Buffer.byteLength(base.text, 'utf8'), fetchMs: 0, formatMs: 0, totalMs: Date.now() - started };
    } else {
      const raw = await this.run(uri, () => client.getImageSetMetadata(parts.datastoreId, parts.imageSetId, versionId));
      const fetched = Date.now();
      // An older version is shown in the layout of the open image set, so that diffs line up.
      const { text, layout } = this.format(raw, uri, parts.versionId ? this.bases.get(latestKey(parts))?.layout : undefined);
      const formatted = Date.now();
      base = {
        datastoreId: parts.datastoreId,
        imageSetId: parts.imageSetId,
        versionId,
        text,
        updatedAt: props.updatedAt,
        isPrimary: props.isPrimary,
        layout,
      };
      timing = {
        versionId, bytes: Buffer.byteLength(text, 'utf8'),
        fetchMs: fetched - started, formatMs: formatted - fetched, totalMs: formatted - started,
      };
    }
    this.timings.set(uri.toString(), timing);
    this.log.info(
      `opened ${parts.datastoreId}/${parts.imageSetId} v${versionId}${parts.versionId ? ' (read-only)' : ''}: ` +
        `${timing.bytes} bytes, ${base.layout ?? 'expanded'} layout, fetch ${timing.fetchMs} ms, format ${timing.formatMs} ms, total ${timing.totalMs} ms`);
    if (parts.versionId) {
      this.rememberVersion(uri.toString(), base);
    } else if (!this.openDocument(uri)?.isDirty) {
      // An unmodified (or closed) editor now shows this version. A dirty editor keeps the base it
      // was opened on, e.g. while VS Code reads the file to compare it with the editor's text.
      this.bases.set(latestKey(parts), base);
    }
    return encoder.encode(base.text);
  }

  async writeFile(uri: vscode.Uri, content: Uint8Array, _options: { readonly create: boolean; readonly overwrite: boolean }): Promise<void> {
    const parts = parseMetadataUri(uri);
    if (parts.versionId) {
      throw vscode.FileSystemError.NoPermissions(
        `Version ${parts.versionId} of image set ${parts.imageSetId} is read-only; open the image set itself to edit its metadata.`);
    }
    const handler = this.saveHandler;
    if (!handler) {
      throw vscode.FileSystemError.NoPermissions('Saving HealthImaging metadata is not available.');
    }
    let base = this.bases.get(latestKey(parts));
    if (!base) {
      await this.readFile(uri);
      base = this.bases.get(latestKey(parts));
      if (!base) {
        throw vscode.FileSystemError.Unavailable(`Could not read the current metadata of image set ${parts.imageSetId}.`);
      }
    }
    const saved = await handler.save(uri, content, base);
    const key = latestKey(parts);
    this.bases.set(key, saved);
    this.log.info(`saved ${parts.datastoreId}/${parts.imageSetId}: v${base.versionId} -> v${saved.versionId}`);
    if (Buffer.from(content).toString('utf8') !== saved.text) {
      // VS Code keeps the text it wrote unless the file's etag (mtime + size) changes after the
      // save: until the save completes, stat() describes the written text; then a change event
      // makes the (unmodified) editor reload the service's text.
      this.endJustWritten(key, uri, undefined);
      // ended by onDidSaveTextDocument, or after a while for writes that are not an editor's save
      this.justWritten.set(key, { size: content.byteLength, timer: setTimeout(() => this.endJustWritten(key, uri, 0), 1500) });
    } else {
      this._onDidChangeFile.fire([{ type: vscode.FileChangeType.Changed, uri: uri.with({ query: '' }) }]);
    }
  }

  /** Ends the just-saved state of a document and, unless `fireAfterMs` is undefined, announces the change. */
  private endJustWritten(key: string, uri: vscode.Uri, fireAfterMs: number | undefined): void {
    const entry = this.justWritten.get(key);
    if (!entry) {
      return;
    }
    clearTimeout(entry.timer);
    this.justWritten.delete(key);
    if (fireAfterMs !== undefined) {
      setTimeout(() => {
        if (!this.isDisposed) {
          this._onDidChangeFile.fire([{ type: vscode.FileChangeType.Changed, uri: uri.with({ query: '' }) }]);
        }
      }, fireAfterMs);
    }
  }

  readDirectory(): [string, vscode.FileType][] {
    return [];
  }

  createDirectory(uri: vscode.Uri): void {
    throw vscode.FileSystemError.NoPermissions(`${uri.toString()}: folders cannot be created in HealthImaging.`);
  }

  delete(uri: vscode.Uri): void {
    throw vscode.FileSystemError.NoPermissions(`${uri.toString()}: image sets cannot be deleted from the editor.`);
  }

  rename(oldUri: vscode.Uri): void {
    throw vscode.FileSystemError.NoPermissions(`${oldUri.toString()}: metadata documents cannot be renamed.`);
  }

  private openDocument(uri: vscode.Uri): vscode.TextDocument | undefined {
    const key = uri.with({ query: '' }).toString();
    return vscode.workspace.textDocuments.find((d) => d.uri.toString() === key);
  }

  private rememberVersion(key: string, base: MetadataBase): void {
    this.versionCache.delete(key);
    this.versionCache.set(key, base);
    while (this.versionCache.size > MetadataFileSystemProvider.VERSION_CACHE_SIZE) {
      const oldest = this.versionCache.keys().next().value as string;
      this.versionCache.delete(oldest);
    }
  }

  private format(raw: string, uri: vscode.Uri, layout?: MetadataLayout): { text: string; layout: MetadataLayout } {
    let doc: unknown;
    try {
      doc = JSON.parse(raw);
    } catch (error) {
      throw vscode.FileSystemError.Unavailable(
        `HealthImaging returned metadata for ${uri.path} that is not valid JSON (${(error as Error).message}).`);
    }
    const chosen = layout ?? chooseLayout(doc, this.layoutSetting());
    return { text: formatMetadata(doc, chosen), layout: chosen };
  }

  /** Reloads the unmodified open documents (their layout setting changed); edited ones keep their text. */
  reformatOpenDocuments(): void {
    for (const doc of vscode.workspace.textDocuments) {
      if (doc.uri.scheme !== SCHEME || doc.isDirty) {
        continue;
      }
      const parts = parseMetadataUri(doc.uri);
      if (parts.versionId) {
        this.versionCache.delete(doc.uri.toString());
      } else {
        this.bases.delete(latestKey(parts));
      }
      this._onDidChangeFile.fire([{ type: vscode.FileChangeType.Changed, uri: doc.uri }]);
    }
  }

  /** Runs a client call, turning HealthImaging errors into file system errors VS Code understands. */
  private async run<T>(uri: vscode.Uri, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      if (error instanceof HealthImagingError) {
        this.log.warn(`${error.operation} for ${uri.path}${uri.query ? `?${uri.query}` : ''} failed: ${error.code}`);
        switch (error.code) {
          case 'NotFound':
            throw vscode.FileSystemError.FileNotFound(`HealthImaging has no such image set or version (it may have been deleted): ${error.message} ` +
              `(${uri.path}${uri.query ? `?${uri.query}` : ''})`);
          case 'AccessDenied':
            throw vscode.FileSystemError.NoPermissions(error.message);
          case 'Network':
          case 'Throttling':
          case 'Internal':
            throw vscode.FileSystemError.Unavailable(error.message);
          default:
            throw new Error(error.message);
        }
      }
      throw error;
    }
  }
}
