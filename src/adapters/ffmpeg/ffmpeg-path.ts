import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/**
 * Where ffmpeg is: FFMPEG_PATH when set; else a copy beside the running bundle (scripts/build-lambda.mjs
 * puts one next to the StoreVideo Lambda); else the @ffmpeg-installer/linux-x64 package's binary, which
 * npm installed (never downloaded at run time). Undefined when none exists (another OS, say).
 */
export function ffmpegPath(env: Record<string, string | undefined>, besideBundle?: string): string | undefined {
  const configured = env.FFMPEG_PATH?.trim();
  if (configured) return configured;
  if (besideBundle && existsSync(besideBundle)) return besideBundle;
  try {
    const pkg = createRequire(import.meta.url).resolve('@ffmpeg-installer/linux-x64/package.json');
    const binary = path.join(path.dirname(pkg), 'ffmpeg');
    return existsSync(binary) ? binary : undefined;
  } catch {
    return undefined;
  }
}
