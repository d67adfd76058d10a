import t from 'tap';
import { advanceJob, attachExecution, cancelJob, completeJob, failJob, markSynced, newJob } from '../../src/domain/job.ts';
import { jobEventFor } from '../../src/domain/job-event.ts';
import { FAILURE_CODES, failureOf, isFailureCode } from '../../src/domain/failure-codes.ts';

const now = new Date('2026-11-27T10:00:00.000Z');
const pending = newJob({ jobId: 'j', userId: 'u', prompt: 'A neon city at night', category: 'music-video', now });

t.test('one event per change of status, none for progress, stage or bookkeeping', async (t) => {
  t.match(jobEventFor(undefined, pending), { type: 'job.created', eventId: 'j.1', jobId: 'j', userId: 'u', occurredAt: now.toISOString() });
  const running = advanceJob(pending, { progress: 10 }, now);
  t.match(jobEventFor(pending, running), { type: 'job.processing', eventId: 'j.2' });
  t.equal(jobEventFor(running, advanceJob(running, { progress: 40, stage: 'rendering' }, now)), undefined);
  t.equal(jobEventFor(running, attachExecution(running, 'arn', now)), undefined);
  t.equal(jobEventFor(running, markSynced(running, now)), undefined);
  t.equal(jobEventFor(pending, attachExecution(pending, 'arn', now)), undefined);
  t.match(jobEventFor(running, completeJob(running, 'v.mp4', now)), { type: 'job.completed' });
  t.match(jobEventFor(running, failJob(running, failureOf('PROVIDER_FAILED'), now)), { type: 'job.failed', job: { failure: { code: 'PROVIDER_FAILED' } } });
  t.match(jobEventFor(pending, cancelJob(pending, now)), { type: 'job.canceled' });
});

t.test('failure codes are one list, each with a message a person reads', async (t) => {
  for (const code of FAILURE_CODES) t.ok(failureOf(code).message.length > 10, code);
  t.ok(isFailureCode('PROVIDER_TIMEOUT'));
  t.notOk(isFailureCode('States.TaskFailed'));
});
