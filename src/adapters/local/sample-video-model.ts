import { readFile } from 'node:fs/promises';
import type { GenerationRequest, GenerationResult, GenerationStatus, VideoModel } from '../../application/ports/video-model.ts';

/**
 * What the sample model reports on each poll before it is done: the stages the try-it page names. The
 * poll after the last one finds the clip ready; the store step then shows "uploading".
 */
const STEPS: ReadonlyArray<{ stage: string; progress: number }> = [
  { stage: 'scripting', progress: 8 },
  { stage: 'scripting', progress: 18 },
  { stage: 'rendering', progress: 30 },
  { stage: 'rendering', progress: 45 },
  { stage: 'rendering', progress: 60 },
  { stage: 'encoding', progress: 72 },
  { stage: 'encoding', progress: 84 },
];

/** Polls from start to a finished clip: the local workflow polls every LOCAL_WORKFLOW_DURATION_MS / SAMPLE_POLLS. */
export const SAMPLE_POLLS = STEPS.length + 1;

export interface SampleVideoModelOptions {
  /** The clip every generation "makes" (assets/sample.mp4). */
  videoPath: string;
  /** Its thumbnail (assets/sample.jpg, one frame of it); none when absent. */
  thumbnailPath?: string;
  /** Clips of other aspect ratios ("9:16" → assets/sample-9x16.mp4 and its .jpg); others get the 16:9 clip. */
  byAspectRatio?: Record<string, { videoPath: string; thumbnailPath?: string }>;
}

/** `sample:<ratio>:<jobId>`: the id carries what result() needs, so a restarted server still knows it. */
const SAMPLE_ID = /^sample:(\d+x\d+):/;

/**
 * Local mode's video model: no provider, no cost. Each status() call moves a generation one step on,
 * so the pace is the poller's; the result is the shipped sample clip. Generation ids are derived from
 * the job id, so a restarted server picks a running job up again (an id it does not know starts over;
 * the job's progress never goes down).
 */
export class SampleVideoModel implements VideoModel {
  private readonly polls = new Map<string, number>();
  /** The clip and thumbnail, read once and shared by every job: a thousand jobs finishing together hold one copy. */
  private readonly files = new Map<string, Promise<GenerationResult>>();

  private readonly options: SampleVideoModelOptions;
  constructor(options: SampleVideoModelOptions) {
    this.options = options;
  }

  async start(request: GenerationRequest): Promise<{ generationId: string }> {
    const generationId = `sample:${request.settings.aspectRatio.replace(':', 'x')}:${request.jobId}`;
    this.polls.set(generationId, 0);
    return { generationId };
  }

  async status(generationId: string): Promise<GenerationStatus> {
    const step = this.polls.get(generationId) ?? 0;
    this.polls.set(generationId, step + 1);
    const next = STEPS[step];
    return next ? { state: 'running', ...next } : { state: 'succeeded' };
  }

  async cancel(generationId: string): Promise<void> {
    this.polls.delete(generationId);
  }

  async result(generationId: string): Promise<GenerationResult> {
    this.polls.delete(generationId);
    // Ids from before ratios (sample-<jobId>) and ratios without a clip of their own get the 16:9 clip.
    const ratio = SAMPLE_ID.exec(generationId)?.[1]?.replace('x', ':') ?? '16:9';
    const paths = this.options.byAspectRatio?.[ratio] ?? this.options;
    const key = paths.videoPath;
    let files = this.files.get(key);
    if (!files) {
      files = this.read(paths).catch((err: unknown) => {
        this.files.delete(key);
        throw err;
      });
      this.files.set(key, files);
    }
    return files;
  }

  private async read(paths: { videoPath: string; thumbnailPath?: string }): Promise<GenerationResult> {
    const { videoPath, thumbnailPath } = paths;
    // A missing thumbnail costs the job its thumbnail, not its video.
    const [video, thumbnail] = await Promise.all([readFile(videoPath), thumbnailPath ? readFile(thumbnailPath).catch(() => undefined) : undefined]);
    const files = { video: { body: video, contentType: 'video/mp4' } };
    return thumbnail ? { ...files, thumbnail: { body: thumbnail, contentType: 'image/jpeg' } } : files;
  }
}
