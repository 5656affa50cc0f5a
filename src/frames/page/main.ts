// The frames page (a VS Code webview, bundled by esbuild to media/frames/page.js). It shows a thumbnail of the
// first frame of each series, the instances of the chosen series in Instance Number order (only the visible
// thumbnails are fetched), and a large view of one frame with window/level by mouse drag, a frame slider and
// captions. Frames come from the extension host (GetImageFrame), never from the network: the page has no
// network access at all (Content Security Policy), and the decoder's WebAssembly arrives as bytes too.

import factory from '@cornerstonejs/codec-openjph';
import type { OpenJphModule } from '../../core/htj2k';
import { shortUid } from '../../core/metadataLocation';
import { plural } from '../../shared/format';
import { defaultWindow, windowForRange, type InstanceFrames, type SeriesFrames, type Window } from '../../core/imageFrames';
import { unpackModel, type FramesModel, type HostMessage, type PageMessage, type Selection } from '../protocol';
import { checkDecoded, checkOriginal, decodeHtj2kFrame } from './decode';
import { dragWindow, renderColour, renderGrey, sampleRange, samplesOf, windowLabel, type DecodedFrame, type Samples } from './render';

declare function acquireVsCodeApi(): { postMessage(message: PageMessage): void; getState(): unknown; setState(state: unknown): void };
const vscode = acquireVsCodeApi();
const post = (message: PageMessage) => vscode.postMessage(message);

const THUMB = 72; // thumbnail canvas size, CSS pixels
const TILE_WIDTH = 84; // instance tile width including its gap
const THUMBNAILS_KEPT = 400;

// ---------------------------------------------------------------------------------------------------------------
// State

/** The HTJ2K decoder, compiled while the first frames are fetched. */
let codec: Promise<OpenJphModule> = new Promise(() => undefined);
let model: FramesModel = { imageSetId: '', series: [] };
let seriesIndex = 0;
let instanceIndex = 0;
let frameIndex = 0;
/** Windows the user set by dragging, per series (kept while browsing its instances). */
const manualWindows = new Map<string, Window>();

interface Shown { instance: InstanceFrames; frameIndex: number; frame: DecodedFrame; samples?: Samples; range: { min: number; max: number }; window?: Window }
let shown: Shown | undefined;
let viewToken = 0;

const $ = <T extends HTMLElement>(selector: string): T => document.querySelector(selector) as T;
const seriesStrip = $<HTMLElement>('#series');
const instanceStrip = $<HTMLElement>('#instances');
const instanceTrack = $<HTMLElement>('#instances .track');
const viewCanvas = $<HTMLCanvasElement>('#view canvas');
const viewMessage = $<HTMLElement>('#view .message');
const captionInstance = $<HTMLElement>('#caption-instance');
const captionFrame = $<HTMLElement>('#caption-frame');
const captionWindow = $<HTMLElement>('#caption-window');
const seriesLabel = $<HTMLElement>('#series-label');
const slider = $<HTMLInputElement>('#frame-slider');
const sliderBar = $<HTMLElement>('#frame-bar');
const resetButton = $<HTMLButtonElement>('#reset-window');

// ---------------------------------------------------------------------------------------------------------------
// Frames from the host

type FrameResult = { ok: true; bytes: Uint8Array; contentType?: string } | { ok: false; message: string; retryable: boolean; cancelled?: boolean };
const waiting = new Map<string, { promise: Promise<FrameResult>; resolve: (r: FrameResult) => void; view: boolean }>();

function fetchFrame(imageFrameId: string, priority: 'view' | 'thumbnail'): Promise<FrameResult> {
  let entry = waiting.get(imageFrameId);
  if (!entry) {
    let resolve!: (r: FrameResult) => void;
    const promise = new Promise<FrameResult>((r) => (resolve = r));
    entry = { promise, resolve, view: priority === 'view' };
    waiting.set(imageFrameId, entry);
    post({ type: 'getFrame', imageFrameId, priority });
  } else if (priority === 'view' && !entry.view) {
    entry.view = true;
    post({ type: 'getFrame', imageFrameId, priority }); // raises a queued thumbnail request
  }
  return entry.promise;
}

function settle(imageFrameId: string, result: FrameResult): void {
  const entry = waiting.get(imageFrameId);
  waiting.delete(imageFrameId);
  entry?.resolve(result);
}

/** A thumbnail scrolled out of view: the host need not fetch it any more. */
function cancelThumbnail(imageFrameId: string): void {
  const entry = waiting.get(imageFrameId);
  if (!entry || entry.view) return;
  post({ type: 'cancelFrame', imageFrameId });
  settle(imageFrameId, { ok: false, message: 'Cancelled', retryable: true, cancelled: true });
}

/** Decodes frame `index` of an instance; throws an Error whose message the tile shows. */
async function loadFrame(instance: InstanceFrames, index: number, priority: 'view' | 'thumbnail'): Promise<{ frame: DecodedFrame; ms: number }> {
  const preview = instance.preview;
  if ('message' in preview) throw new Error(preview.message);
  const info = instance.frames[index];
  const result = await fetchFrame(info.id, priority);
  if (!result.ok) throw Object.assign(new Error(result.message), { retryable: result.retryable, cancelled: result.cancelled });
  const started = performance.now();
  let frame: DecodedFrame;
  if (preview.decoder === 'htj2k') {
    frame = decodeHtj2kFrame(await codec, result.bytes, instance, info);
  } else {
    checkOriginal(result.bytes, instance, info);
    frame = checkDecoded(await decodeJpeg(result.bytes, instance.pixels.samplesPerPixel), instance, info, false);
  }
  return { frame, ms: performance.now() - started };
}

/** JPEG baseline, decoded by the browser; grey images keep one sample per pixel. */
async function decodeJpeg(bytes: Uint8Array, samples: number): Promise<DecodedFrame> {
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'image/jpeg' }));
  } catch {
    throw new Error('The frame could not be decoded: not a JPEG image the browser can read');
  }
  const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
  const context = canvas.getContext('2d')!;
  context.drawImage(bitmap, 0, 0);
  const rgba = context.getImageData(0, 0, bitmap.width, bitmap.height).data;
  const n = bitmap.width * bitmap.height;
  const pixels = new Uint8Array(n * samples);
  for (let p = 0; p < n; p++) for (let s = 0; s < samples; s++) pixels[p * samples + s] = rgba[p * 4 + s];
  return { width: bitmap.width, height: bitmap.height, components: samples, bitsPerSample: 8, signed: false, pixels };
}

// ---------------------------------------------------------------------------------------------------------------
// Drawing

interface Mapped { samples?: Samples; range: { min: number; max: number }; window?: Window }

/** Draws a decoded frame into `image` with `window` (or the frame's default one); returns what it used. */
function draw(frame: DecodedFrame, instance: InstanceFrames, frameInfoIndex: number, image: ImageData, window?: Window): Mapped {
  if (frame.components === 3) {
    renderColour(frame, instance.pixels.photometric, image.data);
    return { range: { min: 0, max: 255 } };
  }
  const samples = samplesOf(frame);
  const { rescaleSlope: slope, rescaleIntercept: intercept } = instance.pixels;
  const stored = sampleRange(samples);
  const range = { min: Math.min(stored.min * slope + intercept, stored.max * slope + intercept), max: Math.max(stored.min * slope + intercept, stored.max * slope + intercept) };
  const use = window ?? defaultWindow(instance.pixels, instance.frames[frameInfoIndex]) ?? windowForRange(range.min, range.max);
  renderGrey(samples, { slope, intercept, window: use, invert: instance.pixels.photometric === 'MONOCHROME1' }, image.data);
  return { samples, range, window: use };
}

let scratch: OffscreenCanvas | undefined;

/** Draws `image` scaled into a thumbnail canvas, keeping its aspect ratio. */
function paintThumbnail(canvas: HTMLCanvasElement, image: ImageData): void {
  const ratio = window.devicePixelRatio || 1;
  canvas.width = Math.round(THUMB * ratio);
  canvas.height = Math.round(THUMB * ratio);
  if (!scratch || scratch.width !== image.width || scratch.height !== image.height) scratch = new OffscreenCanvas(image.width, image.height);
  scratch.getContext('2d')!.putImageData(image, 0, 0);
  const context = canvas.getContext('2d')!;
  const scale = Math.min(canvas.width / image.width, canvas.height / image.height);
  const w = image.width * scale;
  const h = image.height * scale;
  context.imageSmoothingQuality = 'high';
  context.drawImage(scratch, (canvas.width - w) / 2, (canvas.height - h) / 2, w, h);
}

// ---------------------------------------------------------------------------------------------------------------
// Thumbnails (series strip and instance strip)

type Thumbnail = { image: ImageData } | { message: string; retryable: boolean };
const thumbnails = new Map<string, Thumbnail | Promise<Thumbnail>>();

function thumbnailOf(instance: InstanceFrames): Thumbnail | Promise<Thumbnail> {
  const key = instance.frames[0]?.id ?? `none:${instance.sopInstanceUID}`;
  let t = thumbnails.get(key);
  if (t) {
    thumbnails.delete(key);
    thumbnails.set(key, t); // most recently used
    return t;
  }
  t = loadFrame(instance, 0, 'thumbnail').then(({ frame, ms }): Thumbnail => {
    const image = new ImageData(frame.width, frame.height);
    draw(frame, instance, 0, image);
    post({ type: 'rendered', role: 'thumbnail', imageFrameId: key, sopInstanceUID: instance.sopInstanceUID, frameIndex: 0, width: frame.width, height: frame.height, decodeMs: ms });
    return { image };
  }, (e: Error & { retryable?: boolean; cancelled?: boolean }): Thumbnail => {
    if (!e.cancelled) post({ type: 'message', role: 'thumbnail', sopInstanceUID: instance.sopInstanceUID, imageFrameId: instance.frames[0]?.id, message: e.message });
    return { message: e.message, retryable: e.retryable === true };
  });
  thumbnails.set(key, t);
  void t.then((done) => {
    if (thumbnails.get(key) === t) thumbnails.set(key, done);
    if ('message' in done && done.retryable) thumbnails.delete(key); // asked again when shown again
  });
  while (thumbnails.size > THUMBNAILS_KEPT) thumbnails.delete(thumbnails.keys().next().value as string);
  return t;
}

/** Fills a tile with its thumbnail, or with a message (and a Retry button when trying again can help). */
function fillTile(tile: HTMLElement, instance: InstanceFrames | undefined): void {
  const body = tile.querySelector('.thumb') as HTMLElement;
  if (!instance) {
    body.replaceChildren(messageElement('No instances in this series'));
    return;
  }
  const show = (t: Thumbnail) => {
    if (!tile.isConnected) return; // scrolled away meanwhile
    if ('image' in t) {
      const canvas = document.createElement('canvas');
      canvas.setAttribute('aria-hidden', 'true');
      paintThumbnail(canvas, t.image);
      body.replaceChildren(canvas);
    } else {
      const message = messageElement(t.message);
      if (t.retryable) {
        const retry = document.createElement('button');
        retry.textContent = 'Retry';
        retry.addEventListener('click', (e) => {
          e.stopPropagation();
          fillTile(tile, instance);
        });
        message.append(retry);
      }
      body.replaceChildren(message);
    }
  };
  const t = thumbnailOf(instance);
  if (t instanceof Promise) {
    body.replaceChildren(spinner());
    void t.then(show);
  } else {
    show(t);
  }
}

function messageElement(text: string): HTMLElement {
  const div = document.createElement('div');
  div.className = 'tile-message';
  div.setAttribute('role', 'status');
  const span = document.createElement('span');
  span.textContent = text;
  div.append(span);
  return div;
}

function spinner(): HTMLElement {
  const div = document.createElement('div');
  div.className = 'loading';
  div.setAttribute('aria-label', 'Loading');
  return div;
}


function seriesTitle(s: SeriesFrames): string {
  return [s.seriesNumber !== undefined ? `Series ${s.seriesNumber}` : 'Series', s.modality, s.description].filter(Boolean).join(' · ');
}

const seriesObserver = new IntersectionObserver((entries) => {
  for (const entry of entries) {
    if (!entry.isIntersecting) continue;
    const tile = entry.target as HTMLElement;
    seriesObserver.unobserve(tile);
    const s = model.series[Number(tile.dataset.index)];
    fillTile(tile, s?.instances.find((i) => i.frames.length > 0) ?? s?.instances[0]);
  }
}, { root: seriesStrip, rootMargin: '0px 200px' });

function renderSeriesStrip(): void {
  seriesObserver.disconnect();
  const tiles = model.series.map((s, i) => {
    const tile = document.createElement('div');
    tile.className = 'tile series-tile';
    tile.dataset.index = String(i);
    tile.setAttribute('role', 'option');
    tile.setAttribute('aria-selected', String(i === seriesIndex));
    tile.tabIndex = i === seriesIndex ? 0 : -1;
    tile.title = `${seriesTitle(s)}\n${plural(s.instances.length, 'instance')}\nSeries Instance UID ${s.seriesInstanceUID}`;
    const thumb = document.createElement('div');
    thumb.className = 'thumb';
    const label = document.createElement('div');
    label.className = 'label';
    label.textContent = `${seriesTitle(s)} (${s.instances.length})`;
    tile.append(thumb, label);
    tile.addEventListener('click', () => selectSeries(i, true));
    seriesObserver.observe(tile);
    return tile;
  });
  seriesStrip.replaceChildren(...tiles);
  if (!model.series.length) seriesStrip.replaceChildren(messageElement('This image set has no series'));
}

function currentSeries(): SeriesFrames | undefined {
  return model.series[seriesIndex];
}

/** The instance strip holds only the tiles in view (and a few beside them): a series may have thousands. */
function renderInstanceStrip(): void {
  const s = currentSeries();
  const count = s?.instances.length ?? 0;
  instanceTrack.style.width = `${count * TILE_WIDTH}px`;
  const first = Math.max(0, Math.floor(instanceStrip.scrollLeft / TILE_WIDTH) - 2);
  const last = Math.min(count - 1, Math.ceil((instanceStrip.scrollLeft + instanceStrip.clientWidth) / TILE_WIDTH) + 2);
  const keep = new Map<number, HTMLElement>();
  for (const tile of Array.from(instanceTrack.children) as HTMLElement[]) {
    const i = Number(tile.dataset.index);
    if (tile.dataset.series === s?.seriesInstanceUID && i >= first && i <= last) keep.set(i, tile);
    else {
      if (tile.dataset.frame) cancelThumbnail(tile.dataset.frame);
      tile.remove();
    }
  }
  for (let i = first; i <= last && s; i++) {
    let tile = keep.get(i);
    const instance = s.instances[i];
    if (!tile) {
      tile = document.createElement('div');
      tile.className = 'tile instance-tile';
      tile.dataset.index = String(i);
      tile.dataset.series = s.seriesInstanceUID;
      if (instance.frames[0]) tile.dataset.frame = instance.frames[0].id;
      tile.style.left = `${i * TILE_WIDTH}px`;
      tile.setAttribute('role', 'option');
      tile.setAttribute('aria-label', `Instance ${instance.instanceNumber ?? '(no number)'}`);
      tile.title = `Instance ${instance.instanceNumber ?? '(no number)'}\nSOP Instance UID ${instance.sopInstanceUID}`;
      const thumb = document.createElement('div');
      thumb.className = 'thumb';
      const label = document.createElement('div');
      label.className = 'label';
      label.textContent = instance.instanceNumber !== undefined ? `#${instance.instanceNumber}` : '—';
      tile.append(thumb, label);
      tile.addEventListener('click', () => selectInstance(i, true));
      instanceTrack.append(tile);
      fillTile(tile, instance);
    }
    tile.setAttribute('aria-selected', String(i === instanceIndex));
    tile.tabIndex = i === instanceIndex ? 0 : -1;
  }
}

instanceStrip.addEventListener('scroll', () => requestAnimationFrame(renderInstanceStrip), { passive: true });
new ResizeObserver(() => renderInstanceStrip()).observe(instanceStrip);

function scrollInstanceIntoView(): void {
  const left = instanceIndex * TILE_WIDTH;
  if (left < instanceStrip.scrollLeft || left + TILE_WIDTH > instanceStrip.scrollLeft + instanceStrip.clientWidth) {
    instanceStrip.scrollLeft = left - instanceStrip.clientWidth / 2 + TILE_WIDTH / 2;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The large view

/** A message instead of the frame (with a Retry button when trying again can help); undefined shows the frame. */
function showViewMessage(text: string | undefined, retry?: () => void): void {
  viewMessage.hidden = text === undefined;
  viewMessage.textContent = text ?? '';
  if (text !== undefined && retry) {
    const button = document.createElement('button');
    button.textContent = 'Retry';
    button.addEventListener('click', retry);
    viewMessage.append(document.createElement('br'), button);
  }
  viewCanvas.hidden = text !== undefined;
}

function updateCaptions(): void {
  const s = currentSeries();
  const instance = s?.instances[instanceIndex];
  seriesLabel.textContent = s ? `${seriesTitle(s)} — ${plural(s.instances.length, 'instance')}` : '';
  if (!instance) {
    captionInstance.textContent = '';
    captionFrame.textContent = '';
    captionWindow.textContent = '';
    sliderBar.hidden = true;
    return;
  }
  captionInstance.textContent = `Instance ${instance.instanceNumber ?? '—'} · ${shortUid(instance.sopInstanceUID)}`;
  captionInstance.title = `SOP Instance UID ${instance.sopInstanceUID}`;
  const frames = instance.frames.length;
  captionFrame.textContent = frames > 1 ? `Frame ${frameIndex + 1} / ${frames}` : '';
  sliderBar.hidden = frames <= 1;
  slider.max = String(Math.max(0, frames - 1));
  slider.value = String(frameIndex);
  slider.setAttribute('aria-valuetext', `Frame ${frameIndex + 1} of ${frames}`);
  captionWindow.textContent = shown?.window ? windowLabel(shown.window) : '';
  resetButton.disabled = !manualWindows.has(s!.seriesInstanceUID);
}

/** Draws the shown frame again (after a window change). */
function redraw(): void {
  if (!shown || !shown.samples) return;
  const image = new ImageData(shown.frame.width, shown.frame.height);
  const used = draw(shown.frame, shown.instance, shown.frameIndex, image, manualWindows.get(currentSeries()?.seriesInstanceUID ?? ''));
  shown.window = used.window;
  viewCanvas.getContext('2d')!.putImageData(image, 0, 0);
  updateCaptions();
}

async function showView(): Promise<void> {
  const token = ++viewToken;
  const s = currentSeries();
  const instance = s?.instances[instanceIndex];
  updateCaptions();
  if (!s || !instance) {
    shown = undefined;
    showViewMessage(s ? 'No instances in this series' : 'No series');
    return;
  }
  try {
    const { frame, ms } = await loadFrame(instance, frameIndex, 'view');
    if (token !== viewToken) return;
    viewCanvas.width = frame.width;
    viewCanvas.height = frame.height;
    const image = new ImageData(frame.width, frame.height);
    const used = draw(frame, instance, frameIndex, image, manualWindows.get(s.seriesInstanceUID));
    viewCanvas.getContext('2d')!.putImageData(image, 0, 0);
    shown = { instance, frameIndex, frame, ...used };
    showViewMessage(undefined);
    updateCaptions();
    post({ type: 'rendered', role: 'view', imageFrameId: instance.frames[frameIndex].id, sopInstanceUID: instance.sopInstanceUID, frameIndex, width: frame.width, height: frame.height, decodeMs: ms });
  } catch (e) {
    if (token !== viewToken) return;
    shown = undefined;
    const message = (e as Error).message;
    showViewMessage(message, (e as { retryable?: boolean }).retryable ? () => void showView() : undefined);
    updateCaptions();
    post({ type: 'message', role: 'view', sopInstanceUID: instance.sopInstanceUID, imageFrameId: instance.frames[frameIndex]?.id, message });
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Selection

function remember(): void {
  const s = currentSeries();
  if (!s) return;
  const selection: Selection = { seriesInstanceUID: s.seriesInstanceUID, sopInstanceUID: s.instances[instanceIndex]?.sopInstanceUID, frameIndex };
  vscode.setState({ selection });
  post({ type: 'selected', selection });
}

function selectSeries(index: number, focus = false): void {
  if (index < 0 || index >= model.series.length) return;
  const changed = index !== seriesIndex;
  seriesIndex = index;
  instanceIndex = 0;
  frameIndex = 0;
  for (const tile of Array.from(seriesStrip.children) as HTMLElement[]) {
    const selected = Number(tile.dataset.index) === index;
    tile.setAttribute('aria-selected', String(selected));
    tile.tabIndex = selected ? 0 : -1;
    if (selected) {
      tile.scrollIntoView({ block: 'nearest', inline: 'nearest' });
      if (focus) tile.focus();
    }
  }
  if (changed) instanceStrip.scrollLeft = 0;
  renderInstanceStrip();
  remember();
  void showView();
}

function selectInstance(index: number, focus = false, frame = 0): void {
  const s = currentSeries();
  if (!s || index < 0 || index >= s.instances.length) return;
  instanceIndex = index;
  frameIndex = Math.max(0, Math.min(frame, s.instances[index].frames.length - 1));
  scrollInstanceIntoView();
  renderInstanceStrip();
  if (focus) (instanceTrack.querySelector(`[data-index="${index}"]`) as HTMLElement | null)?.focus();
  remember();
  void showView();
}

function selectFrame(index: number): void {
  const instance = currentSeries()?.instances[instanceIndex];
  if (!instance || index < 0 || index >= instance.frames.length || index === frameIndex) return;
  frameIndex = index;
  remember();
  void showView();
}

/** Shows what the host asks for (the cursor moved in the metadata editor), by UIDs. */
function applySelection(selection: Selection): void {
  const si = model.series.findIndex((s) => s.seriesInstanceUID === selection.seriesInstanceUID);
  if (si < 0) return;
  const ii = selection.sopInstanceUID === undefined ? -1 : model.series[si].instances.findIndex((i) => i.sopInstanceUID === selection.sopInstanceUID);
  if (si !== seriesIndex) selectSeries(si);
  if (ii >= 0 && (ii !== instanceIndex || (selection.frameIndex ?? 0) !== frameIndex)) selectInstance(ii, false, selection.frameIndex ?? 0);
}

// ---------------------------------------------------------------------------------------------------------------
// Input: window/level drag, wheel, keyboard, slider

let drag: { x: number; y: number; start: Window; pointer: number } | undefined;
let redrawQueued = false;

viewCanvas.addEventListener('pointerdown', (e) => {
  if (e.button !== 0 || !shown?.window) return;
  drag = { x: e.clientX, y: e.clientY, start: shown.window, pointer: e.pointerId };
  viewCanvas.setPointerCapture(e.pointerId);
  viewCanvas.classList.add('dragging');
});
viewCanvas.addEventListener('pointermove', (e) => {
  if (!drag || !shown || e.pointerId !== drag.pointer) return;
  const s = currentSeries();
  if (!s) return;
  manualWindows.set(s.seriesInstanceUID, dragWindow(drag.start, e.clientX - drag.x, e.clientY - drag.y, shown.range.max - shown.range.min));
  if (!redrawQueued) {
    redrawQueued = true;
    requestAnimationFrame(() => {
      redrawQueued = false;
      redraw();
    });
  }
});
const endDrag = (e: PointerEvent) => {
  if (!drag || e.pointerId !== drag.pointer) return;
  drag = undefined;
  viewCanvas.classList.remove('dragging');
};
viewCanvas.addEventListener('pointerup', endDrag);
viewCanvas.addEventListener('pointercancel', endDrag);
viewCanvas.addEventListener('dblclick', () => resetWindow());
resetButton.addEventListener('click', () => resetWindow());

function resetWindow(): void {
  const s = currentSeries();
  if (s && manualWindows.delete(s.seriesInstanceUID)) redraw();
}

$('#view').addEventListener('wheel', (e) => {
  e.preventDefault();
  selectInstance(instanceIndex + (e.deltaY > 0 ? 1 : -1));
}, { passive: false });

slider.addEventListener('input', () => selectFrame(Number(slider.value)));

document.addEventListener('keydown', (e) => {
  if (e.altKey || e.ctrlKey || e.metaKey) return;
  const target = e.target as HTMLElement;
  if (target === slider) return; // the slider's own keys move between frames
  const inSeries = seriesStrip.contains(target);
  const s = currentSeries();
  const step: Record<string, number> = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 };
  if (e.key in step) {
    e.preventDefault();
    if (inSeries) selectSeries(seriesIndex + step[e.key], true);
    else selectInstance(instanceIndex + step[e.key], instanceStrip.contains(target));
  } else if (e.key === 'Home' || e.key === 'End') {
    e.preventDefault();
    if (inSeries) selectSeries(e.key === 'Home' ? 0 : model.series.length - 1, true);
    else if (s) selectInstance(e.key === 'Home' ? 0 : s.instances.length - 1, instanceStrip.contains(target));
  } else if (e.key === 'PageDown' || e.key === 'PageUp') {
    e.preventDefault();
    selectFrame(frameIndex + (e.key === 'PageDown' ? 1 : -1));
  } else if (e.key === 'Enter' && target.classList.contains('tile')) {
    target.click();
  } else if (e.key === 'r' || e.key === 'R') {
    resetWindow();
  }
});

// ---------------------------------------------------------------------------------------------------------------
// Messages from the host

function setModel(next: FramesModel, selection?: Selection): void {
  const keep = selection ?? (currentSeries() ? { seriesInstanceUID: currentSeries()!.seriesInstanceUID, sopInstanceUID: currentSeries()!.instances[instanceIndex]?.sopInstanceUID, frameIndex } : undefined);
  model = next;
  seriesIndex = 0;
  instanceIndex = 0;
  frameIndex = 0;
  if (keep) {
    const si = model.series.findIndex((s) => s.seriesInstanceUID === keep.seriesInstanceUID);
    if (si >= 0) {
      seriesIndex = si;
      const ii = model.series[si].instances.findIndex((i) => i.sopInstanceUID === keep.sopInstanceUID);
      if (ii >= 0) {
        instanceIndex = ii;
        frameIndex = Math.max(0, Math.min(keep.frameIndex ?? 0, model.series[si].instances[ii].frames.length - 1));
      }
    }
  }
  renderSeriesStrip();
  for (const tile of Array.from(instanceTrack.children)) tile.remove();
  renderInstanceStrip();
  scrollInstanceIntoView();
  remember();
  void showView();
}

window.addEventListener('message', (event: MessageEvent<HostMessage>) => {
  const message = event.data;
  switch (message.type) {
    case 'init': {
      const saved = (vscode.getState() as { selection?: Selection } | undefined)?.selection;
      codec = factory({ wasmBinary: message.wasm, print: () => undefined, printErr: () => undefined }).then((m) => m as OpenJphModule, (e: unknown) => {
        const failure = `The HTJ2K decoder could not be loaded: ${(e as Error)?.message ?? String(e)}`;
        post({ type: 'error', message: failure });
        throw new Error(failure);
      });
      codec.catch(() => undefined); // each frame that needs it shows the failure
      setModel(unpackModel(message.model), message.selection ?? saved);
      break;
    }
    case 'model':
      thumbnails.clear(); // window defaults or transfer syntaxes may have changed
      setModel(unpackModel(message.model));
      break;
    case 'select':
      applySelection(message.selection);
      break;
    case 'frame':
      settle(message.imageFrameId, { ok: true, bytes: message.bytes, contentType: message.contentType });
      break;
    case 'frameError':
      settle(message.imageFrameId, { ok: false, message: message.message, retryable: message.retryable });
      break;
  }
});

window.addEventListener('error', (e) => post({ type: 'error', message: e.message }));
window.addEventListener('unhandledrejection', (e) => post({ type: 'error', message: String((e.reason as Error)?.message ?? e.reason) }));

post({ type: 'ready' });
