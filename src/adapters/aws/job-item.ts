// A job as a DynamoDB item and back. The item is the job's own fields plus the index sort key; reading
// picks the known fields only, so attributes a workflow adds for itself never leak into API responses.
import { isJobCategory, isJobStatus, type Job, type JobFailure, type VideoFacts } from '../../domain/job.ts';
import type { JobEvent } from '../../domain/job-event.ts';
import type { JobPosition } from '../../application/ports/job-repository.ts';
import { JOB_LIST_KEY, OUTBOX_KEY, PENDING_EVENTS } from './table-definitions.ts';

/** The job's fields a write may leave out (the rest are always there); an update removes those it leaves out. */
const OPTIONAL_FIELDS = [
  'stage', 'failure', 'options', 'model', 'provider', 'settings', 'estimatedCostUsd', 'costUsd', 'videoKey', 'thumbnailKey', 'video',
  'generationId', 'executionArn', 'syncedAt',
] as const;
/** The outbox index's one partition: every job with undispatched events. */
export const EVENTS_PENDING = 'JOB_EVENTS';

export function listKey(position: JobPosition): string {
  return `${position.createdAt}#${position.jobId}`;
}

export function jobToItem(job: Job): Record<string, unknown> {
  const item: Record<string, unknown> = { [JOB_LIST_KEY]: listKey(job) };
  // DynamoDB refuses undefined values; an absent optional field is simply not stored.
  for (const [name, value] of Object.entries(job)) if (value !== undefined) item[name] = value;
  return item;
}

/** A new job's item: the job, its outbox (always present, so an update can add to it) and the index key if it has an event. */
export function newJobItem(job: Job, event: JobEvent | undefined): Record<string, unknown> {
  const item = jobToItem(job);
  item[PENDING_EVENTS] = event ? { [event.eventId]: JSON.stringify(event) } : {};
  if (event) item[OUTBOX_KEY] = EVENTS_PENDING;
  return item;
}

export interface ItemUpdate {
  UpdateExpression: string;
  ExpressionAttributeNames: Record<string, string>;
  ExpressionAttributeValues: Record<string, unknown>;
}

/**
 * The UpdateItem that writes `job` over the stored one, only if the stored version is the one before, and
 * adds `event` to the item's outbox in the same write (an UpdateItem, not a Put, so the undispatched events
 * already there stay). `wholeOutbox` sets the outbox map itself, for an item written before it existed.
 */
export function jobUpdate(job: Job, event: JobEvent | undefined, wholeOutbox = false): ItemUpdate & { ConditionExpression: string } {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = { ':previous': job.version - 1 };
  const sets: string[] = [];
  const item = jobToItem(job);
  delete item.jobId;
  Object.entries(item).forEach(([name, value], i) => {
    names[`#f${i}`] = name;
    values[`:f${i}`] = value;
    sets.push(`#f${i} = :f${i}`);
  });
  const removes = OPTIONAL_FIELDS.filter((name) => job[name] === undefined).map((name, i) => ((names[`#r${i}`] = name), `#r${i}`));
  let condition = '#version = :previous';
  names['#version'] = 'version';
  if (event) {
    names['#outbox'] = PENDING_EVENTS;
    names['#pending'] = OUTBOX_KEY;
    values[':pending'] = EVENTS_PENDING;
    sets.push('#pending = :pending');
    if (wholeOutbox) {
      values[':outbox'] = { [event.eventId]: JSON.stringify(event) };
      sets.push('#outbox = :outbox');
      condition += ' AND attribute_not_exists(#outbox)';
    } else {
      names['#event'] = event.eventId;
      values[':event'] = JSON.stringify(event);
      sets.push('#outbox.#event = :event');
    }
  }
  const update = `SET ${sets.join(', ')}${removes.length > 0 ? ` REMOVE ${removes.join(', ')}` : ''}`;
  return { UpdateExpression: update, ConditionExpression: condition, ExpressionAttributeNames: names, ExpressionAttributeValues: values };
}

function text(item: Record<string, unknown>, name: string): string {
  const value = item[name];
  if (typeof value !== 'string') throw new Error(`job item has no string "${name}"`);
  return value;
}

function optionalText(item: Record<string, unknown>, name: string): string | undefined {
  const value = item[name];
  return typeof value === 'string' ? value : undefined;
}

function failureOf(value: unknown): JobFailure | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { code, message } = value as Record<string, unknown>;
  return typeof code === 'string' && typeof message === 'string' ? { code, message } : undefined;
}

function videoOf(value: unknown): VideoFacts | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { durationSeconds, width, height, sizeBytes, contentType } = value as Record<string, unknown>;
  const numbers = [durationSeconds, width, height, sizeBytes].map(Number);
  if (numbers.some((n) => !Number.isFinite(n)) || typeof contentType !== 'string') return undefined;
  const [d, w, h, size] = numbers as [number, number, number, number];
  return { durationSeconds: d, width: w, height: h, sizeBytes: size, contentType };
}

function objectOf(value: unknown): object | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  // The document client reads DynamoDB numbers as JS numbers already; copy so the item is not shared.
  return { ...value };
}

function numberOf(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

export function itemToJob(item: Record<string, unknown>): Job {
  const status = item.status;
  const category = item.category;
  if (!isJobStatus(status) || !isJobCategory(category)) throw new Error(`job item ${String(item.jobId)} has an unknown status or category`);
  const job: { -readonly [K in keyof Job]: Job[K] } = {
    jobId: text(item, 'jobId'),
    userId: text(item, 'userId'),
    prompt: text(item, 'prompt'),
    category,
    status,
    progress: Number(item.progress ?? 0),
    createdAt: text(item, 'createdAt'),
    updatedAt: text(item, 'updatedAt'),
    version: Number(item.version ?? 0),
  };
  const optional = { stage: optionalText(item, 'stage'), failure: failureOf(item.failure), videoKey: optionalText(item, 'videoKey'),
    thumbnailKey: optionalText(item, 'thumbnailKey'), video: videoOf(item.video), generationId: optionalText(item, 'generationId'), executionArn: optionalText(item, 'executionArn'), syncedAt: optionalText(item, 'syncedAt') };
  for (const [name, value] of Object.entries(optional)) if (value !== undefined) Object.assign(job, { [name]: value });
  // What the job asked of the model and what it cost: maps and numbers as the job wrote them.
  const generation = {
    options: objectOf(item.options), model: optionalText(item, 'model'), provider: optionalText(item, 'provider'),
    settings: objectOf(item.settings), estimatedCostUsd: numberOf(item.estimatedCostUsd), costUsd: numberOf(item.costUsd),
  };
  for (const [name, value] of Object.entries(generation)) if (value !== undefined) Object.assign(job, { [name]: value });
  return job;
}
