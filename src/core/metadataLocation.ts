// Readable locations: what a person reads instead of a JSON pointer built from 60-character UIDs.
//   /Study/Series/<uid>/Instances/<uid>/DICOM/SOPInstanceUID
//   -> Series 3 "Axial 0.5mm" (CT) › Instance 17 › SOPInstanceUID
// Labels come from SeriesNumber, SeriesDescription, Modality and InstanceNumber, with short UIDs
// where those are missing (or where two instances of a series share a number). They show metadata
// values, so they are for the person at the screen: logs keep JSON pointers.

import type { MetadataLevel } from './dicomDictionary';
import { fromPointer, isObject, toPointer, type JsonObject } from './json';

/** "2.25.900000000000000000000000000000001.1056" -> "2.25.9000…1.1056". */
export function shortUid(uid: string): string {
  if (uid.length <= 20) return uid;
  const lastDot = uid.lastIndexOf('.');
  const tail = lastDot > 0 && uid.length - lastDot <= 8 ? uid.slice(lastDot - 1) : uid.slice(-6);
  return `${uid.slice(0, 9)}…${tail}`;
}

/** A value as label text: trimmed strings and numbers; nothing for empty or structured values. */
function labelText(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (Array.isArray(value) && value.length > 0) return labelText(value[0]);
  if (typeof value !== 'string') return undefined;
  const t = value.trim();
  return t === '' ? undefined : t;
}

/** `Series 3 "Axial 0.5mm" (CT)`, from the series' DICOM attributes (any may be missing). */
export function seriesLabel(uid: string, dicom: (keyword: string) => unknown): string {
  const number = labelText(dicom('SeriesNumber'));
  const description = labelText(dicom('SeriesDescription'));
  const modality = labelText(dicom('Modality'));
  return `Series ${number ?? shortUid(uid)}${description ? ` "${description}"` : ''}${modality ? ` (${modality})` : ''}`;
}

/** `Instance 17`, or `Instance 2.25.9000…1.1056` without an InstanceNumber (or with `withUid`). */
export function instanceLabel(uid: string, instanceNumber: unknown, withUid = false): string {
  const number = labelText(instanceNumber);
  if (number === undefined) return `Instance ${shortUid(uid)}`;
  return withUid ? `Instance ${number} (${shortUid(uid)})` : `Instance ${number}`;
}

/** Where labels are read from: the value at a path, or undefined. */
export type PathReader = (segments: readonly string[]) => unknown;

/** A reader over parsed documents: the first one that has the path answers. */
export function documentReader(...documents: unknown[]): PathReader {
  return (segments) => {
    for (const document of documents) {
      let v: unknown = document;
      for (const s of segments) {
        if (Array.isArray(v) && /^(0|[1-9]\d*)$/.test(s)) v = v[Number(s)];
        else if (isObject(v) && Object.prototype.hasOwnProperty.call(v, s)) v = v[s];
        else { v = undefined; break; }
      }
      if (v !== undefined) return v;
    }
    return undefined;
  };
}

const repeatedNumbers = new WeakMap<object, Set<string>>();

/** InstanceNumbers used by more than one instance of the same series (cached per Instances object). */
function repeatedInstanceNumbers(instances: unknown): Set<string> {
  if (!isObject(instances)) return new Set();
  let repeated = repeatedNumbers.get(instances);
  if (!repeated) {
    const seen = new Set<string>();
    repeated = new Set();
    for (const k in instances) {
      const inst = instances[k];
      const n = isObject(inst) && isObject(inst.DICOM) ? labelText(inst.DICOM.InstanceNumber) : undefined;
      if (n === undefined) continue;
      if (seen.has(n)) repeated.add(n);
      seen.add(n);
    }
    repeatedNumbers.set(instances, repeated);
  }
  return repeated;
}

/**
 * The readable form of path segments in a metadata document. `tellRepeats: false` skips looking
 * for other instances with the same InstanceNumber (which reads the whole series).
 */
export function readablePath(segments: readonly string[], read: PathReader, tellRepeats = true): string {
  if (segments.length === 0) return 'the document';
  const parts: string[] = [];
  let i = 0;
  const root = segments[0];
  if ((root === 'Patient' || root === 'Study') && segments.length === 1) return root;
  if (root === 'Patient') {
    parts.push('Patient');
    i = segments[1] === 'DICOM' ? 2 : 1;
  } else if (root === 'Study') {
    if (segments[1] === 'DICOM') {
      parts.push('Study');
      i = 2;
    } else if (segments[1] === 'Series') {
      if (segments.length === 2) return 'Study › Series';
      const seriesUid = segments[2];
      const seriesPath = ['Study', 'Series', seriesUid];
      parts.push(seriesLabel(seriesUid, (k) => read([...seriesPath, 'DICOM', k])));
      i = 3;
      if (segments[3] === 'DICOM') i = 4;
      else if (segments[3] === 'Instances') {
        if (segments.length === 4) {
          parts.push('Instances');
          i = 4;
        } else {
          const uid = segments[4];
          const number = read([...seriesPath, 'Instances', uid, 'DICOM', 'InstanceNumber']);
          const n = labelText(number);
          const repeated = tellRepeats && n !== undefined && repeatedInstanceNumbers(read([...seriesPath, 'Instances'])).has(n);
          parts.push(instanceLabel(uid, number, repeated));
          i = 5;
          if (segments[5] === 'DICOM') i = 6;
          else if (segments[5] === 'ImageFrames') {
            parts.push('ImageFrames');
            if (segments.length > 6) parts.push(`frame ${Number(segments[6]) + 1}`);
            i = 7;
          }
        }
      }
    } else {
      parts.push('Study');
      i = 1;
    }
  }
  // the rest: attribute keys, with sequence items and values counted from 1
  for (; i < segments.length; i++) {
    const s = segments[i];
    parts.push(/^(0|[1-9]\d*)$/.test(s) && i > 0 && Array.isArray(read(segments.slice(0, i))) ? `item ${Number(s) + 1}` : s);
  }
  return parts.join(' › ');
}

/**
 * The readable location of a JSON pointer into metadata documents: labels are read from the first
 * document that has the series or instance (the edited one first; the original for removed ones).
 */
export function readableLocation(pointer: string, ...documents: unknown[]): string {
  const segments = fromPointer(pointer);
  if (!segments) return pointer;
  return readablePath(segments, documentReader(...documents));
}

/** One entry of "Go to Series or Instance…". */
export interface NavigationTarget {
  kind: 'series' | 'instance';
  /** JSON pointer of the series or instance object. */
  pointer: string;
  label: string;
  description?: string;
  detail?: string;
}

/**
 * The series of a document (number, description, modality, instance count) each followed by its
 * instances (InstanceNumber, with the SOP Instance UID as detail), in document order.
 */
export function navigationTargets(document: unknown): NavigationTarget[] {
  const out: NavigationTarget[] = [];
  const study = isObject(document) && isObject(document.Study) ? document.Study : undefined;
  const seriesMap = study && isObject(study.Series) ? study.Series : {};
  for (const s in seriesMap) {
    if (!Object.prototype.hasOwnProperty.call(seriesMap, s)) continue;
    const series = isObject(seriesMap[s]) ? seriesMap[s] as JsonObject : {};
    const dicom = isObject(series.DICOM) ? series.DICOM : {};
    const instances = isObject(series.Instances) ? series.Instances : {};
    const count = Object.keys(instances).length;
    const label = seriesLabel(s, (k) => dicom[k]);
    out.push({
      kind: 'series', pointer: toPointer(['Study', 'Series', s]), label,
      description: `${count} instance${count === 1 ? '' : 's'}`, detail: s,
    });
    const repeated = repeatedInstanceNumbers(instances);
    for (const i in instances) {
      if (!Object.prototype.hasOwnProperty.call(instances, i)) continue;
      const inst = instances[i];
      const number = isObject(inst) && isObject(inst.DICOM) ? inst.DICOM.InstanceNumber : undefined;
      const n = labelText(number);
      out.push({
        kind: 'instance', pointer: toPointer(['Study', 'Series', s, 'Instances', i]),
        label: instanceLabel(i, number, n !== undefined && repeated.has(n)), description: label, detail: i,
      });
    }
  }
  return out;
}


/** What a container in a metadata document is, from its path. */
export type PathContext =
  /** A level's DICOM object (`Patient.DICOM`, ..., an instance's `DICOM`), at `dicomPath`. */
  | { kind: 'dicom'; level: MetadataLevel; dicomPath: string[]; seriesUid?: string; instanceUid?: string }
  /** Inside the value of an attribute of a level's DICOM object (sequence items, multiple values). */
  | { kind: 'nested'; level: MetadataLevel; dicomPath: string[]; attribute: string; seriesUid?: string; instanceUid?: string }
  /** An instance's `DICOMVRs`. */
  | { kind: 'vrs'; instancePath: string[]; seriesUid: string; instanceUid: string }
  | { kind: 'other' };

/** The context of the container at `path` (as TextLocation.path gives it). */
export function pathContext(path: readonly string[]): PathContext {
  let level: MetadataLevel | undefined;
  let n = 0;
  let seriesUid: string | undefined;
  let instanceUid: string | undefined;
  if (path[0] === 'Patient' && path[1] === 'DICOM') { level = 'patient'; n = 2; }
  else if (path[0] === 'Study' && path[1] === 'DICOM') { level = 'study'; n = 2; }
  else if (path[0] === 'Study' && path[1] === 'Series' && path.length >= 4) {
    seriesUid = path[2];
    if (path[3] === 'DICOM') { level = 'series'; n = 4; }
    else if (path[3] === 'Instances' && path.length >= 6) {
      instanceUid = path[4];
      if (path[5] === 'DICOM') { level = 'instance'; n = 6; }
      else if (path[5] === 'DICOMVRs' && path.length === 6) return { kind: 'vrs', instancePath: path.slice(0, 5), seriesUid, instanceUid };
    }
  }
  if (level === undefined) return { kind: 'other' };
  const dicomPath = path.slice(0, n);
  if (path.length === n) return { kind: 'dicom', level, dicomPath, seriesUid, instanceUid };
  return { kind: 'nested', level, dicomPath, attribute: path[n], seriesUid, instanceUid };
}
