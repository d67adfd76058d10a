import { randomUUID } from 'node:crypto';
import {
  DescribeExecutionCommand,
  DescribeStateMachineCommand,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  StartExecutionCommand,
  StopExecutionCommand,
  type DescribeExecutionOutput,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import { failureOf, isFailureCode } from '../../domain/failure-codes.ts';
import type { Job } from '../../domain/job.ts';
import type { Clock } from '../../application/ports/clock.ts';
import type { VideoWorkflow, WorkflowState } from '../../application/ports/video-workflow.ts';
import { callAws } from './aws-errors.ts';

/** What an execution receives as input (docs/aws-mode.md). */
export interface WorkflowInput {
  jobId: string;
  userId: string;
  prompt: string;
  category: string;
  /** The id of the API request that started the job: every function logs it with the job (docs/workflow.md). */
  requestId: string;
}

export interface StepFunctionsWorkflowOptions {
  stateMachineArn: string;
  clock: Clock;
  /** A job whose execution is missing for longer than this after creation is reported failed. */
  startGraceMs?: number;
  /** The current request's id (the API's log context); a start outside a request gets a fresh one. */
  requestId?: () => string | undefined;
}

/**
 * Video generation as a Step Functions (Standard) execution named by the job id, which makes starting
 * idempotent: a second start of the same job finds the first execution.
 */
export class StepFunctionsWorkflow implements VideoWorkflow {
  private readonly stateMachineArn: string;
  private readonly clock: Clock;
  private readonly startGraceMs: number;
  private readonly requestId: () => string | undefined;

  private readonly sfn: SFNClient;
  constructor(
    sfn: SFNClient,
    options: StepFunctionsWorkflowOptions,
  ) {
    this.sfn = sfn;
    this.stateMachineArn = options.stateMachineArn;
    this.clock = options.clock;
    this.startGraceMs = options.startGraceMs ?? 60_000;
    this.requestId = options.requestId ?? (() => undefined);
  }

  /** arn:aws:states:region:account:stateMachine:name → arn:aws:states:region:account:execution:name:jobId */
  executionArnOf(jobId: string): string {
    return `${this.stateMachineArn.replace(':stateMachine:', ':execution:')}:${jobId}`;
  }

  async start(job: Job): Promise<{ executionArn?: string }> {
    // Always set: the definition's Payloads read $.requestId, and a missing path fails the execution.
    const requestId = this.requestId() ?? randomUUID();
    const input: WorkflowInput = { jobId: job.jobId, userId: job.userId, prompt: job.prompt, category: job.category, requestId };
    const command = new StartExecutionCommand({ stateMachineArn: this.stateMachineArn, name: job.jobId, input: JSON.stringify(input) });
    return callAws('Step Functions', async () => {
      try {
        const out = await this.sfn.send(command);
        return { executionArn: out.executionArn ?? this.executionArnOf(job.jobId) };
      } catch (err) {
        // An execution with this name exists (a retried start, or one that already ended): it is this job's.
        if (err instanceof ExecutionAlreadyExists) return { executionArn: this.executionArnOf(job.jobId) };
        throw err;
      }
    });
  }

  async stop(job: Job): Promise<void> {
    // No error/cause: with them, stopping an encrypted execution would also need KMS permissions.
    const command = new StopExecutionCommand({ executionArn: job.executionArn ?? this.executionArnOf(job.jobId) });
    await callAws('Step Functions', async () => {
      try {
        await this.sfn.send(command);
      } catch (err) {
        if (!(err instanceof ExecutionDoesNotExist)) throw err;
      }
    });
  }

  async describe(job: Job): Promise<WorkflowState | undefined> {
    const command = new DescribeExecutionCommand({ executionArn: job.executionArn ?? this.executionArnOf(job.jobId) });
    const out = await callAws('Step Functions', async () => {
      try {
        return await this.sfn.send(command);
      } catch (err) {
        if (err instanceof ExecutionDoesNotExist) return undefined;
        throw err;
      }
    });
    if (out) return stateOf(out);
    // Between saving a job and starting its execution there is no execution yet; long after, there never will be.
    const age = this.clock.now().getTime() - Date.parse(job.createdAt);
    if (age < this.startGraceMs) return undefined;
    return { status: 'failed', failure: failureOf('WORKFLOW_NOT_FOUND') };
  }

  /** Readiness: the state machine exists and these credentials may use it. */
  async check(): Promise<void> {
    await callAws('Step Functions', () => this.sfn.send(new DescribeStateMachineCommand({ stateMachineArn: this.stateMachineArn })));
  }
}

function videoKeyOf(output: string | undefined): string | undefined {
  try {
    const parsed: unknown = JSON.parse(output ?? 'null');
    const videoKey = (parsed as { videoKey?: unknown } | null)?.videoKey;
    return typeof videoKey === 'string' && videoKey !== '' ? videoKey : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The engine's status as a job state. The execution's `cause` is not shown to users: for a failed
 * Lambda task it holds the function's error message and stack trace. Its `error` becomes the failure
 * code only when it is one of the job failure codes (the Fail states end with the code FailJob recorded,
 * or WORKFLOW_FAILED when FailJob itself could not run); a raw error name (`Error`, `States.Timeout`, a
 * Lambda's exception) never reaches a user.
 */
export function stateOf(out: DescribeExecutionOutput): WorkflowState {
  switch (out.status) {
    case 'SUCCEEDED': {
      const videoKey = videoKeyOf(out.output);
      if (videoKey) return { status: 'completed', videoKey };
      return { status: 'failed', failure: failureOf('WORKFLOW_OUTPUT_INVALID') };
    }
    case 'FAILED':
      return { status: 'failed', failure: failureOf(isFailureCode(out.error) ? out.error : 'WORKFLOW_FAILED') };
    case 'TIMED_OUT':
      return { status: 'failed', failure: failureOf('WORKFLOW_TIMED_OUT') };
    // Stopped outside this API (a user's cancel marks the job canceled before stopping, so its record is
    // already terminal and never reaches here): the user did not ask for it, so it is a failure.
    case 'ABORTED':
      return { status: 'failed', failure: failureOf('WORKFLOW_ABORTED') };
    default:
      // RUNNING, and PENDING_REDRIVE (a failed execution about to be redriven).
      return { status: 'processing' };
  }
}
