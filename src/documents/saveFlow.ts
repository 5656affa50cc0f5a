// The save flow: what happens when the user saves a `healthimaging:` metadata document.
// The file system provider calls `save(uri, content, base)` from writeFile; this computes the
// plan with core from (the version the editor was opened on, the saved text), asks before force,
// submits against the base version (or, after VS Code's "Overwrite", rebases onto the latest),
// follows every request to UPDATED and returns the service's new text. Anything that stops the
// save throws, so VS Code keeps the editor dirty with the user's text.
import * as vscode from 'vscode';
import { HealthImagingError } from '../aws/errors';
import type { HealthImagingClient, ImageSetProperties } from '../aws/healthImagingClient';
import { SCHEME } from '../constants';
import { computeMetadataUpdate, type MetadataUpdatePlan } from '../core/metadataUpdate';
import { readableLocation } from '../core/metadataLocation';
import { formatMetadata, parseMetadataText } from '../core/metadataText';
import type { Config } from '../shared/config';
import { detailLines, errorText, listItems, plural, shortId } from '../shared/format';
import { Disposable } from '../shared/lifecycle';
import type { Logger } from '../shared/logger';
import type { Prompts } from '../shared/prompts';
import type { MetadataBase, MetadataFileSystemProvider, MetadataSaveHandler } from './metadataFileSystemProvider';
import { metadataUri } from './metadataUri';
import { followUpdate, StudyUpdateFailedError, UpdateFailedError, type FollowOptions } from './updateFollower';
import { findOverlaps, rebaseUpdates, shortValue, type Overlap, type PayloadDocumentPair } from './updatePlanView';

export const UPDATE_WITH_FORCE = 'Update with Force';
export const OVERWRITE = 'Overwrite';
export const COMPARE = 'Compare';

export interface SaveFlowDependencies {
  provider: Pick<MetadataFileSystemProvider, 'setSaveHandler' | 'noteUnchangedVersion'>;
  getClient(): HealthImagingClient;
  prompts: Prompts;
  config: Pick<Config, 'maxAttributeBytes' | 'confirmForceUpdate'>;
  log: Logger;
  /** Polling and back-off timing (tests of slow paths may shorten it). */
  follow?: Omit<FollowOptions, 'log'>;
  /** Study-wide saves of Study-level changes (includeStudyImageSets); without it every save reaches one image set. */
  studyWide?: StudyWideSaves;
}

/** What a save sends to the whole study, decided before anything is sent (see hierarchy/studyWideSave.ts). */
export interface StudyWideDecision {
  /** Requests with the Study-level part, sent first with includeStudyImageSets. */
  study: PayloadDocumentPair[];
  /** The other changes, sent afterwards to this image set alone. */
  rest: PayloadDocumentPair[];
  /** The other primary image sets of the study the study requests reach. */
  mates: { imageSetId: string }[];
  /** e.g. `study "CT CHEST" (2024-01-02)`, for progress and messages. */
  studyName: string;
}

export interface StudyWideSaves {
  /** Asks (per healthImaging.studyWideUpdates) whether the Study-level part goes to the whole study;
   *  undefined: everything goes to this image set. Throws SaveError when the user cancels. */
  decide(input: { base: MetadataBase; updates: PayloadDocumentPair[]; name: string }): Promise<StudyWideDecision | undefined>;
  /** Sends one study-wide request against `latestVersionId` and follows every image set it reaches to
   *  UPDATED; resolves to this image set's new version. Throws StudyUpdateFailedError naming each image
   *  set that failed, or an Error saying why nothing was sent. */
  submit(input: {
    decision: StudyWideDecision; datastoreId: string; imageSetId: string; latestVersionId: string; update: PayloadDocumentPair;
    progress: vscode.Progress<{ message?: string }>;
  }): Promise<string>;
}

/** How far a save's Study-level change would reach, for diagnostics and the preview (see hierarchy/). */
export interface StudyReach {
  /** The other primary image sets a study-wide save of `base` would reach, from a cache: undefined while
   *  unknown (a search starts, then onDidChange fires) or when its saves are never study-wide. */
  cached(base: MetadataBase): { others: number; setting: 'ask' | 'always' } | undefined;
  /** The same, searched when not cached. */
  resolve(base: MetadataBase): Promise<{ others: number; setting: 'ask' | 'always' } | undefined>;
  readonly onDidChange: vscode.Event<void>;
}

/** One request of a save, maybe for the whole study. */
interface SaveStep {
  update: PayloadDocumentPair;
  studyWide?: StudyWideDecision;
}

export interface ImageSetUpdated {
  datastoreId: string;
  imageSetId: string;
  versionId: string;
}

/** A save that did not happen (or only partly): the message says why and what was kept. */
export class SaveError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SaveError';
  }
}

const parsedBases = new WeakMap<MetadataBase, unknown>();

/** The parsed document of a base (cached: a large image set's metadata is tens of MB). */
export function parseBase(base: MetadataBase): unknown {
  let parsed = parsedBases.get(base);
  if (parsed === undefined) {
    parsed = JSON.parse(base.text) as unknown;
    parsedBases.set(base, parsed);
  }
  return parsed;
}

export class SaveFlow extends Disposable implements MetadataSaveHandler {
  private readonly _onDidUpdateImageSet = this._register(new vscode.EventEmitter<ImageSetUpdated>());
  /** Fires after every version this extension created (saves, including partial ones). */
  readonly onDidUpdateImageSet = this._onDidUpdateImageSet.event;

  /**
   * Why VS Code is saving each document (Ctrl+S or auto save), from onWillSaveTextDocument. The
   * write follows within moments (after save participants); an entry whose save never reached the
   * provider (VS Code stopped it, e.g. "the file is newer") expires.
   */
  private readonly saveReasons = new Map<string, { reason: vscode.TextDocumentSaveReason; at: number }>();
  private static readonly SAVE_REASON_TTL_MS = 2000;

  constructor(private readonly deps: SaveFlowDependencies) {
    super();
    this._register(deps.provider.setSaveHandler(this));
    this._register(vscode.workspace.onWillSaveTextDocument((e) => {
      if (e.document.uri.scheme === SCHEME) {
        this.saveReasons.set(e.document.uri.toString(), { reason: e.reason, at: Date.now() });
      }
    }));
  }

  async save(uri: vscode.Uri, content: Uint8Array, base: MetadataBase): Promise<MetadataBase> {
    const key = uri.with({ query: '' }).toString();
    const entry = this.saveReasons.get(key);
    this.saveReasons.delete(key);
    const reason = entry && Date.now() - entry.at < SaveFlow.SAVE_REASON_TTL_MS ? entry.reason : undefined;
    if (reason !== undefined && reason !== vscode.TextDocumentSaveReason.Manual) {
      // Every save is an update of the image set (a new version, maybe with force): never automatic.
      this.deps.log.info(`${base.datastoreId}/${base.imageSetId}: auto save (${vscode.TextDocumentSaveReason[reason]}) ignored; nothing sent`);
      throw new SaveError('Not saved automatically: every save of HealthImaging metadata creates a new version of the image set, ' +
        'so it is sent only when you save yourself (Ctrl+S / Cmd+S). Your edit is kept; turn off File > Auto Save to avoid this note.');
    }
    // When the service's text differs from the written one (an instance re-keyed under its new UID,
    // other formatting), the provider makes the editor reload it once the save has completed.
    return this.saveText(uri, new TextDecoder().decode(content), base);
  }

  private async saveText(uri: vscode.Uri, text: string, base: MetadataBase): Promise<MetadataBase> {
    const { datastoreId, imageSetId } = base;
    const log = this.deps.log;
    const where = `${datastoreId}/${imageSetId}`;
    const name = `image set ${shortId(imageSetId)}`;

    // 1. The text must be valid JSON without duplicate keys.
    const parsed = parseMetadataText(text);
    if (parsed.problems.length > 0) {
      log.info(`${where}: not saved, the text has ${plural(parsed.problems.length, 'JSON problem')}`);
      throw new SaveError(
        `Not saved: the metadata of ${name} is not valid JSON, so nothing was sent. ` +
          listItems(parsed.problems.map((p) => `line ${p.line}, column ${p.column}: ${p.message}`)) + '.');
    }

    // 2. The plan, from the version the editor was opened on.
    const client = this.deps.getClient();
    let latest = await this.currentProperties(client, datastoreId, imageSetId, name);
    if (latest.imageSetState === 'LOCKED') {
      latest = await this.waitForRunningUpdate(client, latest, name);
    }
    const isPrimary = latest.isPrimary ?? base.isPrimary ?? false;
    const maxAttributeBytes = this.deps.config.maxAttributeBytes;
    const original = parseBase(base);
    const started = Date.now();
    const plan: MetadataUpdatePlan = computeMetadataUpdate(original, parsed.value, { maxAttributeBytes, isPrimary });
    log.info(
      `${where}: plan from version ${base.versionId} in ${Date.now() - started} ms: ${plural(plan.updates.length, 'request')}, ` +
        `force=${plan.force}, ${plural(plan.forceReasons.length, 'force reason')}, ${plural(plan.refused.length, 'refused change')}`);

    // Where a person reads a location: labels from the edited text, or the original for removed items.
    const locate = (pointer: string, ...more: unknown[]) => readableLocation(pointer, parsed.value, ...more, original);
    if (plan.refused.length > 0) {
      throw new SaveError(
        `Not saved: HealthImaging would refuse ${plan.refused.length === 1 ? 'this change' : `${plan.refused.length} of these changes`}, so nothing was sent. ` +
          listItems(plan.refused.map((r) => `${locate(r.path)}: ${r.reason}`)));
    }
    if (plan.updates.length === 0) {
      log.info(`${where}: no changes, nothing sent`);
      return base;
    }

    // 3. Someone else created a newer version: VS Code asked Compare / Overwrite and the user chose
    //    Overwrite (or the save raced the other update). Apply this edit on top of the newer version.
    let updates: PayloadDocumentPair[] = plan.updates;
    let against = base.versionId;
    if (latest.versionId !== base.versionId && base.unchangedVersions?.includes(latest.versionId)) {
      // The newer version is a failed update of this same content: nothing to rebase onto.
      log.info(`${where}: version ${latest.versionId} failed and holds version ${base.versionId}'s content; saving against it`);
      against = latest.versionId;
    } else if (latest.versionId !== base.versionId) {
      const latestDocument = JSON.parse(await client.getImageSetMetadata(datastoreId, imageSetId, latest.versionId)) as unknown;
      const overlaps = findOverlaps(original, latestDocument, parsed.value, plan);
      log.info(`${where}: edit made on version ${base.versionId}, latest is ${latest.versionId}; ${plural(overlaps.length, 'attribute')} changed on both sides`);
      if (overlaps.length > 0) {
        await this.confirmOverwrite(name, base.versionId, latest.versionId, overlaps, plan, (p) => locate(p, latestDocument));
      }
      updates = rebaseUpdates(plan.updates, latestDocument);
      against = latest.versionId;
      if (updates.length === 0) {
        log.info(`${where}: version ${latest.versionId} already holds this edit, nothing sent`);
        return this.readBack(client, base, latest.versionId);
      }
    }

    // 4. A Study-level change of a primary image set whose study has other primary image sets: maybe
    //    to the whole study (includeStudyImageSets), as healthImaging.studyWideUpdates says.
    const studyWide = isPrimary && this.deps.studyWide ? await this.deps.studyWide.decide({ base, updates, name }) : undefined;
    const steps: SaveStep[] = studyWide
      ? [...studyWide.study.map((update) => ({ update, studyWide })), ...studyWide.rest.map((update) => ({ update }))]
      : updates.map((update) => ({ update }));

    // 5. Force: ask (unless the user turned that off), naming each attribute and why.
    if (plan.force) {
      await this.confirmForce(name, plan, steps.length, locate);
    } else if (studyWide && steps.length > 1) {
      void this.deps.prompts.showInformationMessage(
        `Saving ${name} as ${steps.length} requests, in order: the Study-level change to the whole ${studyWide.studyName} ` +
          `(${studyWide.mates.length + 1} image sets), then the other changes to this image set only.`, {});
    } else if (steps.length > 1) {
      void this.deps.prompts.showInformationMessage(
        `The change to ${name} is larger than ${maxAttributeBytes} bytes per request: saving it as ${steps.length} requests, in order.`, {});
    }

    // 6. Submit, each request against the version the previous one produced, and follow each to UPDATED.
    const title = studyWide ? `Updating ${studyWide.mates.length + 1} image sets of ${studyWide.studyName}` : `Saving ${name}`;
    return vscode.window.withProgress(
      { location: vscode.ProgressLocation.Window, title },
      (progress) => this.submitAll(uri, client, base, against, steps, plan.force, progress));
  }

  /** GetImageSet before a save; a deleted image set stops the save with a message that says so. */
  private async currentProperties(client: HealthImagingClient, datastoreId: string, imageSetId: string, name: string): Promise<ImageSetProperties> {
    const deleted = new SaveError(`Not saved: ${name} no longer exists at HealthImaging (it was deleted), so there is nothing to update. ` +
      'Your edit is kept in the editor: copy what you need before closing it.');
    let latest: ImageSetProperties;
    try {
      latest = await client.getImageSet(datastoreId, imageSetId);
    } catch (error) {
      if (error instanceof HealthImagingError && error.code === 'NotFound') {
        this.deps.log.info(`${datastoreId}/${imageSetId}: not saved, GetImageSet answers NotFound`);
        throw deleted;
      }
      throw error;
    }
    if (latest.imageSetState === 'DELETED') {
      this.deps.log.info(`${datastoreId}/${imageSetId}: not saved, the image set is DELETED`);
      throw deleted;
    }
    return latest;
  }

  private async waitForRunningUpdate(client: HealthImagingClient, latest: ImageSetProperties, name: string): Promise<ImageSetProperties> {
    this.deps.log.info(`${latest.datastoreId}/${latest.imageSetId}: version ${latest.versionId} is ${latest.imageSetWorkflowStatus ?? 'LOCKED'}; waiting for it before saving`);
    try {
      await followUpdate(client, latest.datastoreId, latest.imageSetId, latest.versionId, { ...this.followOptions(), timeoutMs: 60_000 });
    } catch (error) {
      if (!(error instanceof UpdateFailedError)) {
        throw new SaveError(`Not saved: ${name} is locked by another update (version ${latest.versionId}) that has not finished. Your edit is kept; save again later.`);
      }
    }
    return client.getImageSet(latest.datastoreId, latest.imageSetId);
  }

  private async confirmOverwrite(
    name: string, baseVersion: string, latestVersion: string, overlaps: Overlap[], plan: MetadataUpdatePlan, locate: (pointer: string) => string,
  ): Promise<void> {
    const lines = overlaps.map((o) => o.operation === 'remove'
      ? `${locate(o.pointer)}: version ${latestVersion} has ${shortValue(o.theirs)}; your edit removes it`
      : `${locate(o.pointer)}: version ${latestVersion} has ${shortValue(o.theirs)}; yours is ${shortValue(o.mine)}`);
    const detail = `${detailLines(lines)}\n\nYour changes (made on version ${baseVersion}) will be applied on top of version ${latestVersion}; ` +
      `everything else in version ${latestVersion} is kept. ${plural(plan.updates.length, 'request')}${plan.force ? ', with force' : ''}.`;
    const answer = await this.deps.prompts.showWarningMessage(
      `${name} was changed by someone else (now version ${latestVersion}), and ${plural(overlaps.length, 'attribute')} you edited changed there too. Overwrite them with your values?`,
      { modal: true, detail }, OVERWRITE);
    if (answer !== OVERWRITE) {
      this.deps.log.info(`overwrite of version ${latestVersion} declined`);
      throw new SaveError(`Not saved: you chose not to overwrite the changes of version ${latestVersion}. Your edit is kept; compare it with the latest version before saving again.`);
    }
  }

  private async confirmForce(name: string, plan: MetadataUpdatePlan, requests: number, locate: (pointer: string) => string): Promise<void> {
    if (!this.deps.config.confirmForceUpdate) {
      this.deps.log.info(`force needed for ${plural(plan.forceReasons.length, 'attribute')}; not asking (healthImaging.confirmForceUpdate is off)`);
      return;
    }
    const detail = detailLines(plan.forceReasons.map((r) => `${locate(r.path)}: ${r.reason}`)) +
      '\n\nWith force, HealthImaging skips the checks that protect these attributes.' +
      (requests > 1 ? ` The change is sent as ${requests} requests, in order, each with force.` : '');
    const answer = await this.deps.prompts.showWarningMessage(
      `Saving ${name} needs force for ${plural(plan.forceReasons.length, 'attribute')}. Update with force?`,
      { modal: true, detail }, UPDATE_WITH_FORCE);
    if (answer !== UPDATE_WITH_FORCE) {
      this.deps.log.info('force declined: nothing sent');
      throw new SaveError(`Not saved: the change needs force, which was declined. Nothing was sent; your edit is kept.`);
    }
  }

  private async submitAll(
    uri: vscode.Uri, client: HealthImagingClient, base: MetadataBase, against: string, steps: SaveStep[],
    force: boolean, progress: vscode.Progress<{ message?: string }>,
  ): Promise<MetadataBase> {
    const { datastoreId, imageSetId } = base;
    const where = `${datastoreId}/${imageSetId}`;
    const name = `image set ${shortId(imageSetId)}`;
    const options = this.followOptions();
    let current = against;
    for (let index = 0; index < steps.length; index++) {
      const step = steps.length > 1 ? ` (request ${index + 1} of ${steps.length})` : '';
      const { update, studyWide } = steps[index];
      let created: string | undefined;
      try {
        progress.report({ message: `sending${step}` });
        if (studyWide && this.deps.studyWide) {
          created = await this.deps.studyWide.submit({ decision: studyWide, datastoreId, imageSetId, latestVersionId: current, update, progress });
          this.deps.log.info(`${where}: request ${index + 1}/${steps.length} against version ${current} (includeStudyImageSets) created version ${created}, UPDATED with ${plural(studyWide.mates.length, 'other image set')} of the study`);
        } else {
          // Throttling is retried inside the adapter (MAX_ATTEMPTS_PER_REQUEST); what is left is followed here.
          const result = await client.updateImageSetMetadata({ datastoreId, imageSetId, latestVersionId: current, force, update });
          created = result.latestVersionId;
          this.deps.log.info(`${where}: request ${index + 1}/${steps.length} against version ${current} created version ${created} (${result.imageSetWorkflowStatus ?? result.imageSetState}), force=${force}`);
          progress.report({ message: `waiting for version ${created}${step}` });
          await followUpdate(client, datastoreId, imageSetId, created, options);
          this.deps.log.info(`${where}: version ${created} UPDATED`);
        }
        current = created;
        this._onDidUpdateImageSet.fire({ datastoreId, imageSetId, versionId: current });
      } catch (error) {
        const failedVersion = error instanceof UpdateFailedError ? error.versionId
          : error instanceof StudyUpdateFailedError ? error.failures.find((f) => f.imageSetId === imageSetId)?.versionId : undefined;
        created ??= failedVersion;
        if (created !== undefined) {
          this._onDidUpdateImageSet.fire({ datastoreId, imageSetId, versionId: created });
        }
        if (failedVersion !== undefined && index === 0 && (current === base.versionId || base.unchangedVersions?.includes(current))) {
          // A failed first request keeps the content the edit was based on, under a new version id.
          this.deps.provider.noteUnchangedVersion(uri, failedVersion);
        }
        throw this.failure(uri, error, { name, where, index, total: steps.length, applied: index, current, created, studyWide: studyWide !== undefined });
      }
    }
    return this.readBack(client, base, current);
  }

  /** The new base: the service's text of `versionId`, in the layout of the text it replaces. */
  private async readBack(client: HealthImagingClient, base: MetadataBase, versionId: string): Promise<MetadataBase> {
    const { datastoreId, imageSetId } = base;
    const [raw, properties] = await Promise.all([
      client.getImageSetMetadata(datastoreId, imageSetId, versionId),
      client.getImageSet(datastoreId, imageSetId, versionId),
    ]);
    const document = JSON.parse(raw) as unknown;
    const layout = base.layout ?? 'expanded';
    return {
      datastoreId, imageSetId, versionId,
      text: formatMetadata(document, layout), // in the editor's layout, whatever the setting says now
      updatedAt: properties.updatedAt,
      isPrimary: properties.isPrimary,
      layout,
    };
  }

  private failure(
    uri: vscode.Uri, error: unknown,
    at: { name: string; where: string; index: number; total: number; applied: number; current: string; created?: string; studyWide?: boolean },
  ): SaveError {
    const log = this.deps.log;
    const done = at.applied > 0
      ? `Saved ${at.applied} of ${at.total} requests (now version ${at.current}); request ${at.index + 1} failed`
      : at.total > 1 ? `Not saved: request 1 of ${at.total} failed` : 'Not saved';
    const kept = at.applied > 0
      ? 'The rest of your edit is kept in the editor; saving again sends what is still missing.'
      : 'Your edit is kept.';
    if (error instanceof UpdateFailedError) {
      log.warn(`${at.where}: version ${error.versionId} ended ${error.status}`);
      return new SaveError(`${done}: HealthImaging could not apply the update (version ${error.versionId}, ${error.status})` +
        `${error.serviceMessage ? `: ${error.serviceMessage}` : ''}. ${kept}`);
    }
    if (error instanceof StudyUpdateFailedError) {
      log.warn(`${at.where}: the study-wide update failed for ${error.failures.length} of ${error.total} image sets`);
      const each = error.failures.map((f) => `image set ${shortId(f.imageSetId)}` +
        `${f.versionId ? ` (version ${f.versionId}${f.status ? `, ${f.status}` : ''})` : ''}: ${f.serviceMessage ?? f.error ?? 'no message'}`);
      return new SaveError(`${done}: HealthImaging could not apply the study-wide update to ${error.failures.length} of ${error.total} image sets: ` +
        `${listItems(each)}. ${kept}`);
    }
    if (error instanceof HealthImagingError && error.code === 'Conflict') {
      log.warn(`${at.where}: ConflictException against version ${at.current}${at.studyWide ? ' (includeStudyImageSets)' : ''}`);
      if (at.studyWide) {
        const why = `HealthImaging refused the study-wide update (${error.message}): ${at.name} or another image set of its study changed or is being updated`;
        this.offerCompare(uri, `Could not save ${at.name}: ${why}. Nothing was changed; your edit is kept.`);
        return new SaveError(`${done}: ${why}. Nothing was changed. ${kept}`);
      }
      this.offerCompare(uri, `Could not save ${at.name}: it was changed at HealthImaging while saving (${error.message}). Your edit is kept.`);
      return new SaveError(`${done}: ${at.name} changed at HealthImaging while saving (${error.message}). ${kept}`);
    }
    const message = errorText(error);
    log.warn(`${at.where}: save failed: ${error instanceof HealthImagingError ? `${error.operation} ${error.code}` : (error as Error)?.name}`);
    return new SaveError(`${done}: ${message}. ${kept}`.replace(/\.\. /g, '. '));
  }

  /** The error message of a ConflictException, with "Compare" (latest version vs the editor). Not awaited. */
  private offerCompare(uri: vscode.Uri, message: string): void {
    void Promise.resolve(this.deps.prompts.showErrorMessage(message, {}, COMPARE)).then(async (answer) => {
      if (answer === COMPARE) {
        await this.compareWithLatest(uri);
      }
    }).catch((error: unknown) => this.deps.log.error(error instanceof Error ? error : String(error)));
  }

  /** Opens a diff: the latest version at the service (left) against the editor's text (right). */
  async compareWithLatest(uri: vscode.Uri): Promise<void> {
    const target = uri.with({ query: '' });
    const [, datastoreId, imageSetId] = /^\/([^/]+)\/([^/]+)\.json$/.exec(target.path) ?? [];
    const latest = await this.deps.getClient().getImageSet(datastoreId, imageSetId);
    await vscode.commands.executeCommand('vscode.diff', metadataUri(datastoreId, imageSetId, latest.versionId), target,
      `${shortId(imageSetId)}: version ${latest.versionId} (HealthImaging) ↔ your edit`);
  }

  private followOptions(): FollowOptions {
    return { ...this.deps.follow, log: (m) => this.deps.log.info(m) };
  }
}
