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
 * Polls GetImageSet (of `versionId`, or of the latest version) with back-off until `settled` returns a
 * value (or throws); throttling and transient errors only lengthen the wait. After `timeoutMs` it
 * throws an Error whose message `stillRunning` writes from the last answer.
 */
async function pollImageSet<T>(
  client: HealthImagingClient, datastoreId: string, imageSetId: string, versionId: string | undefined, options: FollowOptions,
  settled: (properties: ImageSetProperties) => T | undefined, stillRunning: (properties: ImageSetProperties, seconds: number) => string,
): Promise<T> {
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
      log(`GetImageSet ${datastoreId}/${imageSetId}${versionId ? ` version ${versionId}` : ''} failed (${(error as HealthImagingError).code}); still following`);
      continue;
    }
    const result = settled(properties);
    if (result !== undefined) {
      return result;
    }
    if (Date.now() - started > timeoutMs) {
      throw new Error(stillRunning(properties, Math.round(timeoutMs / 1000)));
    }
  }
}

/**
 * Polls GetImageSet for `versionId` until it is UPDATED (resolves with its properties) or failed
 * (throws UpdateFailedError with the service's message). Throttling and transient errors while
 * polling only lengthen the wait.
 */
export function followUpdate(client: HealthImagingClient, datastoreId: string, imageSetId: string, versionId: string, options: FollowOptions = {}): Promise<ImageSetProperties> {
  return pollImageSet(client, datastoreId, imageSetId, versionId, options, (properties) => {
    const status = properties.imageSetWorkflowStatus;
    if (status === 'UPDATE_FAILED' || status === 'COPY_FAILED' || properties.imageSetState === 'DELETED') {
      throw new UpdateFailedError(versionId, status ?? properties.imageSetState, properties.message);
    }
    return status === 'UPDATED' || (properties.imageSetState === 'ACTIVE' && status !== 'UPDATING' && status !== 'UPDATING_FOR_STUDY_CONSISTENCY')
      ? properties : undefined;
  }, (properties, seconds) => `Version ${versionId} of image set ${imageSetId} is still ${properties.imageSetWorkflowStatus ?? properties.imageSetState} ` +
    `after ${seconds} s; it may still finish: refresh the explorer later to see its state.`);
}

/**
 * Follows the version after `previousVersionId` of an image set that another image set's request
 * changed (a study-mate of an `includeStudyImageSets` update): polls GetImageSet until the image set
 * has a newer version and is no longer LOCKED. Resolves with its properties when that version is
 * UPDATED; throws UpdateFailedError when it failed.
 */
export function followNextVersion(client: HealthImagingClient, datastoreId: string, imageSetId: string, previousVersionId: string, options: FollowOptions = {}): Promise<ImageSetProperties> {
  return pollImageSet(client, datastoreId, imageSetId, undefined, options, (properties) => {
    if (Number(properties.versionId) <= Number(previousVersionId) || properties.imageSetState === 'LOCKED') {
      return undefined;
    }
    const status = properties.imageSetWorkflowStatus;
    if (status === 'UPDATE_FAILED' || properties.imageSetState === 'DELETED') {
      throw new UpdateFailedError(properties.versionId, status ?? properties.imageSetState, properties.message);
    }
    return properties;
  }, (properties, seconds) => `Image set ${imageSetId} is still ${properties.imageSetWorkflowStatus ?? properties.imageSetState} at version ` +
    `${properties.versionId} after ${seconds} s; it may still finish: refresh the explorer later to see its state.`);
}

/** A study-wide update (includeStudyImageSets) that did not reach UPDATED on every image set. */
export class StudyUpdateFailedError extends Error {
  constructor(
    /** Every image set the update did not reach, with the version and the service's message. */
    readonly failures: { imageSetId: string; versionId?: string; status?: string; serviceMessage?: string; error?: string }[],
    /** How many image sets the update was for (this one included). */
    readonly total: number,
  ) {
    super(`The study-wide update failed for ${failures.length} of ${total} image sets`);
    this.name = 'StudyUpdateFailedError';
  }
}

/**
 * Waits until an image set is no longer LOCKED (someone else's update, copy or deletion), polling
 * GetImageSet with back-off; resolves with its properties, or with the LOCKED ones after `timeoutMs`.
 */
export async function waitUntilUnlocked(client: HealthImagingClient, datastoreId: string, imageSetId: string, options: FollowOptions = {}): Promise<ImageSetProperties> {
  const sleep = options.sleep ?? realSleep;
  const timeoutMs = options.timeoutMs ?? defaults.timeoutMs;
  const delays = backoffDelays(options.initialDelayMs ?? defaults.initialDelayMs, options.maxDelayMs ?? defaults.maxDelayMs);
  const started = Date.now();
  for (;;) {
    const properties = await client.getImageSet(datastoreId, imageSetId);
    if (properties.imageSetState !== 'LOCKED' || Date.now() - started > timeoutMs) {
      return properties;
    }
    await sleep(delays.next().value);
  }
}
