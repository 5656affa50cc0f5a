// The HealthImaging explorer: data stores -> image sets (paged, filterable) -> versions.
// Loading, empty and error states are nodes ("Load more…", a placeholder, an error node that
// retries); progress shows in the view. Commands on the tree are registered here.
import * as vscode from 'vscode';
import {
  listAllDatastores, listAllImageSetVersions, type DatastoreSummary, type ImageSetSummary, type ImageSetVersion, type SearchCriteria,
} from '../aws/healthImagingClient';
import { HealthImagingError } from '../aws/errors';
import { Commands, ContextKeys, Settings, Views } from '../constants';
import { studyInstanceUidOf } from '../core/hierarchy';
import { metadataUri } from '../documents/metadataUri';
import { CancellationError, registerCommand } from '../shared/commands';
import type { Config } from '../shared/config';
import type { Connection } from '../shared/connection';
import { errorText } from '../shared/format';
import { Disposable } from '../shared/lifecycle';
import { describeError, type Logger } from '../shared/logger';
import type { Prompts } from '../shared/prompts';
import { FILTER_KINDS, parseFilter, validateFilterInput, type ParsedFilter } from './imageSetFilter';
import {
  DatastoreNode, ErrorNode, ImageSetNode, LoadMoreNode, PlaceholderNode, VersionNode, imageSetLabel, type ExplorerNode,
} from './nodes';

interface ImageSetListing {
  items: ImageSetSummary[];
  nextToken?: string;
  error?: HealthImagingError | Error;
  loaded: boolean;
  /** The page being fetched (concurrent requests for the same children wait for it). */
  loading?: Promise<void>;
}

interface VersionListing {
  items?: ImageSetVersion[];
  error?: HealthImagingError | Error;
  loading?: Promise<void>;
}

export class ExplorerTreeDataProvider extends Disposable implements vscode.TreeDataProvider<ExplorerNode> {
  private readonly _onDidChangeTreeData = this._register(new vscode.EventEmitter<ExplorerNode | undefined>());
  readonly onDidChangeTreeData = this._onDidChangeTreeData.event;

  private datastores: { items: DatastoreSummary[]; error?: unknown } | undefined;
  private datastoresLoading: Promise<void> | undefined;
  /** Bumped by refresh(): answers of requests started before it are dropped. */
  private generation = 0;
  private readonly imageSets = new Map<string, ImageSetListing>();
  private readonly versions = new Map<string, VersionListing>();
  private readonly filters = new Map<string, ParsedFilter>();
  private readonly datastoreNodes = new Map<string, DatastoreNode>();
  private readonly imageSetNodes = new Map<string, ImageSetNode>();

  constructor(private readonly connection: Connection, private readonly config: Config, private readonly log: Logger) {
    super();
    this._register(connection.onDidChange(() => this.refresh()));
  }

  getTreeItem(node: ExplorerNode): vscode.TreeItem {
    return node.toTreeItem();
  }

  getParent(node: ExplorerNode): ExplorerNode | undefined {
    switch (node.kind) {
      case 'datastore':
        return undefined;
      case 'imageSet':
        return this.datastoreNodes.get(node.datastoreId);
      case 'version':
        return this.imageSetNodes.get(`${node.datastoreId}/${node.imageSetId}`);
      default:
        return node.parent;
    }
  }

  async getChildren(node?: ExplorerNode): Promise<ExplorerNode[]> {
    if (!node) {
      return this.rootChildren();
    }
    if (node.kind === 'datastore') {
      return this.datastoreChildren(node);
    }
    if (node.kind === 'imageSet') {
      return this.imageSetChildren(node);
    }
    return [];
  }

  /** Forgets everything (or one node's children) and reloads. */
  refresh(node?: ExplorerNode): void {
    if (!node) {
      this.generation++;
      this.datastores = undefined;
      this.datastoresLoading = undefined;
      this.imageSets.clear();
      this.versions.clear();
      this._onDidChangeTreeData.fire(undefined);
      return;
    }
    if (node.kind === 'datastore') {
      this.imageSets.delete(node.datastore.datastoreId);
      for (const key of [...this.versions.keys()]) {
        if (key.startsWith(`${node.datastore.datastoreId}/`)) {
          this.versions.delete(key);
        }
      }
    } else if (node.kind === 'imageSet') {
      this.versions.delete(`${node.datastoreId}/${node.imageSetId}`);
    }
    this._onDidChangeTreeData.fire(node);
  }

  /**
   * Reloads one image set after it changed (a save, a revert): its versions, and its summary
   * (version, label). Resolves when the summary is reloaded.
   */
  refreshImageSet(datastoreId: string, imageSetId: string): Promise<void> {
    const key = `${datastoreId}/${imageSetId}`;
    this.versions.delete(key);
    if (this.imageSets.get(datastoreId)?.loaded) {
      this._onDidChangeTreeData.fire(this.datastoreNodes.get(datastoreId));
      return this.reloadSummary(datastoreId, imageSetId);
    }
    this._onDidChangeTreeData.fire(undefined);
    return Promise.resolve();
  }

  /** Lists a data store's image sets again (after one was created or deleted). */
  refreshDatastore(datastoreId: string): void {
    const node = this.datastoreNodes.get(datastoreId);
    if (node) {
      this.refresh(node);
    } else {
      this.refresh();
    }
  }

  getFilter(datastoreId: string): ParsedFilter | undefined {
    return this.filters.get(datastoreId);
  }

  setFilter(datastoreId: string, filter: ParsedFilter | undefined): void {
    if (filter) {
      this.filters.set(datastoreId, filter);
    } else {
      this.filters.delete(datastoreId);
    }
    this.imageSets.delete(datastoreId);
    this.datastoreNodes.delete(datastoreId);
    this._onDidChangeTreeData.fire(undefined);
  }

  get activeFilters(): { datastore: DatastoreSummary | undefined; datastoreId: string; filter: ParsedFilter }[] {
    return [...this.filters.entries()].map(([datastoreId, filter]) => ({
      datastoreId, filter, datastore: this.datastores?.items.find((d) => d.datastoreId === datastoreId),
    }));
  }

  /** The data stores as last listed (loads them if needed). */
  async listDatastores(): Promise<DatastoreSummary[]> {
    if (!this.datastores || this.datastores.error) {
      await this.rootChildren();
    }
    if (this.datastores?.error) {
      throw this.datastores.error;
    }
    return this.datastores?.items ?? [];
  }

  async loadMore(node: LoadMoreNode): Promise<void> {
    if (node.parent.kind !== 'datastore') {
      return;
    }
    const datastoreId = node.parent.datastore.datastoreId;
    const listing = this.imageSets.get(datastoreId);
    if (!listing?.nextToken || listing.items.length > node.loaded) {
      return; // nothing more, or this page was loaded already (a double click)
    }
    listing.loading = this.fetchImageSetPage(datastoreId, listing);
    await listing.loading;
    this._onDidChangeTreeData.fire(this.datastoreNodes.get(datastoreId) ?? undefined);
  }

  /** Retries what failed: the whole tree, a data store's listing (from the failed page on), or versions. */
  async retry(node: ErrorNode): Promise<void> {
    const parent = node.parent;
    if (!parent) {
      this.refresh();
      return;
    }
    if (parent.kind === 'datastore') {
      const datastoreId = parent.datastore.datastoreId;
      const listing = this.imageSets.get(datastoreId);
      const current = this.datastoreNodes.get(datastoreId) ?? parent;
      if (listing?.error && listing.items.length && listing.nextToken) {
        // a later page failed: fetch it again, keeping what is shown
        listing.error = undefined;
        listing.loading = this.fetchImageSetPage(datastoreId, listing);
        await listing.loading;
        this._onDidChangeTreeData.fire(current);
        return;
      }
      this.refresh(current);
      return;
    }
    this.refresh(parent);
  }

  private withViewProgress<T>(task: () => Promise<T>): Promise<T> {
    return Promise.resolve(vscode.window.withProgress({ location: { viewId: Views.explorer } }, task));
  }

  private async rootChildren(): Promise<ExplorerNode[]> {
    for (let attempt = 0; !this.datastores && attempt < 3; attempt++) {
      const loading = this.datastoresLoading ?? this.loadDatastores();
      this.datastoresLoading = loading;
      await loading;
      if (this.datastoresLoading === loading) {
        this.datastoresLoading = undefined;
      }
    }
    const { items, error } = this.datastores ?? { items: [] };
    return this.renderRoot(items, error);
  }

  private async loadDatastores(): Promise<void> {
    const started = Date.now();
    const generation = this.generation;
    try {
      const items = await this.withViewProgress(() => listAllDatastores(this.connection.getClient()));
      if (generation !== this.generation) {
        return; // refreshed meanwhile: the next request loads again
      }
      this.datastores = { items };
      this.connection.setState('ready');
      this.log.info(`listed ${items.length} data store(s) in ${Date.now() - started} ms`);
    } catch (error) {
      if (generation !== this.generation) {
        return;
      }
      this.datastores = { items: [], error };
      this.log.warn(`ListDatastores failed: ${describeError(error)}`);
      if (error instanceof HealthImagingError && (error.code === 'NoRegion' || error.code === 'NoCredentials')) {
        this.connection.setState(error.code === 'NoRegion' ? 'noRegion' : 'noCredentials');
      } else {
        this.connection.setState('unknown');
      }
    }
  }

  private renderRoot(items: DatastoreSummary[], error: unknown): ExplorerNode[] {
    if (error) {
      if (error instanceof HealthImagingError && (error.code === 'NoRegion' || error.code === 'NoCredentials')) {
        return []; // the welcome view explains what to set up
      }
      return [new ErrorNode(undefined, errorText(error), error instanceof HealthImagingError ? error.code : undefined)];
    }
    if (!items.length) {
      return [new PlaceholderNode(undefined, 'No data stores in this account and region')];
    }
    const nodes = [...items]
      .sort((a, b) => a.datastoreName.localeCompare(b.datastoreName))
      .map((d) => new DatastoreNode(d, this.filters.get(d.datastoreId)?.description));
    this.datastoreNodes.clear();
    for (const n of nodes) {
      this.datastoreNodes.set(n.datastore.datastoreId, n);
    }
    return nodes;
  }

  private criteria(datastoreId: string): SearchCriteria {
    return this.filters.get(datastoreId)?.criteria ?? {};
  }

  private async fetchImageSetPage(datastoreId: string, listing: ImageSetListing): Promise<void> {
    await listing.loading; // one page at a time
    const started = Date.now();
    try {
      const page = await this.withViewProgress(() =>
        this.connection.getClient().searchImageSets(datastoreId, this.criteria(datastoreId), listing.nextToken, this.config.pageSize));
      const seen = new Set(listing.items.map((i) => i.imageSetId));
      listing.items.push(...page.items.filter((i) => !seen.has(i.imageSetId)));
      listing.nextToken = page.nextToken;
      listing.error = undefined;
      listing.loaded = true;
      this.log.info(`SearchImageSets ${datastoreId}${this.filters.has(datastoreId) ? ' (filtered)' : ''}: ${page.items.length} more, ${listing.items.length} shown${page.nextToken ? ', more available' : ''} in ${Date.now() - started} ms`);
    } catch (error) {
      listing.error = error as Error;
      this.log.warn(`SearchImageSets ${datastoreId} failed: ${describeError(error)}`);
    }
  }

  private async datastoreChildren(node: DatastoreNode): Promise<ExplorerNode[]> {
    const datastoreId = node.datastore.datastoreId;
    this.datastoreNodes.set(datastoreId, node);
    let listing = this.imageSets.get(datastoreId);
    if (!listing) {
      listing = { items: [], loaded: false };
      this.imageSets.set(datastoreId, listing);
      listing.loading = this.fetchImageSetPage(datastoreId, listing);
    }
    await listing.loading;
    const children: ExplorerNode[] = listing.items.map((s) => {
      const key = `${datastoreId}/${s.imageSetId}`;
      const versions = this.versions.get(key)?.items;
      const latest = versions?.[0];
      const imageSetNode = new ImageSetNode(datastoreId, s, node.datastore.datastoreArn, latest);
      this.imageSetNodes.set(key, imageSetNode);
      return imageSetNode;
    });
    if (listing.error) {
      children.push(new ErrorNode(node, errorText(listing.error), listing.error instanceof HealthImagingError ? listing.error.code : undefined));
    } else if (listing.nextToken) {
      children.push(new LoadMoreNode(node, listing.items.length));
    } else if (!listing.items.length) {
      children.push(new PlaceholderNode(node, this.filters.has(datastoreId) ? 'No image sets match the filter' : 'No image sets in this data store'));
    }
    return children;
  }

  private async imageSetChildren(node: ImageSetNode): Promise<ExplorerNode[]> {
    const key = `${node.datastoreId}/${node.imageSetId}`;
    let listing = this.versions.get(key);
    if (!listing) {
      const created: VersionListing = {};
      listing = created;
      this.versions.set(key, created);
      created.loading = (async () => {
        try {
          created.items = await this.withViewProgress(() => listAllImageSetVersions(this.connection.getClient(), node.datastoreId, node.imageSetId));
        } catch (error) {
          created.error = error as Error;
          this.log.warn(`ListImageSetVersions ${key} failed: ${describeError(error)}`);
        }
        const latest = created.items?.[0];
        if (latest) {
          // show the latest version's state (e.g. LOCKED · UPDATING) on the image set itself
          node.latestState = latest;
          setTimeout(() => this._onDidChangeTreeData.fire(node), 0);
        }
      })();
    }
    await listing.loading;
    if (listing.error) {
      return [new ErrorNode(node, errorText(listing.error), listing.error instanceof HealthImagingError ? listing.error.code : undefined)];
    }
    const items = listing.items ?? [];
    if (!items.length) {
      return [new PlaceholderNode(node, 'No versions')];
    }
    return items.map((v, i) => new VersionNode(node.datastoreId, v, i === 0));
  }

  /**
   * Refreshes one image set's summary (version, DICOM tags for the label) after it changed:
   * GetImageSet for the version and time, then SearchImageSets around that update time to
   * find the new summary, so the label shows, for example, a corrected patient name.
   */
  private async reloadSummary(datastoreId: string, imageSetId: string): Promise<void> {
    const listing = this.imageSets.get(datastoreId);
    if (!listing) {
      return;
    }
    try {
      const client = this.connection.getClient();
      const props = await client.getImageSet(datastoreId, imageSetId);
      let summary: ImageSetSummary | undefined;
      if (props.updatedAt) {
        const at = props.updatedAt.getTime();
        const page = await client.searchImageSets(datastoreId, {
          filters: [{ operator: 'BETWEEN', values: [{ updatedAt: new Date(at - 1000) }, { updatedAt: new Date(at + 1000) }] }],
        }, undefined, 50);
        summary = page.items.find((s) => s.imageSetId === imageSetId);
      }
      const index = listing.items.findIndex((s) => s.imageSetId === imageSetId);
      if (index >= 0) {
        listing.items[index] = summary ?? { ...listing.items[index], version: Number(props.versionId), updatedAt: props.updatedAt };
        this._onDidChangeTreeData.fire(this.datastoreNodes.get(datastoreId));
      }
    } catch (error) {
      this.log.debug(`refreshing ${datastoreId}/${imageSetId} after a change failed: ${describeError(error)}`);
    }
  }
}

/** The explorer feature: the tree view, its message, and the commands on its items. */
export class Explorer extends Disposable {
  readonly provider: ExplorerTreeDataProvider;
  readonly view: vscode.TreeView<ExplorerNode>;

  constructor(private readonly connection: Connection, config: Config, private readonly prompts: Prompts, private readonly log: Logger) {
    super();
    this.provider = this._register(new ExplorerTreeDataProvider(connection, config, log));
    this.view = this._register(vscode.window.createTreeView(Views.explorer, {
      treeDataProvider: this.provider,
      showCollapseAll: true,
    }));
    const sink = { log, prompts };
    this._register(registerCommand(Commands.refresh, (node?: ExplorerNode) => this.provider.refresh(node), sink));
    this._register(registerCommand(Commands.retry, (node: ErrorNode) => this.provider.retry(node), sink));
    this._register(registerCommand(Commands.loadMore, (node: LoadMoreNode) => this.provider.loadMore(node), sink));
    this._register(registerCommand(Commands.filterImageSets, (node?: DatastoreNode) => this.filter(node), sink));
    this._register(registerCommand(Commands.clearFilter, (node?: DatastoreNode) => this.clearFilter(node), sink));
    this._register(registerCommand(Commands.openImageSet, (node?: ImageSetNode | vscode.Uri) => this.open(node), sink));
    this._register(registerCommand(Commands.openImageSetVersion, (node: VersionNode) => this.openVersion(node), sink));
    this._register(registerCommand(Commands.copyId, (node: ExplorerNode) => this.copy(node, 'id'), sink));
    this._register(registerCommand(Commands.copyArn, (node: ExplorerNode) => this.copy(node, 'arn'), sink));
    this._register(registerCommand(Commands.showStudyImageSets, (node?: ImageSetNode) => this.showStudy(node), sink));
    this._register(config.onDidChange([Settings.pageSize], () => this.provider.refresh()));
    this.updateMessage();
  }

  private updateMessage(): void {
    const active = this.provider.activeFilters;
    void vscode.commands.executeCommand('setContext', ContextKeys.filterActive, active.length > 0);
    this.view.message = active.length
      ? active.map((f) => `Filtered ${f.datastore?.datastoreName ?? f.datastoreId}: ${f.filter.description}`).join('; ')
      : undefined;
  }

  private async pickDatastore(node: DatastoreNode | undefined, title: string, onlyFiltered = false): Promise<string> {
    if (node?.kind === 'datastore') {
      return node.datastore.datastoreId;
    }
    let datastores = await this.provider.listDatastores();
    if (onlyFiltered) {
      datastores = datastores.filter((d) => this.provider.getFilter(d.datastoreId));
    }
    if (datastores.length === 1) {
      return datastores[0].datastoreId;
    }
    if (!datastores.length) {
      throw new Error(onlyFiltered ? 'No data store is filtered.' : 'There is no data store in this account and region.');
    }
    const picked = await this.prompts.showQuickPick(
      datastores.map((d) => ({ label: d.datastoreName, description: d.datastoreId, datastoreId: d.datastoreId })),
      { title, placeHolder: 'Data store' });
    if (!picked) {
      throw new CancellationError();
    }
    return picked.datastoreId;
  }

  /** Asks for a filter and applies it; returns the applied filter (tests use the result). */
  async filter(node?: DatastoreNode): Promise<ParsedFilter> {
    const datastoreId = await this.pickDatastore(node, 'HealthImaging: Filter Image Sets');
    const current = this.provider.getFilter(datastoreId);
    const kind = await this.prompts.showQuickPick(
      FILTER_KINDS.map((k) => ({ label: k.label, detail: k.prompt, filterKind: k.kind })),
      { title: 'HealthImaging: Filter Image Sets', placeHolder: current ? `Currently: ${current.description}` : 'Filter image sets by' });
    if (!kind) {
      throw new CancellationError();
    }
    const info = FILTER_KINDS.find((k) => k.kind === kind.filterKind)!;
    const value = await this.prompts.showInputBox({
      title: `HealthImaging: Filter by ${info.label}`,
      prompt: info.prompt,
      placeHolder: info.placeholder,
      validateInput: (v) => validateFilterInput(kind.filterKind, v),
    });
    if (value === undefined) {
      throw new CancellationError();
    }
    const parsed = parseFilter(kind.filterKind, value);
    this.provider.setFilter(datastoreId, parsed);
    this.log.info(`filter on ${datastoreId}: ${info.label}`); // the value may be patient data: not logged
    this.updateMessage();
    return parsed;
  }

  /** "Show Image Sets of This Study": filters the image set's data store by its Study Instance UID. */
  async showStudy(node?: ImageSetNode): Promise<ParsedFilter> {
    if (node?.kind !== 'imageSet') {
      throw new Error('Choose an image set in the HealthImaging explorer to show the image sets of its study.');
    }
    let uid = node.summary.dicomTags?.studyInstanceUID;
    if (!uid) {
      uid = studyInstanceUidOf(JSON.parse(await this.connection.getClient().getImageSetMetadata(node.datastoreId, node.imageSetId)));
    }
    if (!uid) {
      throw new Error(`Image set ${node.imageSetId} has no Study Instance UID, so its study cannot be shown.`);
    }
    const parsed = parseFilter('studyInstanceUid', uid);
    this.provider.setFilter(node.datastoreId, parsed);
    this.log.info(`filter on ${node.datastoreId}: the study of image set ${node.imageSetId}`);
    this.updateMessage();
    return parsed;
  }

  async clearFilter(node?: DatastoreNode): Promise<void> {
    if (node?.kind === 'datastore') {
      this.provider.setFilter(node.datastore.datastoreId, undefined);
    } else {
      for (const f of this.provider.activeFilters) {
        this.provider.setFilter(f.datastoreId, undefined);
      }
    }
    this.log.info('filter cleared');
    this.updateMessage();
  }

  /** Opens an image set's metadata: the given one, or one picked from a data store (palette). */
  async open(node?: ImageSetNode | vscode.Uri): Promise<vscode.TextEditor> {
    const uri = node instanceof vscode.Uri ? node
      : node?.kind === 'imageSet' ? metadataUri(node.datastoreId, node.imageSetId)
        : await this.pickImageSet();
    return vscode.window.showTextDocument(uri, { preview: false });
  }

  private async pickImageSet(): Promise<vscode.Uri> {
    const title = 'HealthImaging: Open Image Set';
    const datastoreId = await this.pickDatastore(undefined, title);
    const filter = this.provider.getFilter(datastoreId);
    type Item = vscode.QuickPickItem & { imageSetId?: string };
    const items = (async (): Promise<Item[]> => {
      const page = await this.connection.getClient().searchImageSets(datastoreId, filter?.criteria ?? {}, undefined, 50);
      return [
        { label: '$(edit) Enter an image set id…' },
        ...page.items.map((s) => ({
          label: imageSetLabel(s).label,
          description: s.version !== undefined ? `v${s.version}` : undefined,
          detail: s.imageSetId,
          imageSetId: s.imageSetId,
        })),
      ];
    })();
    const picked = await this.prompts.showQuickPick<Item>(items, {
      title,
      placeHolder: filter ? `Recently updated image sets (${filter.description})` : 'Recently updated image sets; type to narrow',
      matchOnDescription: true,
      matchOnDetail: true,
    });
    if (!picked) {
      throw new CancellationError();
    }
    let imageSetId = picked.imageSetId;
    if (!imageSetId) {
      const typed = await this.prompts.showInputBox({
        title,
        prompt: 'Image set id (32 characters, 0-9 and a-z)',
        validateInput: (v) => (/^[0-9a-z]{32}$/.test(v.trim()) ? undefined : `"${v.trim()}" is not an image set id: expected 32 characters of 0-9 and a-z.`),
      });
      if (typed === undefined) {
        throw new CancellationError();
      }
      imageSetId = typed.trim();
    }
    return metadataUri(datastoreId, imageSetId);
  }

  private async openVersion(node: VersionNode): Promise<vscode.TextEditor> {
    return vscode.window.showTextDocument(metadataUri(node.datastoreId, node.imageSetId, node.versionId), { preview: true });
  }

  private async copy(node: ExplorerNode, what: 'id' | 'arn'): Promise<string> {
    let text: string | undefined;
    if (node.kind === 'datastore') {
      text = what === 'id' ? node.datastore.datastoreId : node.datastore.datastoreArn;
    } else if (node.kind === 'imageSet') {
      text = what === 'id' ? node.imageSetId : node.arn;
    } else if (node.kind === 'version') {
      text = what === 'id' ? node.imageSetId : this.provider.getParent(node)?.kind === 'imageSet' ? (this.provider.getParent(node) as ImageSetNode).arn : undefined;
    }
    if (!text) {
      throw new Error(`This item has no ${what === 'id' ? 'id' : 'ARN'} to copy.`);
    }
    await vscode.env.clipboard.writeText(text);
    vscode.window.setStatusBarMessage(`Copied ${what === 'id' ? 'id' : 'ARN'}`, 2000);
    return text;
  }
}
