import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { GeneratedFile } from '../../application/ports/video-model.ts';
import type { FrameGrabber } from '../../application/ports/video-probe.ts';
import { NotPlayableVideo } from '../../domain/errors.ts';

export interface FfmpegFrameGrabberOptions {
  /** The ffmpeg binary: the npm package's (ffmpeg-path.ts), or the copy shipped beside a Lambda's bundle. */
  ffmpegPath: string;
  /** Kills an ffmpeg that hangs on a hostile file; one frame of a short clip takes well under a second. */
  timeoutMs?: number;
  /** Where the video is written for ffmpeg to seek in (a Lambda may write only under /tmp). */
  tempDir?: string;
}

/** The longest a still's side may be: a thumbnail, not a poster-sized copy of a 4K frame. */
const MAX_SIDE = 640;
/** A JPEG still is a few tens of KB; more output than this is not a thumbnail. */
const MAX_OUTPUT_BYTES = 8 * 1024 * 1024;

/** One frame as a JPEG, by running ffmpeg on a temporary copy of the video (MP4 needs seeking, not a pipe). */
export class FfmpegFrameGrabber implements FrameGrabber {
  private readonly options: FfmpegFrameGrabberOptions;
  constructor(options: FfmpegFrameGrabberOptions) {
    this.options = options;
  }

  async frame(video: Uint8Array, atSeconds: number): Promise<GeneratedFile> {
    const dir = await mkdtemp(path.join(this.options.tempDir ?? tmpdir(), 'omnigen-frame-'));
    try {
      const input = path.join(dir, 'video.mp4');
      await writeFile(input, video);
      const seek = Math.max(0, atSeconds).toFixed(3);
      // Only the MP4 demuxer (-f mov), never whatever ffmpeg would guess the bytes are; -ss before -i seeks
      // to the keyframe before the time (fast); one frame, scaled down, as a JPEG on stdout.
      const args = ['-hide_banner', '-loglevel', 'error', '-nostdin', '-f', 'mov', '-ss', seek, '-i', input, '-frames:v', '1',
        '-vf', `scale='min(${MAX_SIDE},iw)':-2`, '-q:v', '4', '-f', 'image2pipe', '-vcodec', 'mjpeg', 'pipe:1'];
      const body = await this.run(args);
      if (body.byteLength === 0) throw new NotPlayableVideo('no frame could be decoded');
      return { body, contentType: 'image/jpeg' };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  private run(args: string[]): Promise<Uint8Array> {
    const { ffmpegPath, timeoutMs = 30_000 } = this.options;
    return new Promise((resolve, reject) => {
      const child = spawn(ffmpegPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
      // Our own timer, not spawn's `timeout` option: that one stays armed when the spawn itself fails (no
      // binary), keeping the process alive for the whole timeout.
      const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
      const out: Buffer[] = [];
      let size = 0;
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => {
        size += chunk.byteLength;
        if (size > MAX_OUTPUT_BYTES) child.kill('SIGKILL');
        else out.push(chunk);
      });
      child.stderr.on('data', (chunk: Buffer) => void (stderr = (stderr + chunk.toString()).slice(-2000)));
      // Spawning failed (no binary): not the video's fault; the step fails and may be retried.
      child.on('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        if (code === 0 && size <= MAX_OUTPUT_BYTES) return resolve(Buffer.concat(out));
        const why = signal ? `ffmpeg was stopped (${signal})` : `ffmpeg exited with ${code}: ${stderr.trim().split('\n').at(-1) ?? ''}`;
        reject(new NotPlayableVideo('no frame could be decoded', { cause: new Error(why) }));
      });
    });
  }
}
