import type { VideoFacts } from '../../domain/job.ts';
import type { GeneratedFile } from './video-model.ts';

/**
 * Reads what a video file is from its bytes. Adapters throw NotPlayableVideo (domain/errors.ts) when the
 * bytes are not a playable MP4: no video track, no samples, no duration, or sample data past the end.
 */
export interface VideoProbe {
  probe(video: Uint8Array): Promise<VideoFacts>;
}

/** Takes one still of a video, for a thumbnail when the model made none. */
export interface FrameGrabber {
  /** A JPEG of the frame at `atSeconds` (clamped into the video). Throws NotPlayableVideo when it cannot be decoded. */
  frame(video: Uint8Array, atSeconds: number): Promise<GeneratedFile>;
}
