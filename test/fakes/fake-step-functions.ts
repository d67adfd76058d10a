// A small Step Functions stand-in that speaks the SDK's wire protocol (awsJson1_0: POST / with
// X-Amz-Target: AWSStepFunctions.<Operation>), so the real SFNClient and StepFunctionsWorkflow are
// exercised end to end. Tests finish executions by hand and can make the service throttle, fail or hang.
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { closeServer, listenOnLoopback } from './loopback-server.ts';

/** What `start` needs of its caller: a tap Test, or anything else that runs clean-ups at the end. */
export interface Teardown {
  teardown(fn: () => unknown): void;
}

export type Operation = 'StartExecution' | 'DescribeExecution' | 'StopExecution' | 'DescribeStateMachine';
export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED' | 'PENDING_REDRIVE';

export interface FakeExecution {
  executionArn: string;
  name: string;
  input: string;
  status: ExecutionStatus;
  startDate: number;
  stopDate?: number;
  output?: string;
  error?: string;
  cause?: string;
}

/** An error reply (`__type` and HTTP status), or `hang`: accept the request and never answer. */
export type Fault = { status: number; type: string; message?: string } | 'hang';

type Reply = [status: number, body: Record<string, unknown>];

const error = (type: string, message: string, status = 400): Reply => [status, { __type: type, message }];
const seconds = (): number => Date.now() / 1000;

export class FakeStepFunctions {
  readonly executions = new Map<string, FakeExecution>();
  readonly calls: { operation: string; body: Record<string, unknown> }[] = [];
  private faults: { fault: Fault; operation?: Operation; times: number }[] = [];
  /** Runs each new execution (e.g. the real definition, test/helpers/state-machine.ts); StopExecution aborts it. */
  runner: ((execution: FakeExecution) => { abort(): void }) | undefined;
  private readonly runs = new Map<string, { abort(): void }>();

  /** Where the SDK client should send its requests; set once the server listens. */
  endpoint = '';
  private server: Server | undefined;

  readonly stateMachineArn: string;
  private constructor(stateMachineArn: string) {
    this.stateMachineArn = stateMachineArn;
  }

  static async start(t: Teardown, stateMachineArn = 'arn:aws:states:us-east-1:123456789012:stateMachine:omnigen-video'): Promise<FakeStepFunctions> {
    const fake = new FakeStepFunctions(stateMachineArn);
    ({ server: fake.server, endpoint: fake.endpoint } = await listenOnLoopback((req, res) => void fake.handle(req, res)));
    t.teardown(() => fake.close());
    return fake;
  }

  /** Stops answering (an outage, for readiness tests); safe to call more than once. */
  async close(): Promise<void> {
    await closeServer(this.server);
  }

  executionArnOf(name: string): string {
    return `${this.stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
  }

  /** The execution named `name` (a job id); throws if there is none. */
  execution(name: string): FakeExecution {
    const execution = this.executions.get(this.executionArnOf(name));
    if (!execution) throw new Error(`no execution named ${name}`);
    return execution;
  }

  succeed(name: string, output: unknown): void {
    Object.assign(this.execution(name), { status: 'SUCCEEDED', output: JSON.stringify(output), stopDate: seconds() });
  }

  finish(name: string, status: Exclude<ExecutionStatus, 'RUNNING' | 'SUCCEEDED'>, details: { error?: string; cause?: string } = {}): void {
    Object.assign(this.execution(name), { status, stopDate: seconds(), ...details });
  }

  /** The next `times` calls (of `operation`, or of any) meet `fault`. */
  failNext(fault: Fault, options: { operation?: Operation; times?: number } = {}): void {
    this.faults.push({ fault, operation: options.operation, times: options.times ?? 1 });
  }

  /** Every call meets `fault` until `heal()`. */
  refuse(fault: Fault, operation?: Operation): void {
    this.failNext(fault, { operation, times: Infinity });
  }

  heal(): void {
    this.faults = [];
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const target = String(req.headers['x-amz-target'] ?? '');
    const operation = target.startsWith('AWSStepFunctions.') ? target.slice('AWSStepFunctions.'.length) : '';
    let reply: Reply | undefined;
    if (req.method !== 'POST' || req.headers['content-type'] !== 'application/x-amz-json-1.0') {
      reply = error('SerializationException', 'expected POST with application/x-amz-json-1.0');
    }
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
    this.calls.push({ operation, body });
    const fault = this.takeFault(operation);
    if (fault === 'hang') return; // the client's request timeout has to end this
    if (fault) reply = error(fault.type, fault.message ?? fault.type, fault.status);
    reply ??= this.answer(operation, body);
    res.writeHead(reply[0], { 'content-type': 'application/x-amz-json-1.0' });
    res.end(JSON.stringify(reply[1]));
  }

  private takeFault(operation: string): Fault | undefined {
    const entry = this.faults.find((f) => f.times > 0 && (f.operation === undefined || f.operation === operation));
    if (!entry) return undefined;
    entry.times--;
    return entry.fault;
  }

  private answer(operation: string, body: Record<string, unknown>): Reply {
    switch (operation) {
      case 'StartExecution':
        return this.startExecution(body);
      case 'DescribeExecution': {
        const execution = this.executions.get(String(body.executionArn));
        if (!execution) return error('ExecutionDoesNotExist', `Execution Does Not Exist: '${String(body.executionArn)}'`);
        return [200, { ...execution, stateMachineArn: this.stateMachineArn }];
      }
      case 'StopExecution': {
        const execution = this.executions.get(String(body.executionArn));
        if (!execution) return error('ExecutionDoesNotExist', `Execution Does Not Exist: '${String(body.executionArn)}'`);
        if (execution.status === 'RUNNING') {
          Object.assign(execution, { status: 'ABORTED', stopDate: seconds() });
          this.runs.get(execution.executionArn)?.abort();
        }
        return [200, { stopDate: execution.stopDate }];
      }
      case 'DescribeStateMachine':
        if (body.stateMachineArn !== this.stateMachineArn) return error('StateMachineDoesNotExist', 'State Machine Does Not Exist');
        return [200, { stateMachineArn: this.stateMachineArn, name: 'omnigen-video', status: 'ACTIVE', definition: '{}', roleArn: 'arn:aws:iam::123456789012:role/sfn', type: 'STANDARD', creationDate: seconds() }];
      default:
        return error('UnknownOperationException', `unknown operation "${operation}"`);
    }
  }

  // As in AWS: a start repeating a running execution's name and input is idempotent; any other reuse of
  // the name (different input, or an execution that ended) is ExecutionAlreadyExists.
  private startExecution(body: Record<string, unknown>): Reply {
    if (body.stateMachineArn !== this.stateMachineArn) return error('StateMachineDoesNotExist', 'State Machine Does Not Exist');
    const name = String(body.name);
    const input = String(body.input ?? '{}');
    const existing = this.executions.get(this.executionArnOf(name));
    if (existing && (existing.status !== 'RUNNING' || existing.input !== input)) {
      return error('ExecutionAlreadyExists', `Execution Already Exists: '${existing.executionArn}'`);
    }
    const execution = existing ?? { executionArn: this.executionArnOf(name), name, input, status: 'RUNNING' as const, startDate: seconds() };
    this.executions.set(execution.executionArn, execution);
    if (!existing && this.runner) this.runs.set(execution.executionArn, this.runner(execution));
    return [200, { executionArn: execution.executionArn, startDate: execution.startDate }];
  }
}
