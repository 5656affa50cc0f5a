// The SDK implementation of HealthImagingClient: the only file that talks to
// @aws-sdk/client-medical-imaging. Region and credentials are resolved as the AWS CLI does
// (settings arrive as plain arguments); with a custom endpoint (the local emulator) the
// `runtime-` host prefix is disabled. Retries are the SDK's, configured here and nowhere else
// (MAX_ATTEMPTS_PER_REQUEST). Every SDK error leaves here as a HealthImagingError.
import { promisify } from 'node:util';
import { gunzip as gunzipCb } from 'node:zlib';
import {
  CopyImageSetCommand,
  DeleteImageSetCommand,
  GetImageFrameCommand,
  GetImageSetCommand,
  GetImageSetMetadataCommand,
  ListDatastoresCommand,
  ListImageSetVersionsCommand,
  MedicalImagingClient,
  SearchImageSetsCommand,
  UpdateImageSetMetadataCommand,
  type CopyDestinationImageSetProperties,
  type ImageSetProperties as SdkImageSetProperties,
  type SearchCriteria as SdkSearchCriteria,
} from '@aws-sdk/client-medical-imaging';
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import type { InitializeMiddleware, MetadataBearer } from '@smithy/types';
import { HealthImagingError, toHealthImagingError } from './errors';
import type {
  CopyImageSetSide, CopyResult, DatastoreSummary, HealthImagingClient, ImageFrame, ImageSetProperties, ImageSetState, ImageSetSummary, ImageSetVersion,
  ImageSetWorkflowStatus, Page, SearchCriteria, UpdateResult,
} from './healthImagingClient';
import { resolveRegion, type ResolvedRegion } from './sharedConfig';

const gunzip = promisify(gunzipCb);

export interface ClientSettings {
  profile?: string;
  region?: string;
  endpoint?: string;
}

/** What the adapter logs: operation names, ids, versions, sizes and timings, never values. */
export interface AdapterLogger {
  debug(message: string): void;
  info?(message: string): void;
}

export interface SdkClientOptions extends ClientSettings {
  logger?: AdapterLogger;
  /** Environment for region/profile resolution (tests); default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Attempts per request; default MAX_ATTEMPTS_PER_REQUEST (tests that inject faults use 1). */
  maxAttempts?: number;
}

/**
 * The most times one request is sent: the first attempt and up to four retries. This is the only
 * retry layer of the extension: the SDK's standard retry strategy retries throttling
 * (ThrottlingException, 429), 5xx answers and network errors, after a random wait below 1, 2, 4, 8 s
 * for throttling (below 50, 100, 200, 400 ms for other errors), and stops sooner when its retry
 * quota is spent; anything else (a ConflictException, say) is not retried. Waiting up to 15 s in all
 * lets a throttled UpdateImageSetMetadata (quota 0.25 per second, burst 1) through in most cases.
 */
export const MAX_ATTEMPTS_PER_REQUEST = 5;


/** Logs a request that needed more than one attempt: operation, attempts and waits (never values). */
function retryLog(logger: AdapterLogger): InitializeMiddleware<object, MetadataBearer> {
  return (next, context) => async (args) => {
    const note = (metadata: { attempts?: number; totalRetryDelay?: number } | undefined, outcome: string) => {
      if ((metadata?.attempts ?? 1) > 1) {
        const operation = String(context.commandName ?? '').replace(/Command$/, '');
        (logger.info ?? logger.debug).call(logger,
          `${operation} ${outcome} after ${metadata?.attempts} attempts (${metadata?.totalRetryDelay ?? 0} ms of back-off)`);
      }
    };
    try {
      const result = await next(args);
      note(result.output.$metadata, 'succeeded');
      return result;
    } catch (error) {
      note((error as { $metadata?: { attempts?: number; totalRetryDelay?: number } }).$metadata, `failed (${(error as Error).name})`);
      throw error;
    }
  };
}

/** True for gzip data (magic bytes 1f 8b). */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** Decompresses gzip bytes (off the main thread); other bytes are returned as they are. */
export async function gunzipIfNeeded(bytes: Uint8Array): Promise<Uint8Array> {
  return isGzip(bytes) ? new Uint8Array(await gunzip(bytes)) : bytes;
}

function validateEndpoint(endpoint: string): string {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new HealthImagingError(
      `The setting "healthImaging.endpoint" is not a URL: "${endpoint}". Use e.g. http://127.0.0.1:4599, or leave it empty for AWS.`,
      'Validation', 'configuration', false);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new HealthImagingError(
      `The setting "healthImaging.endpoint" must start with http:// or https:// (got "${url.protocol}").`,
      'Validation', 'configuration', false);
  }
  return endpoint.replace(/\/+$/, '');
}

function toVersion(p: SdkImageSetProperties): ImageSetVersion {
  return {
    imageSetId: p.imageSetId ?? '',
    versionId: p.versionId ?? '',
    imageSetState: (p.imageSetState ?? 'ACTIVE') as ImageSetState,
    imageSetWorkflowStatus: p.ImageSetWorkflowStatus as ImageSetWorkflowStatus | undefined,
    createdAt: p.createdAt,
    updatedAt: p.updatedAt,
    message: p.message,
    forced: p.overrides?.forced,
    isPrimary: p.isPrimary,
  };
}

function toCopySide(p: CopyDestinationImageSetProperties | undefined, fallbackId: string): CopyImageSetSide {
  return {
    imageSetId: p?.imageSetId ?? fallbackId,
    latestVersionId: p?.latestVersionId ?? '',
    imageSetState: p?.imageSetState as ImageSetState | undefined,
    imageSetWorkflowStatus: p?.imageSetWorkflowStatus as ImageSetWorkflowStatus | undefined,
    updatedAt: p?.updatedAt,
  };
}

/**
 * Puts `includeStudyImageSets=true` on an UpdateImageSetMetadata request. The query parameter came
 * with the service model of April 2026; @aws-sdk/client-medical-imaging 3.958.0 has no member for it,
 * so it is added to the serialized request here, before signing. Remove this middleware once the
 * SDK has the member: then pass `includeStudyImageSets: true` to UpdateImageSetMetadataCommand.
 */
export function addIncludeStudyImageSets(command: UpdateImageSetMetadataCommand): UpdateImageSetMetadataCommand {
  command.middlewareStack.add((next) => async (args) => {
    const request = args.request as { query?: Record<string, string | string[] | null> };
    if (request.query) {
      request.query.includeStudyImageSets = 'true';
    }
    return next(args);
  }, { step: 'build', name: 'healthImagingIncludeStudyImageSets', override: true });
  return command;
}

function nullToUndefined<T>(value: T | null | undefined): T | undefined {
  return value === null ? undefined : value;
}

export class SdkHealthImagingClient implements HealthImagingClient {
  private client: Promise<MedicalImagingClient> | undefined;
  private resolvedRegion: ResolvedRegion | undefined;
  private readonly endpoint: string | undefined;

  constructor(private readonly options: SdkClientOptions) {
    this.endpoint = options.endpoint;
  }

  /** The region the client uses and where it came from (after the first request). */
  get region(): ResolvedRegion | undefined {
    return this.resolvedRegion;
  }

  private sdk(operation: string): Promise<MedicalImagingClient> {
    if (!this.client) {
      this.client = this.createClient(operation);
      // a failed resolution (missing region, bad endpoint) is retried on the next call
      this.client.catch(() => (this.client = undefined));
    }
    return this.client;
  }

  private async createClient(operation: string): Promise<MedicalImagingClient> {
    const { profile, endpoint, env = process.env } = this.options;
    const checkedEndpoint = endpoint ? validateEndpoint(endpoint) : undefined;
    let resolved: ResolvedRegion;
    try {
      resolved = await resolveRegion(this.options.region, profile, env);
    } catch (error) {
      throw toHealthImagingError(error, { operation, profile, endpoint });
    }
    if (!resolved.region) {
      throw new HealthImagingError(
        `No AWS region is configured${profile ? ` for profile "${profile}"` : ''}. Choose one with ` +
          '"HealthImaging: Select AWS Region…" (setting "healthImaging.region"), add `region = ...` to the ' +
          'profile in the AWS config file, or set AWS_REGION.',
        'NoRegion', operation, false);
    }
    this.resolvedRegion = resolved;
    const client = new MedicalImagingClient({
      region: resolved.region,
      credentials: fromNodeProviderChain({ ...(profile ? { profile } : {}), ignoreCache: true }),
      ...(checkedEndpoint ? { endpoint: checkedEndpoint, disableHostPrefix: true } : {}),
      retryMode: 'standard',
      maxAttempts: this.options.maxAttempts ?? MAX_ATTEMPTS_PER_REQUEST,
      requestHandler: { connectionTimeout: 5000, requestTimeout: 120000 },
    });
    if (this.options.logger) {
      client.middlewareStack.add(retryLog(this.options.logger), { step: 'initialize', name: 'healthImagingRetryLog' });
    }
    return client;
  }

  private async call<T>(operation: string, ids: string, run: (client: MedicalImagingClient) => Promise<T>): Promise<T> {
    const started = Date.now();
    try {
      const client = await this.sdk(operation);
      const result = await run(client);
      this.options.logger?.debug(`${operation} ${ids} ok in ${Date.now() - started} ms`);
      return result;
    } catch (error) {
      const mapped = toHealthImagingError(error, { operation, profile: this.options.profile, endpoint: this.endpoint });
      this.options.logger?.debug(`${operation} ${ids} failed in ${Date.now() - started} ms: ${mapped.code}`);
      throw mapped;
    }
  }

  async listDatastores(nextToken?: string, maxResults?: number): Promise<Page<DatastoreSummary>> {
    return this.call('ListDatastores', '', async (c) => {
      const out = await c.send(new ListDatastoresCommand({ nextToken, maxResults }));
      return {
        items: (out.datastoreSummaries ?? []).map((d) => ({
          datastoreId: d.datastoreId ?? '',
          datastoreName: d.datastoreName ?? '',
          datastoreStatus: d.datastoreStatus ?? '',
          datastoreArn: d.datastoreArn,
          createdAt: d.createdAt,
          updatedAt: d.updatedAt,
        })),
        nextToken: out.nextToken,
      };
    });
  }

  async searchImageSets(datastoreId: string, criteria: SearchCriteria, nextToken?: string, maxResults?: number): Promise<Page<ImageSetSummary>> {
    return this.call('SearchImageSets', `datastore=${datastoreId}`, async (c) => {
      const searchCriteria = (criteria.filters?.length || criteria.sort) ? (criteria as SdkSearchCriteria) : undefined;
      const out = await c.send(new SearchImageSetsCommand({ datastoreId, searchCriteria, nextToken, maxResults }));
      return {
        items: (out.imageSetsMetadataSummaries ?? []).map((s) => {
          const t = s.DICOMTags;
          return {
            imageSetId: s.imageSetId ?? '',
            version: s.version,
            createdAt: s.createdAt,
            updatedAt: s.updatedAt,
            isPrimary: s.isPrimary,
            dicomTags: t && {
              patientId: nullToUndefined(t.DICOMPatientId),
              patientName: nullToUndefined(t.DICOMPatientName),
              studyDescription: nullToUndefined(t.DICOMStudyDescription),
              studyDate: nullToUndefined(t.DICOMStudyDate),
              studyTime: nullToUndefined(t.DICOMStudyTime),
              studyInstanceUID: nullToUndefined(t.DICOMStudyInstanceUID),
              studyId: nullToUndefined(t.DICOMStudyId),
              accessionNumber: nullToUndefined(t.DICOMAccessionNumber),
              seriesInstanceUID: nullToUndefined(t.DICOMSeriesInstanceUID),
              seriesModality: nullToUndefined(t.DICOMSeriesModality),
              numberOfStudyRelatedSeries: nullToUndefined(t.DICOMNumberOfStudyRelatedSeries),
              numberOfStudyRelatedInstances: nullToUndefined(t.DICOMNumberOfStudyRelatedInstances),
            },
          };
        }),
        nextToken: out.nextToken,
      };
    });
  }

  async getImageSet(datastoreId: string, imageSetId: string, versionId?: string): Promise<ImageSetProperties> {
    return this.call('GetImageSet', `${datastoreId}/${imageSetId}${versionId ? ` v${versionId}` : ''}`, async (c) => {
      const out = await c.send(new GetImageSetCommand({ datastoreId, imageSetId, versionId }));
      // GetImageSet spells the workflow status imageSetWorkflowStatus, ListImageSetVersions ImageSetWorkflowStatus.
      const version = toVersion({ ...out, imageSetId: out.imageSetId ?? imageSetId, ImageSetWorkflowStatus: out.imageSetWorkflowStatus });
      return { ...version, datastoreId: out.datastoreId ?? datastoreId, imageSetArn: out.imageSetArn };
    });
  }

  async getImageSetMetadata(datastoreId: string, imageSetId: string, versionId?: string): Promise<string> {
    return this.call('GetImageSetMetadata', `${datastoreId}/${imageSetId}${versionId ? ` v${versionId}` : ''}`, async (c) => {
      const out = await c.send(new GetImageSetMetadataCommand({ datastoreId, imageSetId, versionId }));
      const raw = await out.imageSetMetadataBlob.transformToByteArray();
      const bytes = await gunzipIfNeeded(raw);
      this.options.logger?.debug(`GetImageSetMetadata ${imageSetId}: ${raw.byteLength} bytes on the wire, ${bytes.byteLength} bytes of JSON`);
      return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
    });
  }

  async listImageSetVersions(datastoreId: string, imageSetId: string, nextToken?: string, maxResults?: number): Promise<Page<ImageSetVersion>> {
    return this.call('ListImageSetVersions', `${datastoreId}/${imageSetId}`, async (c) => {
      const out = await c.send(new ListImageSetVersionsCommand({ datastoreId, imageSetId, nextToken, maxResults }));
      return { items: (out.imageSetPropertiesList ?? []).map(toVersion), nextToken: out.nextToken };
    });
  }

  async getImageFrame(datastoreId: string, imageSetId: string, imageFrameId: string): Promise<ImageFrame> {
    return this.call('GetImageFrame', `${imageSetId}/${imageFrameId}`, async (c) => {
      const out = await c.send(new GetImageFrameCommand({ datastoreId, imageSetId, imageFrameInformation: { imageFrameId } }));
      const bytes = await out.imageFrameBlob.transformToByteArray();
      this.options.logger?.debug(`GetImageFrame ${imageSetId}/${imageFrameId}: ${bytes.byteLength} bytes, ${out.contentType ?? 'no content type'}`);
      return { bytes, contentType: out.contentType };
    });
  }

  async updateImageSetMetadata(request: Parameters<HealthImagingClient['updateImageSetMetadata']>[0]): Promise<UpdateResult> {
    const { datastoreId, imageSetId, latestVersionId, force, includeStudyImageSets, update } = request;
    const flags = `${force ? ' force' : ''}${includeStudyImageSets ? ' includeStudyImageSets' : ''}`;
    return this.call('UpdateImageSetMetadata', `${datastoreId}/${imageSetId} base v${latestVersionId}${flags}`, async (c) => {
      const encode = (doc: object | undefined) => (doc === undefined ? undefined : new TextEncoder().encode(JSON.stringify(doc)));
      const updates = 'revertToVersionId' in update
        ? { revertToVersionId: update.revertToVersionId }
        : { DICOMUpdates: { updatableAttributes: encode(update.updatableAttributes), removableAttributes: encode(update.removableAttributes) } };
      const command = new UpdateImageSetMetadataCommand({
        datastoreId, imageSetId, latestVersionId, force: force || undefined,
        updateImageSetMetadataUpdates: updates,
      });
      const out = await c.send(includeStudyImageSets ? addIncludeStudyImageSets(command) : command);
      return {
        latestVersionId: out.latestVersionId ?? '',
        imageSetState: (out.imageSetState ?? 'LOCKED') as ImageSetState,
        imageSetWorkflowStatus: out.imageSetWorkflowStatus as ImageSetWorkflowStatus | undefined,
        updatedAt: out.updatedAt,
        message: out.message,
      };
    });
  }

  async copyImageSet(request: Parameters<HealthImagingClient['copyImageSet']>[0]): Promise<CopyResult> {
    const { datastoreId, sourceImageSetId, sourceVersionId, destination, promoteToPrimary, force } = request;
    const ids = `${datastoreId}/${sourceImageSetId} v${sourceVersionId}${destination ? ` -> ${destination.imageSetId} v${destination.latestVersionId}` : ''}` +
      `${promoteToPrimary ? ' promoteToPrimary' : ''}${force ? ' force' : ''}`;
    return this.call('CopyImageSet', ids, async (c) => {
      const out = await c.send(new CopyImageSetCommand({
        datastoreId, sourceImageSetId, promoteToPrimary: promoteToPrimary || undefined, force: force || undefined,
        copyImageSetInformation: { sourceImageSet: { latestVersionId: sourceVersionId }, destinationImageSet: destination },
      }));
      return {
        source: toCopySide(out.sourceImageSetProperties, sourceImageSetId),
        destination: toCopySide(out.destinationImageSetProperties, destination?.imageSetId ?? ''),
      };
    });
  }

  async deleteImageSet(datastoreId: string, imageSetId: string): Promise<{ imageSetState: ImageSetState; imageSetWorkflowStatus?: ImageSetWorkflowStatus }> {
    return this.call('DeleteImageSet', `${datastoreId}/${imageSetId}`, async (c) => {
      const out = await c.send(new DeleteImageSetCommand({ datastoreId, imageSetId }));
      return {
        imageSetState: (out.imageSetState ?? 'LOCKED') as ImageSetState,
        imageSetWorkflowStatus: out.imageSetWorkflowStatus as ImageSetWorkflowStatus | undefined,
      };
    });
  }

  dispose(): void {
    void this.client?.then((c) => c.destroy(), () => undefined);
    this.client = undefined;
  }
}
