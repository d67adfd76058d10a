// Every code a failed job can carry (`failure.code`), in one list: the workflow, the API and the webhooks
// name them from here, so a client can rely on the set (docs/api.md, the contract's Job section).

export const FAILURE_CODES = [
  'WORKFLOW_START_FAILED',
  'PROVIDER_REJECTED',
  'PROVIDER_FAILED',
  'PROVIDER_TIMEOUT',
  'WORKFLOW_FAILED',
  // What the API reads from Step Functions itself when the workflow could not say (stateOf in the adapter).
  'WORKFLOW_TIMED_OUT',
  'WORKFLOW_ABORTED',
  'WORKFLOW_NOT_FOUND',
  'WORKFLOW_OUTPUT_INVALID',
  'LOCAL_WORKFLOW_FAILED',
  'LOCAL_WORKFLOW_INTERRUPTED',
] as const;
export type FailureCode = (typeof FAILURE_CODES)[number];

/** What a user reads for each code; the engine's own error text (stack traces) never shows. */
export const FAILURE_MESSAGES: Readonly<Record<FailureCode, string>> = {
  WORKFLOW_START_FAILED: 'The video workflow could not be started',
  PROVIDER_REJECTED: 'The video model refused this prompt (for example its content policy); try another prompt',
  PROVIDER_FAILED: 'The video model could not generate this video',
  PROVIDER_TIMEOUT: 'The video model took too long; the generation was stopped',
  WORKFLOW_FAILED: 'The video could not be generated',
  WORKFLOW_TIMED_OUT: 'Video generation took too long and was stopped',
  WORKFLOW_ABORTED: 'Video generation was stopped',
  WORKFLOW_NOT_FOUND: 'The video workflow for this job was never started',
  WORKFLOW_OUTPUT_INVALID: 'The video workflow finished without a video',
  LOCAL_WORKFLOW_FAILED: 'The video could not be generated',
  LOCAL_WORKFLOW_INTERRUPTED: 'The video workflow was interrupted by a restart and could not be resumed',
};

/** The model's own failures: the ones a workflow step reports by name (GenerationFailed). */
export const GENERATION_FAILURE_CODES = ['PROVIDER_REJECTED', 'PROVIDER_FAILED', 'PROVIDER_TIMEOUT'] as const satisfies readonly FailureCode[];

export function isFailureCode(value: unknown): value is FailureCode {
  return typeof value === 'string' && (FAILURE_CODES as readonly string[]).includes(value);
}

export function failureOf(code: FailureCode): { code: FailureCode; message: string } {
  return { code, message: FAILURE_MESSAGES[code] };
}
