import t from 'tap';
import { InMemoryJobRepository } from '../../src/adapters/local/in-memory-job-repository.ts';
import type { Logger } from '../../src/application/ports/logger.ts';
import { ResumeJobs, WORKFLOW_INTERRUPTED } from '../../src/application/resume-jobs.ts';
import { advanceJob, cancelJob, isTerminal, newJob, type Job } from '../../src/domain/job.ts';
import { FakeClock } from '../helpers/fake-clock.ts';
import { FakeWorkflow } from '../helpers/fake-workflow.ts';

async function setup(jobs: Job[]) {
  const repo = new InMemoryJobRepository();
  for (const job of jobs) await repo.create(job);
  const workflow = new FakeWorkflow();
  const clock = new FakeClock();
  const lines: string[] = [];
  const logger: Logger = { info: (_o, msg) => lines.push(msg), warn: (_o, msg) => lines.push(msg), error: (_o, msg) => lines.push(msg) };
  // What a store that outlives the process finds: every job not yet in a terminal state.
  const unfinished = { listUnfinished: async () => jobs.filter((j) => !isTerminal(j.status)) };
  const resume = new ResumeJobs({ jobs: repo, unfinished, workflow, clock, logger });
  return { repo, workflow, clock, lines, resume };
}

const at = (i: number) => new Date(Date.parse('2026-11-27T10:00:00Z') + i * 1000);
const job = (i: number) => newJob({ jobId: `00000000-0000-4000-8000-00000000000${i}`, userId: 'alice', prompt: 'A neon city at night', category: 'music-video', now: at(i) });

t.test('every pending or processing job is handed back to the workflow, as it was stored', async (t) => {
  const pending = job(1);
  const processing = advanceJob(job(2), { progress: 45, stage: 'rendering' }, at(3));
  const { workflow, resume, repo, lines } = await setup([pending, processing]);
  t.same(await resume.execute(), { resumed: 2, failed: 0 });
  t.same(workflow.started, [pending.jobId, processing.jobId]);
  t.same(await repo.get(processing.jobId), processing, 'the job itself is not changed by resuming it');
  t.match(lines, ['jobs interrupted by the last stop were picked up again']);
});

t.test('nothing unfinished: nothing started, nothing logged', async (t) => {
  const { workflow, resume, lines } = await setup([cancelJob(job(1), at(2))]);
  t.same(await resume.execute(), { resumed: 0, failed: 0 });
  t.same(workflow.started, []);
  t.same(lines, []);
});

t.test('a job the workflow will not take again fails with LOCAL_WORKFLOW_INTERRUPTED instead of staying pending forever', async (t) => {
  const stuck = job(1);
  const { workflow, resume, repo, lines } = await setup([stuck]);
  workflow.refuse = true;
  t.same(await resume.execute(), { resumed: 0, failed: 1 });
  t.match(await repo.get(stuck.jobId), { status: 'failed', stage: 'failed', failure: { code: WORKFLOW_INTERRUPTED, message: /interrupted by a restart/ }, version: 2 });
  t.match(lines, ['interrupted job could not be resumed; marking it failed']);
});

t.test('a job that ended meanwhile keeps its end', async (t) => {
  const stale = job(1);
  const { workflow, resume, repo, clock } = await setup([stale]);
  await repo.update(cancelJob(stale, clock.now()));
  workflow.refuse = true;
  await resume.execute();
  t.equal((await repo.get(stale.jobId))?.status, 'canceled');
});
