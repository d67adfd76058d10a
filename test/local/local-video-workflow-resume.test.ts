import path from 'node:path';
import t from 'tap';
import { InMemoryJobRepository } from '../../src/adapters/local/in-memory-job-repository.ts';
import { InMemoryUsageLedger } from '../../src/adapters/local/in-memory-usage-ledger.ts';
import { LocalVideoStorage } from '../../src/adapters/local/local-video-storage.ts';
import { LocalVideoWorkflow } from '../../src/adapters/local/local-video-workflow.ts';
import { SAMPLE_POLLS, SampleVideoModel } from '../../src/adapters/local/sample-video-model.ts';
import { Mp4BoxVideoProbe } from '../../src/adapters/mp4/mp4box-video-probe.ts';
import { systemClock } from '../../src/adapters/system-clock.ts';
import { silentLogger } from '../../src/application/ports/logger.ts';
import { advanceJob, isTerminal, newJob, type Job } from '../../src/domain/job.ts';
import { FakeFrameGrabber } from '../helpers/fake-video-model.ts';
import { bundledCatalogue } from '../../src/catalogue/catalogue-config.ts';

/** The sample clip is probed for real; it comes with its thumbnail, so no frame is taken. */
const media = { probe: new Mp4BoxVideoProbe(), frames: new FakeFrameGrabber() };

// After a restart, the local workflow is handed jobs that were midway: they carry on from there.
t.test('a resumed job never sends its progress or stage back, and finishes', async (t) => {
  const jobs = new InMemoryJobRepository();
  const storage = new LocalVideoStorage({ dir: t.testdir(), publicUrl: 'http://localhost:8080', secret: 's' });
  const model = new SampleVideoModel({ videoPath: path.resolve('assets/sample.mp4'), thumbnailPath: path.resolve('assets/sample.jpg') });
  const workflow = new LocalVideoWorkflow({ jobs, catalogue: bundledCatalogue(), usage: new InMemoryUsageLedger(), store: storage, model, ...media, clock: systemClock, logger: silentLogger, pollIntervalMs: 50 / SAMPLE_POLLS });
  t.teardown(() => workflow.close());
  /** Stores `job`, resumes it, and returns every state it then goes through. */
  const resume = async (job: Job): Promise<Array<[string | undefined, number]>> => {
    await jobs.create(job);
    const updates: Job[] = [];
    const done = new Promise<void>((resolve) => jobs.watch(job.jobId, (j) => (updates.push(j), isTerminal(j.status) && resolve())));
    const timer = setTimeout(() => t.fail(`job ${job.jobId} never finished`), 5000);
    await workflow.start(job);
    await done;
    clearTimeout(timer);
    return updates.map((j) => [j.stage, j.progress]);
  };
  const created = (jobId: string): Job => newJob({ jobId, userId: 'alice', prompt: 'A neon city at night', category: 'music-video', now: new Date() });
  t.same(await resume(advanceJob(created('job-1'), { progress: 60, stage: 'rendering' }, new Date())), [['rendering', 60], ['encoding', 72], ['encoding', 84], ['uploading', 92], ['done', 100]]);
  t.same(await resume(advanceJob(created('job-2'), { progress: 92, stage: 'uploading' }, new Date())), [['uploading', 92], ['uploading', 92], ['done', 100]], 'past the last step: only the store step is left; the stage never goes back');
  t.equal((await resume(created('job-3'))).length, 10, 'a job that never started walks every step');
});
