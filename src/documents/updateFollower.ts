// Follows an UpdateImageSetMetadata request until HealthImaging has finished it: polls GetImageSet
// until the new version is UPDATED or failed. Sending the request (and retrying it when throttled)
// is the adapter's job: src/aws is the one retry layer. No vscode import: the caller passes a log
// function and (in tests) a sleep function.
import { HealthImagingError } from '../aws/errors';
import type { HealthImagingClient, ImageSetProperties } from '../aws/healthImagingClient';

export interface FollowOptions {
  /** Log lines carry ids and versions only, never metadata values. */
  log?: (message: string) => void;
  sleep?: (ms: number) => Promise<void>;
  /** First wait between GetImageSet polls; doubles (x1.6) up to maxDelayMs. */
  initialDelayMs?: number;
  maxDelayMs?: number;
  /** Give up following after this long (the update itself goes on at the service). */
  timeoutMs?: number;
}

const defaults = { initialDelayMs: 250, maxDelayMs: 2000, timeoutMs: 10 * 60 * 1000 };

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The waits of an exponential back-off: initial, x1.6 each time, capped at max. */
export function* backoffDelays(initialMs: number, maxMs: number, factor = 1.6): Generator<number, never> {
  let delay = initialMs;
  for (;;) {
    yield Math.round(delay);
    delay = Math.min(maxMs, delay * factor);
  }
}

/** The update reached UPDATE_FAILED (or another failed state): the service's message is kept. */
export class UpdateFailedError extends Error {
  constructor(readonly versionId: string, readonly status: string, readonly serviceMessage: string | undefined) {
    super(`HealthImaging could not apply version ${versionId} (${status})${serviceMessage ? `: ${serviceMessage}` : ''}`);
    this.name = 'UpdateFailedError';
  }
}

function isRetryableWhilePolling(error: unknown): boolean {
  return error instanceof HealthImagingError && (error.code === 'Throttling' || error.code === 'Network' || error.code === 'Internal');
}

/**
 * Polls GetImageSet for `versionId` until it is UPDATED (resolves with its properties) or failed
 * (throws UpdateFailedError with the service's message). Throttling and transient errors while
 * polling only lengthen the wait.
 */
export async function followUpdate(client: HealthImagingClient, datastoreId: string, imageSetId: string, versionId: string, options: FollowOptions = {}): Promise<ImageSetProperties> {
  const log = options.log ?? (() => undefined);
  const sleep = options.sleep ?? realSleep;
  const timeoutMs = options.timeoutMs ?? defaults.timeoutMs;
  const delays = backoffDelays(options.initialDelayMs ?? defaults.initialDelayMs, options.maxDelayMs ?? defaults.maxDelayMs);
  const started = Date.now();
  let transientErrors = 0;
  for (;;) {
    await sleep(delays.next().value);
    let properties: ImageSetProperties;
    try {
      properties = await client.getImageSet(datastoreId, imageSetId, versionId);
      transientErrors = 0;
    } catch (error) {
      if (!isRetryableWhilePolling(error) || ++transientErrors > 10) {
        throw error;
      }
      log(`GetImageSet ${datastoreId}/${imageSetId} version ${versionId} failed (${(error as HealthImagingError).code}); still following`);
      continue;
    }
    const status = properties.imageSetWorkflowStatus;
    if (status === 'UPDATE_FAILED' || status === 'COPY_FAILED' || properties.imageSetState === 'DELETED') {
      throw new UpdateFailedError(versionId, status ?? properties.imageSetState, properties.message);
    }
    if (status === 'UPDATED' || (properties.imageSetState === 'ACTIVE' && status !== 'UPDATING' && status !== 'UPDATING_FOR_STUDY_CONSISTENCY')) {
      return properties;
    }
    if (Date.now() - started > timeoutMs) {
      throw new Error(`Version ${versionId} of image set ${imageSetId} is still ${status ?? properties.imageSetState} after ${Math.round(timeoutMs / 1000)} s; it may still finish: refresh the explorer later to see its state.`);
    }
  }
}
