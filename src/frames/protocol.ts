// The messages between the extension host (framesPanel.ts) and the frames page (page/main.ts). Types only.

import type { SeriesFrames } from '../core/imageFrames';

/** What the panel shows: one series, one of its instances, one frame of it. */
export interface Selection {
  seriesInstanceUID: string;
  sopInstanceUID?: string;
  frameIndex?: number;
}

export interface FramesModel {
  imageSetId: string;
  series: SeriesFrames[];
}

export type HostMessage =
  /** The decoder (the bytes of openjph.wasm) and what to show. */
  | { type: 'init'; wasm: Uint8Array; model: FramesModel; selection?: Selection }
  /** The metadata changed (the document was edited, saved or reloaded). */
  | { type: 'model'; model: FramesModel }
  /** Follow the cursor: show this series / instance / frame. */
  | { type: 'select'; selection: Selection }
  | { type: 'frame'; imageFrameId: string; bytes: Uint8Array; contentType?: string }
  | { type: 'frameError'; imageFrameId: string; message: string; retryable: boolean };

export type PageMessage =
  | { type: 'ready' }
  | { type: 'getFrame'; imageFrameId: string; priority: 'view' | 'thumbnail' }
  | { type: 'cancelFrame'; imageFrameId: string }
  | { type: 'selected'; selection: Selection }
  /** A frame was drawn (decoded size in pixels, decode time). */
  | { type: 'rendered'; role: 'view' | 'thumbnail'; imageFrameId: string; sopInstanceUID: string; frameIndex: number; width: number; height: number; decodeMs: number }
  /** A tile (or the large view) shows a message instead of a frame. */
  | { type: 'message'; role: 'view' | 'thumbnail'; sopInstanceUID: string; imageFrameId?: string; message: string }
  /** The page failed in a way it could not show in a tile. */
  | { type: 'error'; message: string };
