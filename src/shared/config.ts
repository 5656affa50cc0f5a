// The one typed accessor for the extension's settings. Read at use time (never cached), so a
// change in the Settings editor applies to the next request; features that must react at once
// listen with `affectsConfiguration` through `onDidChange`.
import * as vscode from 'vscode';
import { SETTINGS_SECTION, Settings } from '../constants';
import type { LayoutSetting } from '../core/metadataText';
import { DEFAULT_SPLIT_ATTRIBUTE_BYTES, SERVICE_MAX_ATTRIBUTE_BYTES } from '../core/updateRules';

export const DEFAULT_PAGE_SIZE = 50;

/** `healthImaging.studyWideUpdates`: what a save does with a Study-level change of a primary image set. */
export type StudyWideUpdates = 'ask' | 'always' | 'never';

export interface ConnectionSettings {
  /** Named profile of the shared AWS config/credentials files; undefined = the default chain. */
  profile?: string;
  /** Region; undefined = the profile's region, then AWS_REGION / AWS_DEFAULT_REGION. */
  region?: string;
  /** Endpoint URL of a HealthImaging-compatible service (the local emulator); undefined = AWS. */
  endpoint?: string;
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

function clampInt(value: unknown, min: number, max: number, fallback: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    return fallback;
  }
  return Math.min(max, Math.max(min, Math.floor(value)));
}

export class Config {
  private get section(): vscode.WorkspaceConfiguration {
    return vscode.workspace.getConfiguration(SETTINGS_SECTION);
  }

  get profile(): string | undefined {
    return nonEmpty(this.section.get<string>(Settings.profile));
  }

  get region(): string | undefined {
    return nonEmpty(this.section.get<string>(Settings.region));
  }

  /** Machine-scoped: only user (or remote machine) settings can set it, never a workspace. */
  get endpoint(): string | undefined {
    return nonEmpty(this.section.get<string>(Settings.endpoint));
  }

  get connection(): ConnectionSettings {
    return { profile: this.profile, region: this.region, endpoint: this.endpoint };
  }

  /** Items per request when listing (the service allows 1..50). */
  get pageSize(): number {
    return clampInt(this.section.get<number>(Settings.pageSize), 1, 50, DEFAULT_PAGE_SIZE);
  }

  /** Upper bound for one `updatableAttributes` / `removableAttributes` document, in bytes. */
  get maxAttributeBytes(): number {
    return clampInt(this.section.get<number>(Settings.maxAttributeBytes), 1, SERVICE_MAX_ATTRIBUTE_BYTES, DEFAULT_SPLIT_ATTRIBUTE_BYTES);
  }

  get confirmForceUpdate(): boolean {
    return this.section.get<boolean>(Settings.confirmForceUpdate) !== false;
  }

  get studyWideUpdates(): StudyWideUpdates {
    const value = this.section.get<string>(Settings.studyWideUpdates);
    return value === 'always' || value === 'never' ? value : 'ask';
  }

  /** How metadata documents are written: `auto` (compact for large image sets), `expanded` or `compact`. */
  get documentLayout(): LayoutSetting {
    const value = this.section.get<string>(Settings.documentLayout);
    return value === 'expanded' || value === 'compact' ? value : 'auto';
  }

  /** Writes a setting to the user (global) settings. */
  async update(key: (typeof Settings)[keyof typeof Settings], value: unknown): Promise<void> {
    await this.section.update(key, value, vscode.ConfigurationTarget.Global);
  }

  /** Fires when any of the given settings (keys below `healthImaging`) change. */
  onDidChange(keys: readonly string[], listener: () => void): vscode.Disposable {
    return vscode.workspace.onDidChangeConfiguration((e) => {
      if (keys.some((k) => e.affectsConfiguration(`${SETTINGS_SECTION}.${k}`))) {
        listener();
      }
    });
  }
}
