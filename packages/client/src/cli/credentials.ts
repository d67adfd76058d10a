import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

/** What `omnigen login` keeps per service URL. */
export interface Credentials {
  accessToken: string;
  /** Unix ms. */
  expiresAt: number;
  /** Local mode: a new dev token is issued for this user when the old one expires. */
  devUser?: string;
  /** aws mode: the refresh token and where to redeem it. */
  refreshToken?: string;
  tokenEndpoint?: string;
  clientId?: string;
}

/** $XDG_CONFIG_HOME/omnigen/credentials.json (~/.config by default), readable by the user alone. */
export function credentialsPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'omnigen', 'credentials.json');
}

async function readAll(path: string): Promise<Record<string, Credentials>> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as Record<string, Credentials>;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw err;
  }
}

export async function loadCredentials(baseUrl: string, path = credentialsPath()): Promise<Credentials | undefined> {
  return (await readAll(path))[baseUrl];
}

export async function saveCredentials(baseUrl: string, credentials: Credentials | undefined, path = credentialsPath()): Promise<void> {
  const all = await readAll(path);
  if (credentials) all[baseUrl] = credentials;
  else delete all[baseUrl];
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  // Written to a new file (mode 0600 from the start) and renamed: tokens are never world-readable, even briefly.
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(all, null, 2)}\n`, { mode: 0o600 });
  await chmod(temporary, 0o600);
  await rename(temporary, path).catch(async (err: unknown) => {
    await rm(temporary, { force: true });
    throw err;
  });
}
