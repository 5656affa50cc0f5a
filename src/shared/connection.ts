// The connection to HealthImaging: builds the adapter from the settings (profile, region,
// endpoint), re-creates it when they change, shows profile and region in the status bar and
// offers the profile and region pickers. Nothing here touches the network: the adapter
// resolves credentials and the region on its first request.
import * as vscode from 'vscode';
import type { HealthImagingClient } from '../aws/healthImagingClient';
import { SdkHealthImagingClient } from '../aws/sdkHealthImagingClient';
import { HEALTHIMAGING_REGIONS, effectiveProfile, listProfiles, resolveRegion, type ProfileKind } from '../aws/sharedConfig';
import { Commands, ContextKeys, Settings } from '../constants';
import { registerCommand, CancellationError } from './commands';
import type { Config } from './config';
import { Disposable } from './lifecycle';
import type { Logger } from './logger';
import type { Prompts } from './prompts';

const KIND_LABEL: Record<ProfileKind, string> = {
  sso: 'IAM Identity Center (SSO)',
  role: 'assumed role',
  process: 'credential process',
  'web-identity': 'web identity',
  static: 'access keys',
  config: 'config only',
};

export type ConnectionState = 'unknown' | 'ready' | 'noRegion' | 'noCredentials';

export class Connection extends Disposable {
  private client: SdkHealthImagingClient | undefined;
  private readonly _onDidChange = this._register(new vscode.EventEmitter<void>());
  /** Fires when the client was re-created (settings changed). */
  readonly onDidChange = this._onDidChange.event;
  private readonly statusBar: vscode.StatusBarItem;
  private _state: ConnectionState = 'unknown';
  /** Counts state writes and settings changes, so that a local check started earlier never overwrites a newer state. */
  private stateWrites = 0;
  private settingsGeneration = 0;
  private readonly _onDidSetState = this._register(new vscode.EventEmitter<ConnectionState>());
  /** Fires on every write of the `healthImaging.connectionState` context key (tests follow the welcome view's state with it). */
  readonly onDidSetState = this._onDidSetState.event;

  constructor(private readonly config: Config, private readonly prompts: Prompts, private readonly log: Logger) {
    super();
    this.statusBar = this._register(vscode.window.createStatusBarItem('healthImaging.connection', vscode.StatusBarAlignment.Left, 0));
    this.statusBar.name = 'HealthImaging Connection';
    this.statusBar.command = Commands.selectProfile;
    this._register(config.onDidChange([Settings.profile, Settings.region, Settings.endpoint], () => this.reset()));
    this._register(registerCommand(Commands.selectProfile, () => this.selectProfile(), { log, prompts }));
    this._register(registerCommand(Commands.selectRegion, () => this.selectRegion(), { log, prompts }));
    this._register(new vscode.Disposable(() => this.client?.dispose()));
    this.updateStatusBar();
    void this.updateContext();
  }

  /** The adapter for the current settings (created on first use). */
  getClient(): HealthImagingClient {
    if (!this.client) {
      const settings = this.config.connection;
      this.client = new SdkHealthImagingClient({ ...settings, logger: this.log.child('sdk') });
      this.log.info(
        `client for profile ${settings.profile ?? '(default chain)'}, region ${settings.region ?? '(from profile/environment)'}` +
          `${settings.endpoint ? `, endpoint ${settings.endpoint}` : ''}`);
    }
    return this.client;
  }

  /** Re-creates the client on next use and tells listeners (the tree reloads). */
  reset(): void {
    this.client?.dispose();
    this.client = undefined;
    this.updateStatusBar();
    void this.updateContext();
    this._onDidChange.fire();
  }

  /** The value last written to the `healthImaging.connectionState` context key. */
  get state(): ConnectionState {
    return this._state;
  }

  /** Records how the last request went, for the welcome view. */
  setState(state: ConnectionState): void {
    this.stateWrites++;
    this._state = state;
    void vscode.commands.executeCommand('setContext', ContextKeys.configured, state === 'ready' || state === 'unknown');
    void vscode.commands.executeCommand('setContext', ContextKeys.connectionState, state);
    this._onDidSetState.fire(state);
  }

  private async updateContext(): Promise<void> {
    // Reads only local files: is a region known at all? (credentials are checked on the first request)
    // A request that reports a state while the files are read knows better, and so do newer settings.
    const generation = ++this.settingsGeneration;
    const writes = this.stateWrites;
    let state: ConnectionState;
    try {
      const { profile, region, endpoint } = this.config.connection;
      const resolved = await resolveRegion(region, profile);
      state = resolved.region || endpoint ? 'unknown' : 'noRegion';
    } catch {
      state = 'unknown';
    }
    if (generation === this.settingsGeneration && writes === this.stateWrites) this.setState(state);
  }

  private updateStatusBar(): void {
    const { profile, region, endpoint } = this.config.connection;
    const where = endpoint ? ` (${endpoint.replace(/^https?:\/\//, '')})` : '';
    this.statusBar.text = `$(cloud) ${profile ?? 'default'}${region ? ` · ${region}` : ''}${where}`;
    const tip = new vscode.MarkdownString(undefined, true);
    tip.appendMarkdown('**HealthImaging**\n\n');
    tip.appendMarkdown(`Profile: ${profile ?? `default chain (${effectiveProfile(undefined)})`}\n\n`);
    tip.appendMarkdown(`Region: ${region ?? 'from the profile or AWS_REGION'}\n\n`);
    if (endpoint) {
      tip.appendMarkdown(`Endpoint: ${endpoint}\n\n`);
    }
    tip.appendMarkdown(`[Select Profile](command:${Commands.selectProfile}) · [Select Region](command:${Commands.selectRegion})`);
    tip.isTrusted = { enabledCommands: [Commands.selectProfile, Commands.selectRegion] };
    this.statusBar.tooltip = tip;
    this.statusBar.show();
  }

  async selectProfile(): Promise<string | undefined> {
    const current = this.config.profile;
    let profiles;
    try {
      profiles = await listProfiles();
    } catch (error) {
      throw new Error(`Could not read the AWS config files: ${(error as Error).message}`);
    }
    type Item = vscode.QuickPickItem & { profile?: string };
    const items: Item[] = [
      { label: '$(debug-restart) Default credential chain', description: current ? undefined : 'current', detail: 'Environment variables, AWS_PROFILE, the default profile, instance roles', profile: '' },
      ...profiles.map((p) => ({
        label: p.name,
        description: [KIND_LABEL[p.kind], p.region, p.name === current ? 'current' : undefined].filter(Boolean).join(' · '),
        detail: `defined in ${p.sources.join(' and ')} file`,
        profile: p.name,
      })),
    ];
    const picked = await this.prompts.showQuickPick(items, {
      title: 'HealthImaging: Select AWS Profile',
      placeHolder: profiles.length ? 'Profile from the shared AWS config and credentials files' : 'No profiles found in the AWS config files',
      matchOnDescription: true,
    });
    if (!picked || picked.profile === undefined) {
      throw new CancellationError();
    }
    await this.config.update(Settings.profile, picked.profile || undefined);
    this.log.info(`profile set to ${picked.profile || '(default chain)'}`);
    return picked.profile;
  }

  async selectRegion(): Promise<string | undefined> {
    const current = this.config.region;
    type Item = vscode.QuickPickItem & { region?: string };
    const items: Item[] = [
      { label: '$(debug-restart) From the profile or AWS_REGION', description: current ? undefined : 'current', region: '' },
      ...HEALTHIMAGING_REGIONS.map((r) => ({ label: r.id, description: [r.name, r.id === current ? 'current' : undefined].filter(Boolean).join(' · '), region: r.id })),
      { label: '$(edit) Other region…', region: '*' },
    ];
    const picked = await this.prompts.showQuickPick(items, {
      title: 'HealthImaging: Select AWS Region',
      placeHolder: 'Regions where AWS HealthImaging is available',
      matchOnDescription: true,
    });
    if (!picked || picked.region === undefined) {
      throw new CancellationError();
    }
    let region = picked.region;
    if (region === '*') {
      const typed = await this.prompts.showInputBox({
        title: 'HealthImaging: Region',
        prompt: 'AWS region code',
        value: current ?? '',
        validateInput: (v) => (/^[a-z]{2}(-[a-z]+)+-\d+$/.test(v.trim()) ? undefined : `"${v}" is not a region code such as us-east-1`),
      });
      if (typed === undefined) {
        throw new CancellationError();
      }
      region = typed.trim();
    }
    await this.config.update(Settings.region, region || undefined);
    this.log.info(`region set to ${region || '(from profile/environment)'}`);
    return region;
  }
}
