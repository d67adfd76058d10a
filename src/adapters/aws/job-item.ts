// A job as a DynamoDB item and back. The item is the job's own fields plus the index sort key; reading
// picks the known fields only, so attributes a workflow adds for itself never leak into API responses.
import { isJobCategory, isJobStatus, type Job, type JobFailure, type VideoFacts } from '../../domain/job.js';
import type { JobPosition } from '../../application/ports/job-repository.js';
import { JOB_LIST_KEY } from './table-definitions.js';

export function listKey(position: JobPosition): string {
  return `${position.createdAt}#${position.jobId}`;
}

export function jobToItem(job: Job): Record<string, unknown> {
  const item: Record<string, unknown> = { [JOB_LIST_KEY]: listKey(job) };
  // DynamoDB refuses undefined values; an absent optional field is simply not stored.
  for (const [name, value] of Object.entries(job)) if (value !== undefined) item[name] = value;
  return item;
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
