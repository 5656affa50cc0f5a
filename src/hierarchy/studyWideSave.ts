// Study-wide saves: a save of a primary image set that changes Study-level attributes while its
// study has other primary image sets. Asks first (healthImaging.studyWideUpdates: ask / always /
// never), then sends the Study-level part once with includeStudyImageSets (every primary image set
// of the study gets a new version, UPDATING_FOR_STUDY_CONSISTENCY) and follows each image set to
// UPDATED or UPDATE_FAILED; the save flow sends the rest to the one image set.
import type { HealthImagingClient, ImageSetSummary } from '../aws/healthImagingClient';
import { splitStudyLevelUpdates, studyInstanceUidOf } from '../core/hierarchy';
import type { MetadataFileSystemProvider } from '../documents/metadataFileSystemProvider';
import { metadataUri } from '../documents/metadataUri';
import { parseBase, SaveError, type StudyWideDecision, type StudyWideSaves } from '../documents/saveFlow';
import {
  followNextVersion, followUpdate, StudyUpdateFailedError, UpdateFailedError, waitUntilUnlocked, type FollowOptions,
} from '../documents/updateFollower';
import type { Config } from '../shared/config';
import { detailLines, errorText, plural, shortId } from '../shared/format';
import type { Logger } from '../shared/logger';
import type { Prompts } from '../shared/prompts';
import { imageSetLine, studyName, type StudyMates } from './studyMates';

export const UPDATE_WHOLE_STUDY = 'Update Whole Study';
export const ONLY_THIS_IMAGE_SET = 'Only This Image Set';

/** How long a save waits for a study-mate locked by someone else's update. */
const LOCKED_MATE_WAIT_MS = 60_000;

export interface StudyWideSaveDependencies {
  getClient(): HealthImagingClient;
  mates: Pick<StudyMates, 'primaries' | 'invalidate'>;
  prompts: Prompts;
  config: Pick<Config, 'studyWideUpdates' | 'maxAttributeBytes'>;
  log: Logger;
  /** Open editors of the other image sets: clean ones reload, dirty ones keep their text. */
  provider: Pick<MetadataFileSystemProvider, 'refresh'>;
  /** Called for every other image set the update reached (the tree reloads it). */
  onDidUpdate(datastoreId: string, imageSetId: string): void;
  follow?: Omit<FollowOptions, 'log'>;
}

interface Decision extends StudyWideDecision {
  mates: ImageSetSummary[];
}

export class StudyWideSave implements StudyWideSaves {
  constructor(private readonly deps: StudyWideSaveDependencies) {}

  async decide(input: Parameters<StudyWideSaves['decide']>[0]): Promise<StudyWideDecision | undefined> {
    const { base, updates, name } = input;
    const { datastoreId, imageSetId } = base;
    const where = `${datastoreId}/${imageSetId}`;
    const split = splitStudyLevelUpdates(updates, this.deps.config.maxAttributeBytes);
    const setting = this.deps.config.studyWideUpdates;
    if (split.study.length === 0) {
      return undefined;
    }
    if (setting === 'never') {
      this.deps.log.info(`${where}: Study-level change saved to this image set only (healthImaging.studyWideUpdates is never)`);
      return undefined;
    }
    const document = parseBase(base);
    const studyUid = studyInstanceUidOf(document);
    if (!studyUid) {
      return undefined;
    }
    const others = (primaries: ImageSetSummary[]) => primaries.filter((s) => s.imageSetId !== imageSetId);
    const mates = others(await this.deps.mates.primaries(datastoreId, studyUid));
    if (mates.length === 0) {
      return undefined;
    }
    const study = studyName(document);
    if (setting === 'ask') {
      const attributes = [...new Set(split.attributes.map((a) => a.keyword))];
      const detail = `Changed at the Study level: ${attributes.join(', ')}.\n\n` +
        `The other primary image sets of the study:\n${detailLines(mates.map(imageSetLine))}\n\n` +
        `"${UPDATE_WHOLE_STUDY}" sends the Study-level change once, with includeStudyImageSets: each of the ${mates.length + 1} image sets ` +
        `gets a new version. "${ONLY_THIS_IMAGE_SET}" leaves the others with their current values.` +
        (split.rest.length > 0 ? ` The other changes (below the Study level) go to ${name} only, as a separate request.` : '');
      const answer = await this.deps.prompts.showWarningMessage(
        `${name.charAt(0).toUpperCase()}${name.slice(1)} changes the Study level of ${study}, which has ${plural(mates.length, 'other primary image set')}. Update the whole study?`,
        { modal: true, detail }, UPDATE_WHOLE_STUDY, ONLY_THIS_IMAGE_SET);
      if (answer === ONLY_THIS_IMAGE_SET) {
        this.deps.log.info(`${where}: Study-level change saved to this image set only (chosen)`);
        return undefined;
      }
      if (answer !== UPDATE_WHOLE_STUDY) {
        this.deps.log.info(`${where}: study-wide question cancelled; nothing sent`);
        throw new SaveError('Not saved: you cancelled the question about updating the whole study. Nothing was sent; your edit is kept.');
      }
      // The study may have changed while the question was open: send only to the image sets the user saw.
      const now = others(await this.deps.mates.primaries(datastoreId, studyUid));
      const seen = new Set(mates.map((m) => m.imageSetId));
      if (now.length !== mates.length || now.some((m) => !seen.has(m.imageSetId))) {
        this.deps.log.info(`${where}: the study's primary image sets changed while asking (${mates.length} -> ${now.length}); nothing sent`);
        throw new SaveError(`Not saved: ${study} changed while the question was open: it now has ${plural(now.length, 'other primary image set')} ` +
          `(${mates.length} were listed). Nothing was sent; your edit is kept. Save again to see the current list.`);
      }
    }
    this.deps.log.info(`${where}: Study-level change goes to the whole study (${mates.length + 1} image sets, ${plural(split.study.length, 'study-wide request')}, ${plural(split.rest.length, 'other request')})`);
    const decision: Decision = { study: split.study, rest: split.rest, mates, studyName: study };
    return decision;
  }

  async submit(input: Parameters<StudyWideSaves['submit']>[0]): Promise<string> {
    const { decision, datastoreId, imageSetId, latestVersionId, update, progress } = input;
    const client = this.deps.getClient();
    const options: FollowOptions = { ...this.deps.follow, log: (m) => this.deps.log.info(m) };
    const where = `${datastoreId}/${imageSetId}`;
    const started = Date.now();

    // 1. Every study-mate must be free: wait for an update that is running (as a save does), then report.
    const before = new Map<string, string>();
    for (const mate of decision.mates) {
      let properties = await client.getImageSet(datastoreId, mate.imageSetId);
      if (properties.imageSetState === 'LOCKED') {
        const status = properties.imageSetWorkflowStatus ?? 'LOCKED';
        this.deps.log.info(`${datastoreId}/${mate.imageSetId}: study-mate is LOCKED (${status}); waiting before the study-wide update`);
        progress.report({ message: `waiting for image set ${shortId(mate.imageSetId)} of the study (${status})` });
        properties = await waitUntilUnlocked(client, datastoreId, mate.imageSetId, { ...options, timeoutMs: LOCKED_MATE_WAIT_MS });
        if (properties.imageSetState === 'LOCKED') {
          throw new Error(`image set ${shortId(mate.imageSetId)} of the ${decision.studyName} is locked by another operation ` +
            `(version ${properties.versionId}, ${properties.imageSetWorkflowStatus ?? 'LOCKED'}) that has not finished after ${LOCKED_MATE_WAIT_MS / 1000} s, ` +
            'so nothing was sent. Save again later');
        }
      }
      if (properties.imageSetState !== 'DELETED') {
        before.set(mate.imageSetId, properties.versionId);
      }
    }

    // 2. One request for the whole study.
    progress.report({ message: `sending the Study-level change to ${before.size + 1} image sets` });
    // (throttling is retried inside the adapter)
    const result = await client.updateImageSetMetadata({ datastoreId, imageSetId, latestVersionId, includeStudyImageSets: true, update });
    this.deps.log.info(`${where}: study-wide request against version ${latestVersionId} created version ${result.latestVersionId} (${result.imageSetWorkflowStatus ?? result.imageSetState}); following ${before.size + 1} image sets`);

    // 3. Follow every image set it reaches to UPDATED (or UPDATE_FAILED).
    const total = before.size + 1;
    const failures: StudyUpdateFailedError['failures'] = [];
    let updated = 0;
    const follow = async (id: string, run: () => Promise<unknown>): Promise<void> => {
      try {
        await run();
        updated++;
        progress.report({ message: `${updated} of ${total} image sets UPDATED` });
      } catch (error) {
        failures.push(error instanceof UpdateFailedError
          ? { imageSetId: id, versionId: error.versionId, status: error.status, serviceMessage: error.serviceMessage }
          : { imageSetId: id, error: errorText(error) });
      } finally {
        if (id !== imageSetId) {
          this.deps.provider.refresh(metadataUri(datastoreId, id));
          this.deps.onDidUpdate(datastoreId, id);
        }
      }
    };
    await Promise.all([
      follow(imageSetId, () => followUpdate(client, datastoreId, imageSetId, result.latestVersionId, options)),
      ...[...before].map(([id, version]) => follow(id, () => followNextVersion(client, datastoreId, id, version, options))),
    ]);
    this.deps.mates.invalidate();
    if (failures.length > 0) {
      this.deps.log.warn(`${where}: the study-wide update failed for ${failures.length} of ${total} image sets (${failures.map((f) => `${f.imageSetId} ${f.status ?? 'error'}`).join(', ')})`);
      throw new StudyUpdateFailedError(failures, total);
    }
    this.deps.log.info(`${where}: study-wide update of ${total} image sets UPDATED in ${Date.now() - started} ms`);
    return result.latestVersionId;
  }
}
