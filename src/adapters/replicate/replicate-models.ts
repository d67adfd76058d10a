import type { JobCategory } from '../../domain/job.js';

/**
 * The default text-to-video model for both categories: Kling 2.5 Turbo Pro, an official model on
 * Replicate (runs by name, no version pin; input: prompt, aspect_ratio 16:9 | 9:16 | 1:1, duration
 * 5 | 10 s; output: one MP4 URL). Chosen for its prompt fidelity at a per-second price. See
 * docs/workflow.md for what another model must accept.
 */
export const DEFAULT_VIDEO_MODEL = 'kwaivgi/kling-v2.5-turbo-pro';

/** What each category asks of the model besides the prompt: a landscape clip for music, a short vertical one for ads. */
export const CATEGORY_INPUT: Readonly<Record<JobCategory, Readonly<Record<string, string | number>>>> = {
  'music-video': { aspect_ratio: '16:9', duration: 10 },
  'ad-creative': { aspect_ratio: '9:16', duration: 5 },
};

/** `owner/name` (an official model, its latest version) or `owner/name:version` (a pinned version). */
const MODEL_REF = /^[a-z0-9][a-z0-9._-]*\/[a-z0-9][a-z0-9._-]*(?::[0-9a-f]{64})?$/i;

/** VIDEO_MODEL_MUSIC_VIDEO and VIDEO_MODEL_AD_CREATIVE, each defaulting to DEFAULT_VIDEO_MODEL. */
export function videoModelsFrom(env: Record<string, string | undefined>): Record<JobCategory, string> {
  const pick = (name: string): string => {
    const value = env[name]?.trim() || DEFAULT_VIDEO_MODEL;
    if (!MODEL_REF.test(value)) throw new Error(`${name}: expected owner/name or owner/name:<64 hex version>, got "${value}"`);
    return value;
  };
  return { 'music-video': pick('VIDEO_MODEL_MUSIC_VIDEO'), 'ad-creative': pick('VIDEO_MODEL_AD_CREATIVE') };
}
