import type { WorkflowSteps } from '../../application/workflow-steps.ts';
import { field } from './lambda-event.ts';

/** `{ jobId, generationId }` → `{ videoKey, thumbnailKey? }`: the files are in the bucket and the job completed. */
export const createHandler = (steps: () => Pick<WorkflowSteps, 'storeVideo'>) => async (event: unknown) =>
  steps().storeVideo.execute({ jobId: field(event, 'jobId'), generationId: field(event, 'generationId') });
