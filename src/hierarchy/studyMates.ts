// The primary image sets of a study (SearchImageSets: same Study Instance UID, isPrimary), for the
// study-wide save, the preview, diagnostics, Compare with Primary and Promote. Counts are cached a
// short while so that typing (diagnostics, preview) does not search on every keystroke; questions
// that decide what is sent always search again.
import * as vscode from 'vscode';
import { listAllPages, MAX_PAGE_SIZE, type HealthImagingClient, type ImageSetSummary, type SearchCriteria } from '../aws/healthImagingClient';
import { formatDicomDate, imageSetParts } from '../explorer/nodes';
import { shortId } from '../shared/format';
import { Disposable } from '../shared/lifecycle';
import { describeError, type Logger } from '../shared/logger';

const CACHE_MS = 60_000;

export interface StudyMatesDependencies {
  getClient(): HealthImagingClient;
  log: Logger;
}

/** "patient · description · modality · short id" of an image set, for a dialog's list. */
export function imageSetLine(summary: ImageSetSummary): string {
  const { who, description, modality } = imageSetParts(summary);
  return [who, description, modality, shortId(summary.imageSetId)].filter(Boolean).join(' · ');
}

/** `study "CT CHEST" (2024-01-02)`: what names a study in messages (its Study Instance UID when it has no description). */
export function studyName(document: unknown): string {
  const dicom = (document as { Study?: { DICOM?: Record<string, unknown> } } | undefined)?.Study?.DICOM ?? {};
  const description = typeof dicom.StudyDescription === 'string' ? dicom.StudyDescription.trim() : '';
  const date = typeof dicom.StudyDate === 'string' ? formatDicomDate(dicom.StudyDate) : undefined;
  const uid = typeof dicom.StudyInstanceUID === 'string' ? dicom.StudyInstanceUID : '';
  return description ? `study "${description}"${date ? ` (${date})` : ''}` : `study ${uid}`;
}

export class StudyMates extends Disposable {
  private readonly cache = new Map<string, { at: number; ids: string[] } | { at: number; pending: Promise<void> }>();
  private readonly _onDidChange = this._register(new vscode.EventEmitter<void>());
  /** Fires when a cached count became known or was forgotten (diagnostics and previews recompute). */
  readonly onDidChange = this._onDidChange.event;

  constructor(private readonly deps: StudyMatesDependencies) {
    super();
  }

  /** The primary image sets of a study, searched now (every page), most recently updated first. */
  async primaries(datastoreId: string, studyInstanceUID: string): Promise<ImageSetSummary[]> {
    const client = this.deps.getClient();
    const criteria: SearchCriteria = {
      filters: [
        { operator: 'EQUAL', values: [{ DICOMStudyInstanceUID: studyInstanceUID }] },
        { operator: 'EQUAL', values: [{ isPrimary: true }] },
      ],
      sort: { sortField: 'updatedAt', sortOrder: 'DESC' },
    };
    const found = (await listAllPages((token) => client.searchImageSets(datastoreId, criteria, token, MAX_PAGE_SIZE))).filter((s) => s.isPrimary !== false);
    this.cache.set(this.key(datastoreId, studyInstanceUID), { at: Date.now(), ids: found.map((s) => s.imageSetId) });
    return found;
  }

  /**
   * How many primary image sets the study has besides `imageSetId`, from the cache; undefined while
   * not known (a search starts, and onDidChange fires when it is done).
   */
  cachedOtherPrimaries(datastoreId: string, studyInstanceUID: string, imageSetId: string): number | undefined {
    const key = this.key(datastoreId, studyInstanceUID);
    const entry = this.cache.get(key);
    const fresh = entry !== undefined && Date.now() - entry.at < CACHE_MS;
    if (fresh && 'ids' in entry) {
      return entry.ids.filter((id) => id !== imageSetId).length;
    }
    if (!fresh || !('pending' in entry)) {
      // (a failed search is tried again after CACHE_MS, not on every keystroke)
      const pending = this.primaries(datastoreId, studyInstanceUID).then(
        () => this._onDidChange.fire(),
        (error: unknown) => this.deps.log.debug(`searching the primary image sets of a study failed: ${describeError(error)}`));
      this.cache.set(key, { at: Date.now(), pending });
    }
    return undefined;
  }

  /** The count of other primary image sets, searched when not cached. */
  async otherPrimaries(datastoreId: string, studyInstanceUID: string, imageSetId: string): Promise<number> {
    const cached = this.cachedOtherPrimaries(datastoreId, studyInstanceUID, imageSetId);
    if (cached !== undefined) {
      return cached;
    }
    return (await this.primaries(datastoreId, studyInstanceUID)).filter((s) => s.imageSetId !== imageSetId).length;
  }

  /** Forgets what is known (after a study-wide save, a promotion, a deletion, a refresh). */
  invalidate(): void {
    if (this.cache.size > 0) {
      this.cache.clear();
      this._onDidChange.fire();
    }
  }

  private key(datastoreId: string, studyInstanceUID: string): string {
    return `${datastoreId}/${studyInstanceUID}`;
  }
}
