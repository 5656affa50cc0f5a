// The shared AWS config and credentials files (~/.aws/config, ~/.aws/credentials, or the files
// named by AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE), read the way the AWS CLI reads them:
// profile names for the picker (static, SSO and role profiles alike) and a profile's region.
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** The regions where HealthImaging is offered. */
export const HEALTHIMAGING_REGIONS: readonly { id: string; name: string }[] = [
  { id: 'us-east-1', name: 'US East (N. Virginia)' },
  { id: 'us-west-2', name: 'US West (Oregon)' },
  { id: 'eu-west-1', name: 'Europe (Ireland)' },
  { id: 'eu-west-2', name: 'Europe (London)' },
  { id: 'ap-southeast-2', name: 'Asia Pacific (Sydney)' },
];

export type ProfileKind = 'sso' | 'role' | 'process' | 'web-identity' | 'static' | 'config';

export interface ProfileInfo {
  name: string;
  kind: ProfileKind;
  region?: string;
  /** Which files define the profile. */
  sources: ('config' | 'credentials')[];
}

export type IniSections = Map<string, Map<string, string>>;

/**
 * Parses INI text as the AWS CLI does: `[section]` headers, `key = value` lines, `#`/`;` comments,
 * indented continuation lines (nested settings such as `s3 =` blocks) are ignored.
 */
export function parseIni(text: string): IniSections {
  const sections: IniSections = new Map();
  let current: Map<string, string> | undefined;
  for (const raw of text.split(/\r?\n/)) {
    if (/^\s*([#;]|$)/.test(raw)) {
      continue;
    }
    const header = /^\s*\[([^\]]+)\]\s*(?:[#;].*)?$/.exec(raw);
    if (header) {
      const name = header[1].trim().replace(/\s+/g, ' ');
      current = sections.get(name) ?? new Map();
      sections.set(name, current);
      continue;
    }
    if (!current || /^\s/.test(raw)) {
      continue; // outside a section, or a nested (indented) line
    }
    const eq = raw.indexOf('=');
    if (eq > 0) {
      const key = raw.slice(0, eq).trim().toLowerCase();
      const value = raw.slice(eq + 1).replace(/\s[#;].*$/, '').trim();
      current.set(key, value);
    }
  }
  return sections;
}

function kindOf(settings: Map<string, string>, fromCredentials: boolean): ProfileKind {
  if (settings.has('sso_session') || settings.has('sso_start_url') || settings.has('sso_account_id')) {
    return 'sso';
  }
  if (settings.has('role_arn')) {
    return settings.has('web_identity_token_file') ? 'web-identity' : 'role';
  }
  if (settings.has('credential_process')) {
    return 'process';
  }
  if (settings.has('aws_access_key_id') || fromCredentials) {
    return 'static';
  }
  return 'config';
}

/**
 * The profiles of a config file (`[default]`, `[profile name]`; `[sso-session x]` and
 * `[services x]` are not profiles) merged with those of a credentials file (`[name]`).
 */
export function profilesFrom(configText: string | undefined, credentialsText: string | undefined): ProfileInfo[] {
  const merged = new Map<string, { settings: Map<string, string>; sources: Set<'config' | 'credentials'> }>();
  const add = (name: string, settings: Map<string, string>, source: 'config' | 'credentials') => {
    const entry = merged.get(name) ?? { settings: new Map(), sources: new Set() };
    for (const [k, v] of settings) {
      if (!entry.settings.has(k) || source === 'credentials') {
        entry.settings.set(k, v);
      }
    }
    entry.sources.add(source);
    merged.set(name, entry);
  };
  for (const [section, settings] of parseIni(configText ?? '')) {
    if (section === 'default') {
      add('default', settings, 'config');
    } else {
      const m = /^profile\s+(.+)$/.exec(section);
      if (m) {
        add(m[1].trim(), settings, 'config');
      }
    }
  }
  for (const [section, settings] of parseIni(credentialsText ?? '')) {
    if (!section.includes(' ')) {
      add(section, settings, 'credentials');
    }
  }
  return [...merged.entries()]
    .map(([name, { settings, sources }]) => ({
      name,
      kind: kindOf(settings, sources.has('credentials')),
      region: settings.get('region') || undefined,
      sources: [...sources].sort(),
    }))
    .sort((a, b) => (a.name === 'default' ? -1 : b.name === 'default' ? 1 : a.name.localeCompare(b.name)));
}

export interface SharedConfigPaths {
  configFile: string;
  credentialsFile: string;
}

function expandHome(p: string): string {
  return p.startsWith('~') ? path.join(os.homedir(), p.slice(1)) : p;
}

export function sharedConfigPaths(env: NodeJS.ProcessEnv = process.env): SharedConfigPaths {
  const home = os.homedir();
  return {
    configFile: expandHome(env.AWS_CONFIG_FILE || path.join(home, '.aws', 'config')),
    credentialsFile: expandHome(env.AWS_SHARED_CREDENTIALS_FILE || path.join(home, '.aws', 'credentials')),
  };
}

async function readIfExists(file: string): Promise<string | undefined> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'EISDIR') {
      return undefined;
    }
    throw error;
  }
}

/** Lists the profiles of the shared config and credentials files (missing files = none). */
export async function listProfiles(env: NodeJS.ProcessEnv = process.env): Promise<ProfileInfo[]> {
  const paths = sharedConfigPaths(env);
  const [config, credentials] = await Promise.all([readIfExists(paths.configFile), readIfExists(paths.credentialsFile)]);
  return profilesFrom(config, credentials);
}

/** The profile the SDK would use: the given one, else AWS_PROFILE, else `default`. */
export function effectiveProfile(profile: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return profile || env.AWS_PROFILE || 'default';
}

export interface ResolvedRegion {
  region?: string;
  source: 'setting' | 'profile' | 'environment' | 'none';
}

/** Region: the setting, else the profile's `region` in the config file, else AWS_REGION / AWS_DEFAULT_REGION. */
export async function resolveRegion(
  setting: string | undefined,
  profile: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ResolvedRegion> {
  if (setting) {
    return { region: setting, source: 'setting' };
  }
  const name = effectiveProfile(profile, env);
  const profiles = await listProfiles(env);
  const fromProfile = profiles.find((p) => p.name === name)?.region;
  if (fromProfile) {
    return { region: fromProfile, source: 'profile' };
  }
  const fromEnv = env.AWS_REGION || env.AWS_DEFAULT_REGION;
  if (fromEnv) {
    return { region: fromEnv, source: 'environment' };
  }
  return { source: 'none' };
}
