// Shared set-up of the emulator conformance suites: a running emulator and the real SDK client
// pointed at it (over HTTP, any credentials, no host prefix, no retries so faults are visible).
import { gunzipSync } from 'node:zlib';
import { MedicalImagingClient } from '@aws-sdk/client-medical-imaging';
import { EMULATOR_CREDENTIALS, EMULATOR_REGION } from '../src/profile';
import { startEmulator, type EmulatorOptions, type RunningEmulator } from '../src/server';

// The one polling helper of all test suites (test/support/ is the only part of the root test tree
// that the emulator package's tests may import).
export { until } from '../../test/support/until';

export interface Harness { emulator: RunningEmulator; client: MedicalImagingClient; url: string }

export function clientFor(url: string, maxAttempts = 1): MedicalImagingClient {
  return new MedicalImagingClient({
    region: EMULATOR_REGION,
    endpoint: url,
    disableHostPrefix: true,
    credentials: EMULATOR_CREDENTIALS,
    maxAttempts,
  });
}

export async function startHarness(options: EmulatorOptions = {}): Promise<Harness> {
  const emulator = await startEmulator({ updateDelayMs: 50, ...options });
  return { emulator, client: clientFor(emulator.url), url: emulator.url };
}

export async function stopHarness(h: Harness | undefined): Promise<void> {
  if (!h) return;
  h.client.destroy();
  await h.emulator.close();
}

/** A parsed metadata document; tests walk it freely. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Doc = Record<string, any>;

/** Bytes of a GetImageSetMetadata answer, gunzipped and parsed. */
export async function readMetadata(blob: { transformToByteArray(): Promise<Uint8Array> }): Promise<Doc> {
  return JSON.parse(gunzipSync(await blob.transformToByteArray()).toString('utf8')) as Doc;
}

export const encodeJson = (value: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(value));

/** The error an awaited promise rejects with (fails when it resolves). */
export async function rejection(p: Promise<unknown>): Promise<Error & { $metadata?: { httpStatusCode?: number } }> {
  try {
    await p;
  } catch (e) {
    return e as Error & { $metadata?: { httpStatusCode?: number } };
  }
  throw new Error('expected the call to fail, but it succeeded');
}

/** Keeps operations started from now on LOCKED until `release` (no race with the update delay). */
export function hold(h: Harness): void {
  h.emulator.faults.setUpdateDelay(10 * 60 * 1000);
}

/** Lets held operations finish (within `ms`), and later ones take `ms` again. */
export function release(h: Harness, ms = 50): void {
  h.emulator.faults.setUpdateDelay(ms);
}
