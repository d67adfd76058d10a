import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { CancelJob } from '../../../application/cancel-job.ts';
import type { CreateJob } from '../../../application/create-job.ts';
import type { GetJob } from '../../../application/get-job.ts';
import type { GetVideoUrl } from '../../../application/get-video-url.ts';
import type { ListJobs } from '../../../application/list-jobs.ts';
import { ErrorBody } from '../http-error.ts';
import { principalOf } from '../plugins/auth.plugin.ts';
import {
  authErrors,
  bearer,
  CreateJobBody,
  CreateJobHeaders,
  Job,
  JobAccepted,
  JobIdParams,
  JobList,
  ListJobsQuery,
  VideoUrl,
} from '../schemas.ts';

export interface JobRoutesOptions {
  createJob: CreateJob;
  listJobs: ListJobs;
  getJob: GetJob;
  getVideoUrl: GetVideoUrl;
  cancelJob: CancelJob;
}

/** Thin handlers: HTTP in, one use case, HTTP out. Authentication and rate limit run before these. */
export const jobRoutes: FastifyPluginAsyncTypebox<JobRoutesOptions> = async (app, uc) => {
  const tags = ['jobs'];
  const byId = { 400: ErrorBody, 404: ErrorBody, ...authErrors };

  app.post('/jobs', {
    schema: {
      tags, security: bearer, summary: 'Start generating a video',
      headers: CreateJobHeaders, body: CreateJobBody,
      response: { 202: JobAccepted, 400: ErrorBody, 413: ErrorBody, 415: ErrorBody, 422: ErrorBody, ...authErrors },
    },
  }, async (request, reply) => {
    const { prompt, category, webhook, ...options } = request.body;
    const { job } = await uc.createJob.execute({
      userId: principalOf(request).userId,
      prompt,
      category,
      options,
      webhook,
      idempotencyKey: request.headers['idempotency-key'],
    });
    request.logContext.jobId = job.jobId;
    reply.code(202).header('location', `/api/v1/jobs/${job.jobId}`);
    return { ...job, message: 'Video generation started' };
  });

  app.get('/jobs', {
    schema: {
      tags, security: bearer, summary: "The caller's jobs, newest first",
      querystring: ListJobsQuery, response: { 200: JobList, 400: ErrorBody, ...authErrors },
    },
  }, async (request) =>
    uc.listJobs.execute({ userId: principalOf(request).userId, ...request.query }),
  );

  app.get('/jobs/:id', {
    schema: { tags, security: bearer, summary: 'One job', params: JobIdParams, response: { 200: Job, ...byId } },
  }, async (request) => uc.getJob.execute({ userId: principalOf(request).userId, jobId: request.params.id }));

  app.get('/jobs/:id/video', {
    schema: {
      tags, security: bearer, summary: 'A time-limited URL of the finished video (and of its thumbnail, when it has one)',
      params: JobIdParams, response: { 200: VideoUrl, 409: ErrorBody, ...byId },
    },
  }, async (request) => uc.getVideoUrl.execute({ userId: principalOf(request).userId, jobId: request.params.id }));

  app.post('/jobs/:id/cancel', {
    schema: {
      tags, security: bearer, summary: 'Cancel a job that has not ended',
      params: JobIdParams, response: { 202: Job, 409: ErrorBody, 415: ErrorBody, ...byId },
    },
  }, async (request, reply) => {
    const job = await uc.cancelJob.execute({ userId: principalOf(request).userId, jobId: request.params.id });
    return reply.code(202).send(job);
  });
};
