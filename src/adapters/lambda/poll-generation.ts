import type { WorkflowSteps } from '../../application/workflow-steps.ts';
import { field } from './lambda-event.ts';

/** `{ jobId, generationId }` → `{ done }`, having written progress and stage to the job. */
export const createHandler = (steps: () => Pick<WorkflowSteps, 'pollGeneration'>) => async (event: unknown) =>
  steps().pollGeneration.execute({ jobId: field(event, 'jobId'), generationId: field(event, 'generationId') });
