// Pure helpers around an update plan (what core's computeMetadataUpdate returns): the attributes a
// payload touches, the preview document, and the rebase of a plan onto a newer version.
// No vscode and no I/O, so they are unit-tested in plain Node.
import { primaryImageSetsPhrase } from '../core/hierarchy';
import { fromPointer, isObject, sameJson, setOwn, toPointer, valueAtPointer, type JsonObject } from '../core/json';
import { plural } from '../shared/format';

export interface PayloadDocumentPair {
  updatableAttributes?: object;
  removableAttributes?: object;
}

export interface PathReason {
  path: string;
  reason: string;
}

/** The shape of core's MetadataUpdatePlan that these helpers read. */
export interface PlanLike {
  updates: PayloadDocumentPair[];
  force: boolean;
  forceReasons: PathReason[];
  refused: PathReason[];
}

export type PayloadOperation = 'update' | 'remove';

export interface PayloadAttribute {
  /** JSON pointer of the attribute (or of a removed series / instance) in the metadata document. */
  pointer: string;
  operation: PayloadOperation;
}

/**
 * Every attribute a payload document touches: the keys of each `DICOM` / `DICOMVRs` object, and
 * series or instances given as empty objects (whole-entity removals). `SchemaVersion` is the
 * payload's own header, not a change.
 */
export function listPayloadAttributes(payload: object | undefined, operation: PayloadOperation): PayloadAttribute[] {
  const found: PayloadAttribute[] = [];
  const walk = (node: JsonObject, pointer: string, parentKey: string | undefined) => {
    for (const [key, value] of Object.entries(node)) {
      if (pointer === '' && key === 'SchemaVersion') {
        continue;
      }
      const child = pointer + toPointer([key]);
      if (key === 'DICOM' || key === 'DICOMVRs') {
        if (isObject(value)) {
          for (const attribute of Object.keys(value)) {
            found.push({ pointer: child + toPointer([attribute]), operation });
          }
        } else {
          found.push({ pointer: child, operation });
        }
      } else if (isObject(value) && Object.keys(value).length === 0 && (parentKey === 'Series' || parentKey === 'Instances')) {
        found.push({ pointer: child, operation });
      } else if (isObject(value)) {
        walk(value, child, key);
      } else {
        found.push({ pointer: child, operation });
      }
    }
  };
  if (isObject(payload)) {
    walk(payload, '', undefined);
  }
  return found;
}

/** All attributes of all requests of a plan, in request order, without repeats. */
export function listPlanAttributes(plan: Pick<PlanLike, 'updates'>): PayloadAttribute[] {
  const seen = new Set<string>();
  const all: PayloadAttribute[] = [];
  for (const update of plan.updates) {
    for (const attribute of [
      ...listPayloadAttributes(update.updatableAttributes, 'update'),
      ...listPayloadAttributes(update.removableAttributes, 'remove'),
    ]) {
      const key = `${attribute.operation} ${attribute.pointer}`;
      if (!seen.has(key)) {
        seen.add(key);
        all.push(attribute);
      }
    }
  }
  return all;
}

/** True when `a` and `b` are the same pointer or one lies inside the other. */
export function pointersOverlap(a: string, b: string): boolean {
  return a === b || a.startsWith(`${b}/`) || b.startsWith(`${a}/`);
}

/** UTF-8 size of a payload document as the adapter sends it (compact JSON). */
export function payloadBytes(payload: object | undefined): number {
  return payload === undefined ? 0 : Buffer.byteLength(JSON.stringify(payload), 'utf8');
}

/** A save whose Study-level part goes to the whole study (includeStudyImageSets). */
export interface StudyWidePreview {
  /** The other primary image sets of the study. */
  otherImageSets: number;
  /** healthImaging.studyWideUpdates: `ask` (Save asks first) or `always`. */
  setting: 'ask' | 'always';
  /** The requests with the Study-level part (sent first, with includeStudyImageSets), then the rest. */
  study: PayloadDocumentPair[];
  rest: PayloadDocumentPair[];
  /** JSON pointers of the Study-level attributes. */
  attributes: string[];
}

export interface PreviewInput {
  datastoreId: string;
  imageSetId: string;
  baseVersionId: string;
  isPrimary?: boolean;
  maxAttributeBytes: number;
  plan: PlanLike;
  studyWide?: StudyWidePreview;
  /** The readable location of a pointer, shown next to each `path`. */
  locate?: (pointer: string) => string;
}

/** One line that says what Save would do with this plan. */
export function describePlan(plan: PlanLike): string {
  if (plan.refused.length > 0) {
    const n = plan.refused.length;
    return `Save sends nothing: HealthImaging would refuse ${plural(n, 'change')} (see "refused").`;
  }
  if (plan.updates.length === 0) {
    return 'No changes: Save sends nothing.';
  }
  const requests = plan.updates.length === 1 ? '1 request' : `${plan.updates.length} requests, in order`;
  return plan.force
    ? `Save sends ${requests} with force (after asking; see "needsForce").`
    : `Save sends ${requests}.`;
}

/**
 * The "Preview Update" document: the exact requests Save would send (blobs shown as the JSON that
 * is base64-encoded on the wire), grouped into ready / needs force / refused.
 */
export function buildUpdatePreview(input: PreviewInput): object {
  const { plan } = input;
  const flagged = [...plan.forceReasons.map((r) => r.path), ...plan.refused.map((r) => r.path)];
  const at = (path: string) => (input.locate ? { path, location: input.locate(path) } : { path });
  const ready = listPlanAttributes(plan)
    .filter((a) => !flagged.some((p) => pointersOverlap(p, a.pointer)))
    .map((a) => ({ ...at(a.pointer), operation: a.operation }));
  const base = Number(input.baseVersionId);
  const studyWide = input.studyWide;
  const sent = studyWide ? [...studyWide.study, ...studyWide.rest] : plan.updates;
  const requests = sent.map((update, index) => {
    const dicomUpdates: JsonObject = {};
    if (update.updatableAttributes !== undefined) {
      dicomUpdates.updatableAttributes = update.updatableAttributes;
    }
    if (update.removableAttributes !== undefined) {
      dicomUpdates.removableAttributes = update.removableAttributes;
    }
    return {
      request: index + 1,
      latestVersionId: Number.isInteger(base) ? String(base + index) : input.baseVersionId,
      force: plan.force,
      ...(studyWide ? { includeStudyImageSets: index < studyWide.study.length } : {}),
      sizeBytes: {
        updatableAttributes: payloadBytes(update.updatableAttributes),
        removableAttributes: payloadBytes(update.removableAttributes),
      },
      updateImageSetMetadataUpdates: { DICOMUpdates: dicomUpdates },
    };
  });
  const reach = studyWide ? studyWide.otherImageSets + 1 : 0;
  return {
    summary: studyWide
      ? `${describePlan({ ...plan, updates: sent })} The Study-level change reaches ${primaryImageSetsPhrase(reach)} of the study (includeStudyImageSets)` +
        `${studyWide.setting === 'ask' ? ', after asking' : ''}.`
      : describePlan(plan),
    datastoreId: input.datastoreId,
    imageSetId: input.imageSetId,
    basedOnVersionId: input.baseVersionId,
    isPrimary: input.isPrimary ?? false,
    force: plan.force,
    maxAttributeBytes: input.maxAttributeBytes,
    ready,
    needsForce: plan.forceReasons.map((r) => ({ ...at(r.path), reason: r.reason })),
    refused: plan.refused.map((r) => ({ ...at(r.path), reason: r.reason })),
    ...(studyWide ? {
      studyWide: {
        otherPrimaryImageSets: studyWide.otherImageSets,
        setting: studyWide.setting,
        attributes: studyWide.attributes,
        note: `The ${studyWide.study.length === 1 ? 'request' : 'requests'} with includeStudyImageSets give every primary image set of the study a new version; ` +
          (studyWide.setting === 'ask' ? 'Save asks first, and "Only This Image Set" sends the same changes without it. ' : '') +
          'The other changes go to this image set alone.',
      },
    } : {}),
    requests,
    note: 'updatableAttributes and removableAttributes travel as base64 of the compact JSON shown here; each request is sent against the version the previous one produced.',
  };
}

export interface Overlap {
  pointer: string;
  operation: PayloadOperation;
  /** The value in the version the edit was based on, in the newer version, and in the edit. */
  base: unknown;
  theirs: unknown;
  mine: unknown;
}

/**
 * The attributes the plan (computed from base and edit) touches that the newer version changed
 * too, to a value other than the edit's. Same value on both sides is not a conflict.
 */
export function findOverlaps(baseDocument: unknown, latestDocument: unknown, editedDocument: unknown, plan: Pick<PlanLike, 'updates'>): Overlap[] {
  const overlaps: Overlap[] = [];
  for (const attribute of listPlanAttributes(plan)) {
    const base = valueAtPointer(baseDocument, attribute.pointer);
    const theirs = valueAtPointer(latestDocument, attribute.pointer);
    const mine = attribute.operation === 'update' ? valueAtPointer(editedDocument, attribute.pointer) : undefined;
    if (!sameJson(base, theirs) && !sameJson(theirs, mine)) {
      overlaps.push({ pointer: attribute.pointer, operation: attribute.operation, base, theirs, mine });
    }
  }
  return overlaps;
}

/**
 * A plan made from (base, edit) and applied on top of a newer version: removals name the value
 * the newer version holds (the service removes an attribute only when key and value match), and
 * removals of what the newer version no longer has are dropped. Requests left empty are dropped.
 */
export function rebaseUpdates(updates: readonly PayloadDocumentPair[], latestDocument: unknown): PayloadDocumentPair[] {
  const result: PayloadDocumentPair[] = [];
  for (const update of updates) {
    const next: PayloadDocumentPair = {};
    if (update.updatableAttributes !== undefined) {
      next.updatableAttributes = update.updatableAttributes;
    }
    if (update.removableAttributes !== undefined) {
      const removable = structuredClone(update.removableAttributes) as JsonObject;
      for (const attribute of listPayloadAttributes(removable, 'remove')) {
        const tokens = fromPointer(attribute.pointer) ?? [];
        const parent = valueAtPointer(removable, toPointer(tokens.slice(0, -1))) as JsonObject;
        const key = tokens[tokens.length - 1];
        const theirs = valueAtPointer(latestDocument, attribute.pointer);
        if (theirs === undefined) {
          delete parent[key];
        } else if (!(isObject(parent[key]) && Object.keys(parent[key] as JsonObject).length === 0 && isObject(theirs))) {
          setOwn(parent, key, structuredClone(theirs));
        }
      }
      pruneEmpty(removable);
      if (listPayloadAttributes(removable, 'remove').length > 0) {
        next.removableAttributes = removable;
      }
    }
    if (next.updatableAttributes !== undefined || next.removableAttributes !== undefined) {
      result.push(next);
    }
  }
  return result;
}

/** Removes containers that lost all their attributes (keeps empty series/instances: they are removals). */
function pruneEmpty(node: JsonObject, parentKey?: string): void {
  for (const [key, value] of Object.entries(node)) {
    if (!isObject(value)) {
      continue;
    }
    const wasEmpty = Object.keys(value).length === 0;
    pruneEmpty(value, key);
    const isEntityRemoval = wasEmpty && (parentKey === 'Series' || parentKey === 'Instances');
    if (Object.keys(value).length === 0 && !isEntityRemoval) {
      delete node[key];
    }
  }
}

/** A short, single-line rendering of a value for a dialog (never for logs: values may be PHI). */
export function shortValue(value: unknown, max = 60): string {
  if (value === undefined) {
    return '(absent)';
  }
  const text = JSON.stringify(value);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
