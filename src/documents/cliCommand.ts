// Builds the AWS CLI command lines that send the same UpdateImageSetMetadata requests as
// Save would. Pure: no vscode, no I/O, so it is unit-tested in plain Node.

/** One request of a save, as core computes it (JSON documents, before base64). */
export interface CliUpdate {
  updatableAttributes?: object;
  removableAttributes?: object;
}

export interface CliCommandInput {
  datastoreId: string;
  imageSetId: string;
  /** The version the first request is sent against. */
  latestVersionId: string;
  force: boolean;
  updates: readonly CliUpdate[];
  /** The first this many requests go to the whole study (`--include-study-image-sets`). */
  studyWideRequests?: number;
  region?: string;
  profile?: string;
}

const SAFE_WORD = /^[A-Za-z0-9_@%+=:,./-]+$/;

/**
 * Quotes one argument for a POSIX shell (sh, bash, zsh). Words made only of characters that no
 * shell treats specially stay bare; everything else is wrapped in single quotes, inside which a
 * shell interprets nothing, and each single quote is written as '\'' (close, escaped quote, reopen).
 */
export function quoteForPosixShell(value: string): string {
  if (value !== '' && SAFE_WORD.test(value)) {
    return value;
  }
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * The `--update-image-set-metadata-updates` value: the MetadataUpdates structure with each blob
 * given as its JSON text, which the CLI base64-encodes itself under
 * `--cli-binary-format raw-in-base64-out` (as in the AWS CLI's own examples).
 */
export function cliMetadataUpdatesArgument(update: CliUpdate): string {
  const dicomUpdates: Record<string, string> = {};
  if (update.updatableAttributes !== undefined) {
    dicomUpdates.updatableAttributes = JSON.stringify(update.updatableAttributes);
  }
  if (update.removableAttributes !== undefined) {
    dicomUpdates.removableAttributes = JSON.stringify(update.removableAttributes);
  }
  return JSON.stringify({ DICOMUpdates: dicomUpdates });
}

/**
 * One shell command per request, joined by newlines. Version ids are sequential, so request k
 * (1-based) is sent against `latestVersionId + k - 1`; with several requests each one is preceded
 * by a comment saying to wait until the previous update has reached UPDATED.
 */
export function buildUpdateCliCommands(input: CliCommandInput): string {
  if (!/^\d+$/.test(input.latestVersionId)) {
    throw new Error(`latestVersionId must be a version number, got "${input.latestVersionId}"`);
  }
  const base = Number(input.latestVersionId);
  const lines: string[] = [];
  input.updates.forEach((update, index) => {
    if (input.updates.length > 1) {
      lines.push(index === 0
        ? `# request 1 of ${input.updates.length}`
        : `# request ${index + 1} of ${input.updates.length}: run it after the previous update has reached UPDATED`);
    }
    const args = [
      'aws', 'medical-imaging', 'update-image-set-metadata',
      '--datastore-id', quoteForPosixShell(input.datastoreId),
      '--image-set-id', quoteForPosixShell(input.imageSetId),
      '--latest-version-id', quoteForPosixShell(String(base + index)),
    ];
    if (input.force) {
      args.push('--force');
    }
    if (index < (input.studyWideRequests ?? 0)) {
      args.push('--include-study-image-sets');
    }
    if (input.profile) {
      args.push('--profile', quoteForPosixShell(input.profile));
    }
    if (input.region) {
      args.push('--region', quoteForPosixShell(input.region));
    }
    args.push(
      '--cli-binary-format', 'raw-in-base64-out',
      '--update-image-set-metadata-updates', quoteForPosixShell(cliMetadataUpdatesArgument(update)),
    );
    lines.push(args.join(' '));
  });
  return lines.join('\n') + (lines.length ? '\n' : '');
}
