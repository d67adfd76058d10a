// The job events outbox, for every adapter: each status change is recorded with the write that made it
// (both or neither), in order, and read back until it is marked handed on.
import t, { type Test } from 'tap';
import type { JobEventOutbox } from '../../src/application/ports/job-changes.ts';
import type { JobRepository } from '../../src/application/ports/job-repository.ts';
import { mutateJob, saveNewJob } from '../../src/application/mutate-job.ts';
import { DynamoDbJobEventOutbox } from '../../src/adapters/aws/dynamodb-job-event-outbox.ts';
import { DynamoDbJobRepository } from '../../src/adapters/aws/dynamodb-job-repository.ts';
import { InMemoryJobRepository } from '../../src/adapters/local/in-memory-job-repository.ts';
import { JobWatchers } from '../../src/adapters/local/job-watchers.ts';
import { SqliteJobRepository } from '../../src/adapters/sqlite/sqlite-job-repository.ts';
import { ConcurrentUpdate } from '../../src/domain/errors.ts';
import { advanceJob, cancelJob, completeJob, failJob, newJob } from '../../src/domain/job.ts';
import { jobEventFor, type JobEvent } from '../../src/domain/job-event.ts';
import { startDynalite } from '../helpers/dynalite.ts';
import { openTestDatabase } from '../helpers/sqlite.ts';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { EVENTS_PENDING, jobToItem } from '../../src/adapters/aws/job-item.ts';
import { OUTBOX_KEY } from '../../src/adapters/aws/table-definitions.ts';

type Repo = JobRepository & JobEventOutbox;
const now = new Date('2026-11-27T10:00:00.000Z');
const job = (id: string) => newJob({ jobId: id, userId: 'alice', prompt: 'A neon city at night', category: 'music-video', now });

function outboxContract(t: Test, make: () => Promise<Repo>): void {
  t.test('a lifecycle through the seam records one event per change of status, in order; progress makes none', async (t) => {
    const repo = await make();
    await saveNewJob(repo, job('j1'));
    await mutateJob(repo, 'j1', (j) => advanceJob(j, { progress: 10 }, now));
    await mutateJob(repo, 'j1', (j) => advanceJob(j, { progress: 50 }, now));
    await mutateJob(repo, 'j1', (j) => completeJob(j, 'videos/j1.mp4', now));
    const events = await repo.undispatched(100);
    t.same(events.map((e) => e.type), ['job.created', 'job.processing', 'job.completed']);
    t.same(events.map((e) => e.eventId), ['j1.1', 'j1.2', 'j1.4']);
    t.match(events[2], { jobId: 'j1', userId: 'alice', job: { status: 'completed', progress: 100, videoKey: 'videos/j1.mp4' } });
    await repo.markDispatched(['j1.1', 'j1.2']);
    t.same((await repo.undispatched(100)).map((e) => e.eventId), ['j1.4'], 'marked events are not read again');
    await repo.markDispatched(['j1.1', 'j1.4']);
    t.same(await repo.undispatched(100), [], 'marking twice is a no-op');
  });

  t.test('a write that loses the race records no event', async (t) => {
    const repo = await make();
    await saveNewJob(repo, job('j2'));
    const stale = (await repo.get('j2'))!;
    await mutateJob(repo, 'j2', (j) => cancelJob(j, now));
    const lost = failJob(stale, { code: 'PROVIDER_FAILED', message: 'x' }, now);
    await t.rejects(repo.update(lost, jobEventFor(stale, lost)), ConcurrentUpdate);
    t.same((await repo.undispatched(100)).map((e) => e.type), ['job.created', 'job.canceled']);
  });

  t.test("events of several jobs: oldest first, at most the limit; an event recorded after a read is kept when the read's are marked", async (t) => {
    const repo = await make();
    const at = (s: number) => new Date(now.getTime() + s * 1000);
    await saveNewJob(repo, newJob({ jobId: 'ja', userId: 'alice', prompt: 'A neon city at night', category: 'music-video', now: at(1) }));
    await saveNewJob(repo, newJob({ jobId: 'jb', userId: 'bob', prompt: 'A neon city at night', category: 'music-video', now: at(2) }));
    await mutateJob(repo, 'ja', (j) => advanceJob(j, { progress: 5 }, at(3)));
    t.same((await repo.undispatched(2)).map((e) => e.eventId), ['ja.1', 'jb.1']);
    const read = await repo.undispatched(100);
    await mutateJob(repo, 'ja', (j) => completeJob(j, 'videos/ja.mp4', at(4)));
    await repo.markDispatched(read.map((e) => e.eventId));
    t.same((await repo.undispatched(100)).map((e) => e.eventId), ['ja.3'], 'the event written after the read is still there');
    await repo.markDispatched(['ja.3', 'unknown-job.1']);
    t.same(await repo.undispatched(100), [], 'an unknown event id is ignored');
  });
}

function watchersContract(t: Test, make: (watchers: JobWatchers) => JobRepository): void {
  t.test('watchers see the committed write and its event, after the commit', async (t) => {
    const watchers = new JobWatchers();
    const repo = make(watchers);
    const seen: string[] = [];
    const events: JobEvent[] = [];
    watchers.watch('j3', (j) => seen.push(`${j.status}:${j.progress}`));
    watchers.onEvent((e) => events.push(e));
    await saveNewJob(repo, job('j3'));
    await mutateJob(repo, 'j3', (j) => advanceJob(j, { progress: 20 }, now));
    await mutateJob(repo, 'j3', (j) => advanceJob(j, { progress: 30 }, now));
    t.same(seen, ['pending:0', 'processing:20', 'processing:30']);
    t.same(events.map((e) => e.type), ['job.created', 'job.processing']);
  });
}

t.test('InMemoryJobRepository', async (t) => {
  outboxContract(t, async () => new InMemoryJobRepository());
  watchersContract(t, (w) => new InMemoryJobRepository(w));
});

t.test('SqliteJobRepository', async (t) => {
  outboxContract(t, async () => new SqliteJobRepository(openTestDatabase(t)));
  watchersContract(t, (w) => new SqliteJobRepository(openTestDatabase(t), w));

  t.test('the job and its event are one transaction: an event that cannot be written undoes the change', async (t) => {
    const repo = new SqliteJobRepository(openTestDatabase(t));
    const first = job('j4');
    await saveNewJob(repo, first);
    const next = cancelJob(first, now);
    // An event id already in the outbox makes the event's INSERT fail inside the transaction.
    const clash = { ...jobEventFor(first, next)!, eventId: 'j4.1' };
    await t.rejects(repo.update(next, clash));
    t.match(await repo.get('j4'), { status: 'pending', version: 1 }, 'the job did not change');
    t.same((await repo.undispatched(10)).map((e) => e.eventId), ['j4.1']);
    await t.rejects(repo.create(job('j4-dup'), { ...jobEventFor(undefined, job('j4-dup'))!, eventId: 'j4.1' }));
    t.equal(await repo.get('j4-dup'), undefined, 'nor was the new job stored');
  });
});

// One UpdateItem (or PutItem) carries the job and its event: DynamoDB applies a single item's write
// all-or-nothing (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/WorkingWithItems.html#WorkingWithItems.WritingData),
// the guarantee the outbox relies on, and the one dynalite reproduces (no transactions needed).
t.test('DynamoDbJobRepository with DynamoDbJobEventOutbox', async (t) => {
  const dynamo = await startDynalite(t);
  const make = async (): Promise<Repo> => {
    const table = await dynamo.jobTable();
    const jobs = new DynamoDbJobRepository(dynamo.clients.dynamo, table);
    const outbox = new DynamoDbJobEventOutbox(dynamo.clients.dynamo, table);
    // Two adapters over one table: the repository writes the outbox, DynamoDbJobEventOutbox reads it.
    return {
      create: (job, event) => jobs.create(job, event), get: (id) => jobs.get(id), update: (job, event) => jobs.update(job, event),
      listByUser: (userId, query) => jobs.listByUser(userId, query),
      undispatched: (limit) => outbox.undispatched(limit), markDispatched: (ids) => outbox.markDispatched(ids),
    };
  };
  outboxContract(t, make);

  t.test('an event that cannot be written (over the item size limit) undoes the change with it', async (t) => {
    const repo = await make();
    const first = job('j5');
    await saveNewJob(repo, first);
    const next = cancelJob(first, now);
    const huge = { ...jobEventFor(first, next)!, job: { ...next, prompt: 'x'.repeat(420_000) } };
    await t.rejects(repo.update(next, huge));
    t.match(await repo.get('j5'), { status: 'pending', version: 1 }, 'the job did not change');
    t.same((await repo.undispatched(10)).map((e) => e.eventId), ['j5.1']);
    await t.rejects(repo.create(job('j6'), { ...jobEventFor(undefined, job('j6'))!, job: huge.job }));
    t.equal(await repo.get('j6'), undefined, 'nor was the new job stored');
  });

  t.test('an item a crash left in the index with no events is passed over, and taken out by the next mark', async (t) => {
    const table = await dynamo.jobTable();
    const outbox = new DynamoDbJobEventOutbox(dynamo.clients.dynamo, table);
    const jobs = new DynamoDbJobRepository(dynamo.clients.dynamo, table);
    const emptied = { ...jobToItem(job('j8')), updatedAt: '2026-01-01T00:00:00.000Z', [OUTBOX_KEY]: EVENTS_PENDING };
    await dynamo.clients.dynamo.send(new PutCommand({ TableName: table, Item: emptied }));
    await saveNewJob(jobs, job('j9'));
    t.same((await outbox.undispatched(1)).map((e) => e.eventId), ['j9.1'], 'the next page is read when one holds no events');
    await t.rejects(new DynamoDbJobEventOutbox(dynamo.clients.dynamo, 'no-such-table').markDispatched(['j9.1']), { name: 'ResourceNotFoundException' }, 'other errors surface');
  });

  t.test('a job item written before items had an outbox still records its next event', async (t) => {
    const table = await dynamo.jobTable();
    const jobs = new DynamoDbJobRepository(dynamo.clients.dynamo, table);
    const outbox = new DynamoDbJobEventOutbox(dynamo.clients.dynamo, table);
    const old = job('j7');
    await dynamo.clients.dynamo.send(new PutCommand({ TableName: table, Item: jobToItem(old) }));
    await mutateJob(jobs, 'j7', (j) => cancelJob(j, now));
    t.same((await outbox.undispatched(10)).map((e) => e.type), ['job.canceled']);
    await mutateJob(jobs, 'j7', (j) => ({ ...j, version: j.version + 1, syncedAt: now.toISOString() }));
    await t.rejects(jobs.update({ ...old, version: 2 }, jobEventFor(old, cancelJob(old, now))), ConcurrentUpdate, 'a stale write with an event still loses the race');
  });
});
