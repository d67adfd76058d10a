import t, { type Test } from 'tap';
import { JobFinished } from '../../src/domain/errors.ts';
import {
  advanceJob,
  attachExecution,
  cancelJob,
  completeJob,
  failJob,
  isTerminal,
  JOB_STATUSES,
  markSynced,
  newJob,
  parseCategory,
  parsePrompt,
  type Job,
  type JobStatus,
} from '../../src/domain/job.ts';

const T0 = new Date('2026-11-27T10:00:00.000Z');
const T1 = new Date('2026-11-27T10:00:05.000Z');
const failure = { code: 'RENDER_FAILED', message: 'the renderer crashed' };

const pending = (): Job =>
  newJob({ jobId: 'job-1', userId: 'alice', prompt: 'A neon city at night', category: 'music-video', now: T0 });

/** A job in `status`, reached through the allowed transitions. */
function jobIn(status: JobStatus): Job {
  const job = pending();
  switch (status) {
    case 'pending':
      return job;
    case 'processing':
      return advanceJob(job, { progress: 10, stage: 'scripting' }, T1);
    case 'completed':
      return completeJob(advanceJob(job, { progress: 10 }, T1), 'videos/job-1.mp4', T1);
    case 'failed':
      return failJob(job, failure, T1);
    case 'canceled':
      return cancelJob(job, T1);
  }
}

function validationError(t: Test, fn: () => unknown, field: string, constraint: string): void {
  t.throws(fn, { name: 'ValidationError', code: 'VALIDATION_ERROR', details: { field, constraint } }, `${field}: ${constraint}`);
}

t.test('parsePrompt trims and keeps 10..500 characters', async (t) => {
  t.equal(parsePrompt('   A neon city at night \n\t'), 'A neon city at night');
  t.equal(parsePrompt('0123456789'), '0123456789', '10 characters is enough');
  t.equal(parsePrompt('x'.repeat(500)), 'x'.repeat(500), '500 characters is allowed');
  validationError(t, () => parsePrompt('012345678'), 'prompt', 'minLength');
  validationError(t, () => parsePrompt('   012345678    '), 'prompt', 'minLength');
  validationError(t, () => parsePrompt('          '), 'prompt', 'minLength');
  validationError(t, () => parsePrompt('x'.repeat(501)), 'prompt', 'maxLength');
  validationError(t, () => parsePrompt(42), 'prompt', 'type');
  validationError(t, () => parsePrompt(undefined), 'prompt', 'type');
  t.throws(() => parsePrompt('short'), { message: /at least 10 characters/ });
});

t.test('parsePrompt counts code points, not UTF-16 units', async (t) => {
  // Each of these emoji is one code point but two UTF-16 units.
  const five = '🎬🎥🎞🎵🎶';
  t.equal([...five].length, 5);
  validationError(t, () => parsePrompt(five), 'prompt', 'minLength');
  t.equal(parsePrompt('🎬'.repeat(10)), '🎬'.repeat(10), '10 emoji are 10 characters (20 UTF-16 units)');
  t.equal(parsePrompt('🎬'.repeat(500)), '🎬'.repeat(500), '500 emoji are allowed though .length is 1000');
  validationError(t, () => parsePrompt('🎬'.repeat(501)), 'prompt', 'maxLength');
});

t.test('parseCategory accepts exactly the two categories', async (t) => {
  t.equal(parseCategory('music-video'), 'music-video');
  t.equal(parseCategory('ad-creative'), 'ad-creative');
  for (const bad of ['Music-Video', 'music_video', '', 'podcast', undefined, null, 1]) {
    validationError(t, () => parseCategory(bad), 'category', 'enum');
  }
});

t.test('newJob starts pending, at 0 %, queued, version 1', async (t) => {
  const job = pending();
  t.match(job, {
    jobId: 'job-1',
    userId: 'alice',
    prompt: 'A neon city at night',
    category: 'music-video',
    status: 'pending',
    progress: 0,
    stage: 'queued',
    createdAt: '2026-11-27T10:00:00.000Z',
    updatedAt: '2026-11-27T10:00:00.000Z',
    version: 1,
  });
  t.notOk(job.failure);
  t.notOk(job.videoKey);
  t.notOk(job.executionArn);
});

t.test('the transitions table: pending → processing → completed | failed | canceled', async (t) => {
  const processing = advanceJob(pending(), { progress: 5 }, T1);
  t.equal(processing.status, 'processing');
  t.equal(completeJob(processing, 'k', T1).status, 'completed');
  t.equal(failJob(processing, failure, T1).status, 'failed');
  t.equal(cancelJob(processing, T1).status, 'canceled');
  // A job may also end before any progress was reported (e.g. canceled while queued).
  t.equal(cancelJob(pending(), T1).status, 'canceled');
  t.equal(failJob(pending(), failure, T1).status, 'failed');
  t.equal(completeJob(pending(), 'k', T1).status, 'completed');
});

t.test('terminal states never change: every transition out of one throws JobFinished', async (t) => {
  const moves: Record<string, (job: Job) => Job> = {
    advance: (job) => advanceJob(job, { progress: 50 }, T1),
    complete: (job) => completeJob(job, 'other-key', T1),
    fail: (job) => failJob(job, failure, T1),
    cancel: (job) => cancelJob(job, T1),
    attachExecution: (job) => attachExecution(job, 'arn:x', T1),
    markSynced: (job) => markSynced(job, T1),
  };
  const terminal = JOB_STATUSES.filter(isTerminal);
  t.same(terminal, ['completed', 'failed', 'canceled']);
  for (const status of terminal) {
    const job = jobIn(status);
    for (const [name, move] of Object.entries(moves)) {
      t.throws(() => move(job), JobFinished, `${name} out of ${status}`);
      t.throws(() => move(job), { code: 'JOB_FINISHED', details: { status } });
    }
  }
  for (const status of ['pending', 'processing'] as const) t.notOk(isTerminal(status), `${status} is not terminal`);
});

t.test('progress is clamped to 0..99 while running and never goes down', async (t) => {
  let job = advanceJob(pending(), { progress: 40, stage: 'rendering' }, T1);
  t.equal(job.progress, 40);
  t.equal(job.stage, 'rendering');
  job = advanceJob(job, { progress: 20 }, T1);
  t.equal(job.progress, 40, 'a late, lower report does not move progress back');
  t.equal(job.stage, 'rendering', 'stage is kept when none is given');
  t.equal(advanceJob(job, { progress: 100 }, T1).progress, 99, 'a running job is never at 100');
  t.equal(advanceJob(job, { progress: 250 }, T1).progress, 99);
  t.equal(advanceJob(pending(), { progress: -5 }, T1).progress, 0, 'never below 0');
  t.equal(advanceJob(job, { progress: 41.9 }, T1).progress, 41, 'an integer');
  t.equal(advanceJob(job, { progress: Number.NaN }, T1).progress, 40, 'a nonsense value changes nothing');
});

t.test('progress is exactly 100 on completion, with the video key', async (t) => {
  const done = completeJob(advanceJob(pending(), { progress: 63 }, T1), 'videos/job-1.mp4', T1);
  t.equal(done.progress, 100);
  t.equal(done.videoKey, 'videos/job-1.mp4');
  const failed = failJob(advanceJob(pending(), { progress: 63 }, T1), failure, T1);
  t.equal(failed.progress, 63, 'a failed job keeps the progress it reached');
  t.same(failed.failure, failure);
  t.equal(cancelJob(advanceJob(pending(), { progress: 63 }, T1), T1).progress, 63);
});

t.test('every change bumps the version and sets updatedAt; the input is not mutated', async (t) => {
  const job = pending();
  const steps = [
    advanceJob(job, { progress: 1 }, T1),
    completeJob(job, 'k', T1),
    failJob(job, failure, T1),
    cancelJob(job, T1),
    attachExecution(job, 'arn:aws:states:x', T1),
  ];
  for (const next of steps) {
    t.equal(next.version, 2);
    t.equal(next.updatedAt, T1.toISOString());
    t.equal(next.createdAt, job.createdAt);
  }
  t.equal(steps[4]?.executionArn, 'arn:aws:states:x');
  t.equal(steps[4]?.status, 'pending', 'attaching an execution keeps the status');
  t.same(job, pending(), 'the original job is unchanged');
  const chained = advanceJob(advanceJob(job, { progress: 1 }, T1), { progress: 2 }, T1);
  t.equal(chained.version, 3);
});

t.test('markSynced records the sync and bumps the version but keeps updatedAt', async (t) => {
  const running = advanceJob(pending(), { progress: 30 }, T1);
  const later = new Date('2026-11-27T10:05:00.000Z');
  const synced = markSynced(running, later);
  t.equal(synced.syncedAt, later.toISOString());
  t.equal(synced.updatedAt, running.updatedAt, 'nothing a client sees changed');
  t.equal(synced.version, running.version + 1);
  t.equal(synced.status, 'processing');
  t.equal(synced.progress, 30);
});
