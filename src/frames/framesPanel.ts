// HealthImaging: Show Frames: a webview panel per image set (or read-only version) showing its frames beside
// the metadata editor. The extension host reads the metadata from the same document the editor shows (edits
// included), fetches frames with GetImageFrame (queued, at most a few at once, kept in an LRU bounded in
// megabytes) and posts their bytes to the page, which decodes them (media/frames: the page script and the
// HTJ2K decoder's WebAssembly, which arrives as bytes: the page has no network access). When the cursor moves
// into an instance (or a series) in an editor of that document, the panel shows it.
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { HealthImagingError } from '../aws/errors';
import type { HealthImagingClient, ImageFrame } from '../aws/healthImagingClient';
import { framesOfImageSet, locateInImageSet } from '../core/imageFrames';
import { Commands, SCHEME } from '../constants';
import { metadataUri, parseMetadataUri, type MetadataUriParts } from '../documents/metadataUri';
import { registerCommand } from '../shared/commands';
import { Disposable } from '../shared/lifecycle';
import type { Logger } from '../shared/logger';
import type { Prompts } from '../shared/prompts';
import { LruByteCache } from './frameCache';
import { packModel, type FramesModel, type HostMessage, type PageMessage, type Selection } from './protocol';

export const FRAMES_VIEW_TYPE = 'healthImaging.frames';
/** Frame bytes kept for panels that show them again. */
export const FRAME_CACHE_BYTES = 96 * 1024 * 1024;
/** GetImageFrame requests in flight at once (per window). */
const CONCURRENT_REQUESTS = 6;

/** What a panel reported (ids, sizes, timings and the messages its tiles show): for tests and the log. */
export type FramesReport =
  | { imageSetId: string; kind: 'rendered'; role: 'view' | 'thumbnail'; imageFrameId: string; sopInstanceUID: string; frameIndex: number; width: number; height: number; msSinceOpen: number }
  | { imageSetId: string; kind: 'message'; role: 'view' | 'thumbnail'; sopInstanceUID: string; imageFrameId?: string; message: string };

export interface FramesTestApi {
  readonly onDidReport: vscode.Event<FramesReport>;
  /** The panel of a metadata document, if open. */
  panelFor(uri: vscode.Uri): { readonly webviewPanel: vscode.WebviewPanel } | undefined;
}

export interface FramesDeps {
  getClient: () => HealthImagingClient;
  extensionUri: vscode.Uri;
  prompts: Prompts;
  log: Logger;
}

/** GetImageFrame through one queue: a few requests at a time, the large view's first, repeated asks joined. */
class FrameFetcher {
  private readonly cache = new LruByteCache<string, ImageFrame>(FRAME_CACHE_BYTES, (f) => f.bytes.byteLength);
  private readonly queue: { key: string; view: boolean; run: () => void }[] = [];
  private readonly inFlight = new Map<string, Promise<ImageFrame>>();
  private readonly queued = new Map<string, { promise: Promise<ImageFrame>; reject: (e: Error) => void }>();
  private running = 0;

  constructor(private readonly getClient: () => HealthImagingClient, private readonly log: Logger) {}

  fetch(datastoreId: string, imageSetId: string, imageFrameId: string, priority: 'view' | 'thumbnail'): Promise<ImageFrame> {
    const key = `${datastoreId}/${imageSetId}/${imageFrameId}`;
    const cached = this.cache.get(key);
    if (cached) return Promise.resolve(cached);
    const pending = this.inFlight.get(key) ?? this.queued.get(key)?.promise;
    if (pending) {
      if (priority === 'view') this.raise(key);
      return pending;
    }
    let resolve!: (f: ImageFrame) => void;
    let reject!: (e: Error) => void;
    const promise = new Promise<ImageFrame>((res, rej) => { resolve = res; reject = rej; });
    this.queued.set(key, { promise, reject });
    const run = () => {
      this.queued.delete(key);
      this.inFlight.set(key, promise);
      this.running++;
      this.getClient().getImageFrame(datastoreId, imageSetId, imageFrameId).then((frame) => {
        this.cache.set(key, frame);
        resolve(frame);
      }, (error: unknown) => {
        this.log.warn(`GetImageFrame ${imageSetId}/${imageFrameId} failed: ${error instanceof HealthImagingError ? error.toLogString() : 'unexpected error'}`);
        reject(error instanceof Error ? error : new Error(String(error)));
      }).finally(() => {
        this.inFlight.delete(key);
        this.running--;
        this.next();
      });
    };
    const item = { key, view: priority === 'view', run };
    if (item.view) this.queue.unshift(item);
    else this.queue.push(item);
    this.next();
    return promise;
  }

  /** Drops a queued request nobody waits for any more (a thumbnail scrolled out of view). */
  cancel(datastoreId: string, imageSetId: string, imageFrameId: string): void {
    const key = `${datastoreId}/${imageSetId}/${imageFrameId}`;
    const at = this.queue.findIndex((q) => q.key === key && !q.view);
    if (at < 0) return;
    this.queue.splice(at, 1);
    this.queued.get(key)?.reject(new Error('Cancelled'));
    this.queued.delete(key);
  }

  private raise(key: string): void {
    const at = this.queue.findIndex((q) => q.key === key);
    if (at > 0) {
      const [item] = this.queue.splice(at, 1);
      item.view = true;
      this.queue.unshift(item);
    }
  }

  private next(): void {
    while (this.running < CONCURRENT_REQUESTS && this.queue.length) this.queue.shift()!.run();
  }
}

const nonce = (): string => randomBytes(18).toString('base64');

/** What a tile shows for a failed GetImageFrame: the adapter's message (it names the cause and what to do). */
function frameErrorMessage(error: unknown): { message: string; retryable: boolean } {
  if (error instanceof HealthImagingError) return { message: error.message, retryable: error.retryable || error.code === 'Throttling' };
  return { message: `GetImageFrame failed: ${error instanceof Error ? error.message : String(error)}`, retryable: true };
}

/** One panel: one image set (its latest version, or a read-only older version). */
class FramesPanel extends Disposable {
  readonly parts: MetadataUriParts;
  private model: FramesModel | undefined;
  private modelJson = '';
  private selection: Selection | undefined;
  private firstThumbnailLogged = false;
  private parseTimer: NodeJS.Timeout | undefined;
  private selectTimer: NodeJS.Timeout | undefined;
  /** The metadata editor's document while one is open (its text, unsaved edits included, is what the panel
   *  shows); else undefined and the text fetched when the panel opened is shown. */
  private document: vscode.TextDocument | undefined;
  /** The text shown: the document's at its last version (getText() copies the whole text), or the fetched one. */
  private text: { version: number; value: string };

  constructor(
    readonly uri: vscode.Uri,
    readonly webviewPanel: vscode.WebviewPanel,
    source: vscode.TextDocument | string,
    private readonly deps: FramesDeps & { fetcher: FrameFetcher; wasm: () => Promise<Uint8Array>; report: (r: FramesReport) => void; onDispose: () => void },
    selection: Selection | undefined,
    /** When the command started: the first thumbnail is logged with the time since. */
    private readonly openedAt: number,
  ) {
    super();
    this.parts = parseMetadataUri(uri);
    this.selection = selection;
    if (typeof source === 'string') this.text = { version: -1, value: source };
    else {
      this.document = source;
      this.text = { version: source.version, value: source.getText() };
    }
    this._register(new vscode.Disposable(deps.onDispose));
    this._register(webviewPanel);
    this._register(webviewPanel.onDidDispose(() => this.dispose()));
    this._register(webviewPanel.webview.onDidReceiveMessage((m: PageMessage) => this.onMessage(m)));
    // An editor opened (or reopened) later becomes the source; a closed one leaves its last text.
    this._register(vscode.workspace.onDidOpenTextDocument((d) => {
      if (this.isMine(d)) {
        this.document = d;
        this.scheduleParse();
      }
    }));
    this._register(vscode.workspace.onDidCloseTextDocument((d) => {
      if (d === this.document) this.document = undefined;
    }));
    this._register(vscode.workspace.onDidChangeTextDocument((e) => {
      if (this.isMine(e.document) && e.contentChanges.length) {
        this.document = e.document;
        this.scheduleParse();
      }
    }));
    this._register(vscode.window.onDidChangeTextEditorSelection((e) => {
      if (this.isMine(e.textEditor.document)) {
        this.document = e.textEditor.document;
        this.scheduleFollow(e.textEditor);
      }
    }));
    this._register(new vscode.Disposable(() => {
      clearTimeout(this.parseTimer);
      clearTimeout(this.selectTimer);
    }));
    this.parse();
    webviewPanel.webview.html = this.html();
  }

  private isMine(document: vscode.TextDocument): boolean {
    return document.uri.toString() === this.uri.toString();
  }

  reveal(): void {
    this.webviewPanel.reveal(undefined, true);
  }

  /** Shows where `editor`'s cursor is (if it is in a series or instance). */
  follow(editor: vscode.TextEditor): void {
    const selection = this.locate(editor);
    if (selection) this.select(selection);
  }

  private currentText(): string {
    const d = this.document;
    if (d && !d.isClosed && this.text.version !== d.version) this.text = { version: d.version, value: d.getText() };
    return this.text.value;
  }

  private locate(editor: vscode.TextEditor): Selection | undefined {
    const location = locateInImageSet(this.currentText(), editor.document.offsetAt(editor.selection.active));
    return location && { seriesInstanceUID: location.seriesInstanceUID, sopInstanceUID: location.sopInstanceUID, frameIndex: location.frameIndex };
  }

  private select(selection: Selection): void {
    const same = this.selection && this.selection.seriesInstanceUID === selection.seriesInstanceUID
      && (selection.sopInstanceUID === undefined || (this.selection.sopInstanceUID === selection.sopInstanceUID && (this.selection.frameIndex ?? 0) === (selection.frameIndex ?? 0)));
    if (same) return;
    this.selection = { ...selection };
    void this.post({ type: 'select', selection });
  }

  private scheduleFollow(editor: vscode.TextEditor): void {
    clearTimeout(this.selectTimer);
    this.selectTimer = setTimeout(() => {
      if (!this.isDisposed) this.follow(editor);
    }, 60);
  }

  private scheduleParse(): void {
    clearTimeout(this.parseTimer);
    // Parsing a large document costs; wait for a pause in typing, longer for larger documents.
    this.parseTimer = setTimeout(() => this.parse(), Math.min(2000, 250 + this.currentText().length / 10_000));
  }

  /** The model from the document's current text; invalid JSON keeps the last model. */
  private parse(): void {
    if (this.isDisposed) return;
    let document: unknown;
    try {
      document = JSON.parse(this.currentText());
    } catch {
      return; // while the text is not JSON, the panel keeps showing the last good state
    }
    const model: FramesModel = { imageSetId: this.parts.imageSetId, series: framesOfImageSet(document) };
    const json = JSON.stringify(model);
    if (json === this.modelJson) return;
    const first = this.model === undefined;
    this.model = model;
    this.modelJson = json;
    if (!first) void this.post({ type: 'model', model: packModel(model) });
  }

  private async onMessage(message: PageMessage): Promise<void> {
    const { datastoreId, imageSetId } = this.parts;
    switch (message.type) {
      case 'ready': {
        await this.post({ type: 'init', wasm: await this.deps.wasm(), model: packModel(this.model ?? { imageSetId, series: [] }), selection: this.selection });
        break;
      }
      case 'getFrame':
        this.deps.fetcher.fetch(datastoreId, imageSetId, message.imageFrameId, message.priority).then(
          (frame) => this.post({ type: 'frame', imageFrameId: message.imageFrameId, bytes: frame.bytes, contentType: frame.contentType }),
          (error: unknown) => this.post({ type: 'frameError', imageFrameId: message.imageFrameId, ...frameErrorMessage(error) }),
        );
        break;
      case 'cancelFrame':
        this.deps.fetcher.cancel(datastoreId, imageSetId, message.imageFrameId);
        break;
      case 'selected':
        this.selection = message.selection;
        break;
      case 'rendered': {
        const msSinceOpen = Date.now() - this.openedAt;
        if (message.role === 'thumbnail' && !this.firstThumbnailLogged) {
          this.firstThumbnailLogged = true;
          this.deps.log.info(`${imageSetId}: first thumbnail ${msSinceOpen} ms after opening the panel (decoded in ${message.decodeMs.toFixed(1)} ms)`);
        }
        this.deps.report({ imageSetId, kind: 'rendered', role: message.role, imageFrameId: message.imageFrameId, sopInstanceUID: message.sopInstanceUID, frameIndex: message.frameIndex, width: message.width, height: message.height, msSinceOpen });
        break;
      }
      case 'message':
        // The message may quote the service: only the fact is logged, with ids.
        this.deps.log.debug(`${imageSetId}: ${message.role} of ${message.imageFrameId ?? 'an instance without frames'} shows a message`);
        this.deps.report({ imageSetId, kind: 'message', role: message.role, sopInstanceUID: message.sopInstanceUID, imageFrameId: message.imageFrameId, message: message.message });
        break;
      case 'error':
        this.deps.log.error(`${imageSetId}: the frames page failed: ${message.message}`);
        break;
    }
  }

  private post(message: HostMessage): Thenable<boolean> {
    return this.isDisposed ? Promise.resolve(false) : this.webviewPanel.webview.postMessage(message);
  }

  private html(): string {
    const webview = this.webviewPanel.webview;
    const media = vscode.Uri.joinPath(this.deps.extensionUri, 'media', 'frames');
    const script = webview.asWebviewUri(vscode.Uri.joinPath(media, 'page.js'));
    const style = webview.asWebviewUri(vscode.Uri.joinPath(media, 'frames.css'));
    const n = nonce();
    // No network, no inline code: styles and the script from the extension's media folder, the script by its
    // nonce, and WebAssembly compiled from bytes the host posts.
    const csp = `default-src 'none'; style-src ${webview.cspSource}; script-src 'nonce-${n}' 'wasm-unsafe-eval';`;
    return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="${style.toString()}">
<title>Frames</title>
</head>
<body>
<header>
  <span id="series-label" aria-live="polite"></span>
  <button id="reset-window" title="Back to the window of the metadata (R, or double-click the image)" disabled>Reset Window</button>
</header>
<div id="series" class="strip" role="listbox" aria-label="Series" aria-orientation="horizontal"></div>
<main id="view" aria-label="Frame. Drag to change the window (right: wider, down: darker). Wheel or arrow keys: next or previous instance. Page Up and Page Down: frames." tabindex="0">
  <canvas></canvas>
  <div class="message" role="status" hidden></div>
  <div id="caption-instance" class="caption"></div>
  <div id="caption-frame" class="caption"></div>
  <div id="caption-window" class="caption"></div>
</main>
<div id="frame-bar" hidden><label for="frame-slider">Frame</label><input id="frame-slider" type="range" min="0" max="0" step="1" value="0"></div>
<div id="instances" class="strip" role="listbox" aria-label="Instances" aria-orientation="horizontal"><div class="track"></div></div>
<script nonce="${n}" src="${script.toString()}"></script>
</body>
</html>`;
  }
}

/** The command and the panels. */
export class Frames extends Disposable implements FramesTestApi {
  private readonly panels = new Map<string, FramesPanel>();
  private readonly fetcher: FrameFetcher;
  private wasm: Promise<Uint8Array> | undefined;
  private readonly _onDidReport = this._register(new vscode.EventEmitter<FramesReport>());
  readonly onDidReport = this._onDidReport.event;

  constructor(private readonly deps: FramesDeps) {
    super();
    this.fetcher = new FrameFetcher(deps.getClient, deps.log);
    this._register(registerCommand(Commands.showFrames, (arg?: unknown) => this.show(arg), { log: deps.log, prompts: deps.prompts }));
    this._register(new vscode.Disposable(() => {
      for (const panel of this.panels.values()) panel.dispose();
      this.panels.clear();
    }));
  }

  /** The decoder's WebAssembly, read once. A copy: the array workspace.fs.readFile returns reaches the webview
   *  as a plain object, not as bytes (seen with code-server 1.139). */
  private decoderBytes(): Promise<Uint8Array> {
    if (!this.wasm) {
      this.wasm = Promise.resolve(vscode.workspace.fs.readFile(vscode.Uri.joinPath(this.deps.extensionUri, 'media', 'frames', 'openjph.wasm')))
        .then((bytes) => new Uint8Array(bytes));
      this.wasm.catch(() => (this.wasm = undefined));
    }
    return this.wasm;
  }

  panelFor(uri: vscode.Uri): FramesPanel | undefined {
    return this.panels.get(uri.toString());
  }

  /**
   * Shows the frames of an image set: a tree item (or anything with datastoreId and imageSetId), a metadata
   * document's URI (the editor title), or the active metadata editor; from the palette without one, the
   * image set is picked as for "Open Image Set…" and its metadata opens too. Returns the document's URI.
   */
  async show(arg?: unknown): Promise<vscode.Uri> {
    let uri: vscode.Uri | undefined;
    if (arg instanceof vscode.Uri) uri = arg;
    else if (arg && typeof arg === 'object' && typeof (arg as { datastoreId?: unknown }).datastoreId === 'string' && typeof (arg as { imageSetId?: unknown }).imageSetId === 'string') {
      const node = arg as { datastoreId: string; imageSetId: string; versionId?: unknown };
      uri = metadataUri(node.datastoreId, node.imageSetId, typeof node.versionId === 'string' && (arg as { kind?: unknown }).kind === 'version' ? node.versionId : undefined);
    } else if (vscode.window.activeTextEditor?.document.uri.scheme === SCHEME) {
      uri = vscode.window.activeTextEditor.document.uri;
    } else {
      const editor = await vscode.commands.executeCommand<vscode.TextEditor | undefined>(Commands.openImageSet);
      if (!editor) return Promise.reject(new vscode.CancellationError());
      uri = editor.document.uri;
    }
    parseMetadataUri(uri); // a clear error for anything else
    const key = uri.toString();
    const existing = this.panels.get(key);
    const editor = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === key);
    if (existing) {
      existing.reveal();
      if (editor) existing.follow(editor);
      return uri;
    }
    const started = Date.now();
    // The open editor's document (edits included), else the metadata fetched once: opening a document only for
    // the panel would copy a large image set's text through the workbench twice.
    const parts = parseMetadataUri(uri);
    const document = vscode.workspace.textDocuments.find((d) => d.uri.toString() === key);
    const source = document ?? await this.deps.getClient().getImageSetMetadata(parts.datastoreId, parts.imageSetId, parts.versionId);
    const panel = vscode.window.createWebviewPanel(FRAMES_VIEW_TYPE, `Frames ${parts.imageSetId.slice(0, 8)}${parts.versionId ? ` (v${parts.versionId})` : ''}`,
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(this.deps.extensionUri, 'media', 'frames')] });
    panel.iconPath = vscode.Uri.joinPath(this.deps.extensionUri, 'media', 'healthimaging.svg');
    const location = editor ? locateInImageSet(editor.document.getText(), editor.document.offsetAt(editor.selection.active)) : undefined;
    const framesPanel = new FramesPanel(uri, panel, source, {
      ...this.deps, fetcher: this.fetcher, wasm: () => this.decoderBytes(), report: (r) => this._onDidReport.fire(r), onDispose: () => this.panels.delete(key),
    }, location && { seriesInstanceUID: location.seriesInstanceUID, sopInstanceUID: location.sopInstanceUID, frameIndex: location.frameIndex }, started);
    this.panels.set(key, framesPanel);
    this.deps.log.info(`${parts.imageSetId}: frames panel opened (metadata ${document ? 'of the open editor' : 'fetched'}, ready in ${Date.now() - started} ms)`);
    return uri;
  }
}
