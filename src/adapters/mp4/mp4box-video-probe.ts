import { createFile, Log, MP4BoxBuffer, type Movie } from 'mp4box';
import type { VideoProbe } from '../../application/ports/video-probe.ts';
import { NotPlayableVideo } from '../../domain/errors.ts';
import type { VideoFacts } from '../../domain/job.ts';

// mp4box logs every box it cannot parse to the console; a probe's verdict is its return value instead.
Log.setLogLevel(() => undefined);

/** Parses the MP4 container (moov) in memory with mp4box; nothing is decoded, so it takes milliseconds. */
export class Mp4BoxVideoProbe implements VideoProbe {
  async probe(video: Uint8Array): Promise<VideoFacts> {
    const { movie, samplesEnd } = parse(video);
    const track = movie.videoTracks[0];
    if (!track) throw new NotPlayableVideo('it has no video track');
    const width = track.video?.width ?? track.track_width;
    const height = track.video?.height ?? track.track_height;
    if (!(width > 0 && height > 0)) throw new NotPlayableVideo('its video track has no picture size');
    if (!(track.nb_samples > 0)) throw new NotPlayableVideo('its video track has no frames');
    // The movie's duration, else the track's (a fragmented file may leave the movie's at 0).
    const seconds = movie.duration > 0 && movie.timescale > 0 ? movie.duration / movie.timescale : track.duration / track.timescale;
    if (!(seconds > 0) || !Number.isFinite(seconds)) throw new NotPlayableVideo('it has no duration');
    // A truncated download keeps its index (moov) but loses frames: the samples must lie inside the file.
    if (samplesEnd(track.id) > video.byteLength) throw new NotPlayableVideo('its frames run past the end of the file (truncated)');
    return {
      durationSeconds: Math.round(seconds * 1000) / 1000,
      width,
      height,
      sizeBytes: video.byteLength,
      contentType: 'video/mp4',
    };
  }
}

function parse(video: Uint8Array): { movie: Movie; samplesEnd: (trackId: number) => number } {
  const file = createFile();
  let movie: Movie | undefined;
  let error: string | undefined;
  file.onReady = (info) => void (movie = info);
  file.onError = (_module, message) => void (error = message);
  // mp4box reads an ArrayBuffer that starts at the file's first byte: copy out the view's own bytes.
  const copy = new Uint8Array(video.byteLength);
  copy.set(video);
  try {
    file.appendBuffer(MP4BoxBuffer.fromArrayBuffer(copy.buffer, 0));
    file.flush();
  } catch (err) {
    throw new NotPlayableVideo('it is not an MP4 container', { cause: err });
  }
  if (!movie) throw new NotPlayableVideo(error ? `it is not an MP4 container (${error})` : 'it has no movie header (moov)');
  const samplesEnd = (trackId: number) =>
    file.getTrackSamplesInfo(trackId).reduce((end, sample) => Math.max(end, sample.offset + sample.size), 0);
  return { movie, samplesEnd };
}
