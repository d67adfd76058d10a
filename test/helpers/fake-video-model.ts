import type { GeneratedFile, GenerationStatus, VideoModel } from '../../src/application/ports/video-model.ts';
import type { FrameGrabber, VideoProbe } from '../../src/application/ports/video-probe.ts';
import type { VideoStore } from '../../src/application/ports/video-storage.ts';
import { NotPlayableVideo } from '../../src/domain/errors.ts';
import type { VideoFacts } from '../../src/domain/job.ts';

/** A VideoModel whose answers a test sets, recording what it was asked. */
export class FakeVideoModel implements VideoModel {
  readonly started: string[] = [];
  readonly canceled: string[] = [];
  next: GenerationStatus = { state: 'running', progress: 10 };
  /** Runs inside start(), before it returns: a test can change the world meanwhile (a cancel). */
  duringStart: () => Promise<void> = async () => {};
  failCancel = false;
  thumbnail: GeneratedFile | undefined = { body: Uint8Array.of(0xff, 0xd8), contentType: 'image/jpeg' };
  /** The run time the provider reports for a finished generation, when set. */
  runSeconds: number | undefined;
  private seq = 0;

  async start(input: { jobId: string }): Promise<{ generationId: string }> {
    this.started.push(input.jobId);
    await this.duringStart();
    return { generationId: `gen-${++this.seq}` };
  }
  async status(): Promise<GenerationStatus> {
    return this.next;
  }
  async cancel(generationId: string): Promise<void> {
    this.canceled.push(generationId);
    if (this.failCancel) throw new Error('provider down');
  }
  async result(): Promise<{ video: GeneratedFile; thumbnail?: GeneratedFile; runSeconds?: number }> {
    const video = { body: Uint8Array.of(1, 2, 3), contentType: 'video/mp4' };
    return { video, ...(this.thumbnail ? { thumbnail: this.thumbnail } : {}), ...(this.runSeconds === undefined ? {} : { runSeconds: this.runSeconds }) };
  }
}

/** A VideoStore in memory. */
export class MemoryStore implements VideoStore {
  readonly objects = new Map<string, { body: Uint8Array; contentType: string }>();
  async put(key: string, body: Uint8Array, contentType: string): Promise<void> {
    this.objects.set(key, { body, contentType });
  }
  async remove(key: string): Promise<void> {
    this.objects.delete(key);
  }
}

/** A VideoProbe that reports set facts (sizeBytes is the file's), or refuses every file when `playable` is false. */
export class FakeVideoProbe implements VideoProbe {
  playable = true;
  facts: Omit<VideoFacts, 'sizeBytes'> = { durationSeconds: 5, width: 1280, height: 720, contentType: 'video/mp4' };
  readonly probed: number[] = [];
  async probe(video: Uint8Array): Promise<VideoFacts> {
    this.probed.push(video.byteLength);
    if (!this.playable) throw new NotPlayableVideo('the fake probe refuses it');
    return { ...this.facts, sizeBytes: video.byteLength };
  }
}

/** A FrameGrabber that returns a two-byte "JPEG" and records the times it was asked for. */
export class FakeFrameGrabber implements FrameGrabber {
  readonly times: number[] = [];
  async frame(_video: Uint8Array, atSeconds: number): Promise<GeneratedFile> {
    this.times.push(atSeconds);
    return { body: Uint8Array.of(0xff, 0xd8), contentType: 'image/jpeg' };
  }
}
