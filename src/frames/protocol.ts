// The messages between the extension host (framesPanel.ts) and the frames page (page/main.ts), and the model's
// compact form on the way: the instances of a series mostly share their pixel description, which is sent once.
// No vscode import (the page bundles this file; unit tests run it in plain Node).

import type { InstanceFrames, SeriesFrames } from '../core/imageFrames';

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

type Shared = Pick<InstanceFrames, 'pixels' | 'preview' | 'transferSyntaxUID' | 'checksumType'>;

/** FramesModel with each distinct pixel description once (`shared[k]`). */
export interface PackedModel {
  imageSetId: string;
  shared: Shared[];
  series: (Omit<SeriesFrames, 'instances'> & { instances: (Omit<InstanceFrames, keyof Shared> & { shared: number })[] })[];
}

export function packModel(model: FramesModel): PackedModel {
  const shared: Shared[] = [];
  const index = new Map<string, number>();
  const series = model.series.map(({ instances, ...s }) => ({
    ...s,
    instances: instances.map(({ pixels, preview, transferSyntaxUID, checksumType, ...rest }) => {
      const one: Shared = { pixels, preview, transferSyntaxUID, checksumType };
      const key = JSON.stringify(one);
      let k = index.get(key);
      if (k === undefined) {
        k = shared.push(one) - 1;
        index.set(key, k);
      }
      return { ...rest, shared: k };
    }),
  }));
  return { imageSetId: model.imageSetId, shared, series };
}

export function unpackModel(packed: PackedModel): FramesModel {
  return {
    imageSetId: packed.imageSetId,
    series: packed.series.map(({ instances, ...s }) => ({
      ...s,
      instances: instances.map(({ shared, ...rest }) => ({ ...rest, ...packed.shared[shared] })),
    })),
  };
}

export type HostMessage =
  /** The decoder (the bytes of openjph.wasm) and what to show. */
  | { type: 'init'; wasm: Uint8Array; model: PackedModel; selection?: Selection }
  /** The metadata changed (the document was edited, saved or reloaded). */
  | { type: 'model'; model: PackedModel }
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
