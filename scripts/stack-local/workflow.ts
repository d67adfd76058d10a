// The template's state machine and Lambda functions, run locally: the DefinitionString with its
// DefinitionSubstitutions resolved, executed by aws-local-stepfunctions; each Task's FunctionName found
// among the template's functions, invoked (when the state machine's role may invoke it) through the
// Lambda pool; executions started, described and stopped through the Step Functions API stand-in.
import { join } from 'node:path';
import { ExecutionAbortedError, ExecutionError, ExecutionTimeoutError, StateMachine } from 'aws-local-stepfunctions';
import { FakeStepFunctions, type FakeExecution } from '../../test/fakes/fake-step-functions.ts';
import type { IamPolicies } from './iam-policies.ts';
import { LambdaError, type LambdaFunction, type LambdaPool } from './lambda-pool.ts';
import type { Json, Template } from './template.ts';

export interface WorkflowTimings {
  /** Every Wait state lasts this long (ms) instead of its Seconds. */
  waitMs?: number;
  /** Every Retry pauses this long (ms) instead of its IntervalSeconds and backoff. */
  retryMs?: number;
}

interface TaskState {
  Type: string;
  Resource?: string;
  Parameters?: { FunctionName?: string };
  Retry?: unknown[];
}

/** The Lambda functions the template declares, with the environment each gets (`runtimeEnv` adds Lambda's own). */
export function templateFunctions(template: Template, runtimeEnv: (id: string, name: string, memoryMb: number) => Record<string, string>): LambdaFunction[] {
  return template.ofType('AWS::Lambda::Function').map((id) => {
    const resource = template.resource(id);
    const props = resource.Properties ?? {};
    const [module, exportName] = String(props.Handler).split(/\.(?=[^.]+$)/) as [string, string];
    const assetPath = resource.Metadata?.['aws:asset:path'];
    if (typeof assetPath !== 'string') throw new Error(`${id}: no aws:asset:path in its metadata, so no code to run`);
    const taskRoot = join(template.dir, assetPath);
    const name = template.ref(id);
    const memoryMb = Number(props.MemorySize ?? 128);
    const variables = template.resolve((props.Environment as { Variables?: Json } | undefined)?.Variables ?? {}) as Record<string, Json>;
    const env = { ...Object.fromEntries(Object.entries(variables).map(([k, v]) => [k, String(v)])), ...runtimeEnv(id, name, memoryMb) };
    return { id, name, arn: template.attribute(id, 'Arn'), file: join(taskRoot, `${module}.mjs`), exportName, taskRoot, env, memoryMb, timeoutSeconds: Number(props.Timeout ?? 3) };
  });
}

export interface TemplateWorkflow {
  sfn: FakeStepFunctions;
  stateMachineArn: string;
  definition: Record<string, unknown>;
}

export async function startTemplateWorkflow(options: {
  template: Template;
  iam: IamPolicies;
  functions: LambdaFunction[];
  pool: LambdaPool;
  timings: WorkflowTimings;
  teardown: (fn: () => unknown) => void;
}): Promise<TemplateWorkflow> {
  const { template, iam, functions, pool, timings } = options;
  const [machineId, ...more] = template.ofType('AWS::StepFunctions::StateMachine');
  if (!machineId || more.length > 0) throw new Error(`stack:local runs exactly one state machine; the template has ${more.length + (machineId ? 1 : 0)}`);
  const props = template.resource(machineId).Properties ?? {};
  const substitutions = template.resolve(props.DefinitionSubstitutions ?? {}) as Record<string, Json>;
  const text = template.string(props.DefinitionString).replace(/\$\{([^}]+)\}/g, (whole, name: string) => (name in substitutions ? String(substitutions[name]) : whole));
  const definition = JSON.parse(text) as { States: Record<string, TaskState> };
  const roleArn = template.string(props.RoleArn);
  const role = [...iam.roles.values()].find((r) => r.arn === roleArn);
  if (!role) throw new Error(`the state machine's role ${roleArn} is not a role of the template`);

  const handlers: Record<string, (input: unknown) => Promise<unknown>> = {};
  for (const [stateName, state] of Object.entries(definition.States)) {
    if (state.Type !== 'Task' || !state.Resource) continue;
    const optimized = state.Resource === 'arn:aws:states:::lambda:invoke';
    const target = optimized ? state.Parameters?.FunctionName : state.Resource;
    if (!target) throw new Error(`state ${stateName}: a Task stack:local cannot run (${state.Resource})`);
    handlers[stateName] = async (input: unknown) => {
      // Lambda names a function by name, ARN, or ARN with a qualifier.
      const fn = functions.find((f) => target === f.arn || target === f.name || target.startsWith(`${f.arn}:`));
      if (!fn) throw new LambdaError('Lambda.ResourceNotFoundException', { errorType: 'Lambda.ResourceNotFoundException', errorMessage: `Function not found: ${target}` });
      if (!iam.allows(role, 'lambda:InvokeFunction', fn.arn)) {
        throw new LambdaError('Lambda.AWSLambdaException', { errorType: 'Lambda.AWSLambdaException', errorMessage: `${role.arn} is not authorized to perform: lambda:InvokeFunction on resource: ${fn.arn}` });
      }
      if (!optimized) return pool.invoke(fn, input);
      const payload = await pool.invoke(fn, (input as { Payload?: unknown }).Payload ?? input);
      return { ExecutedVersion: '$LATEST', Payload: payload, StatusCode: 200 };
    };
  }
  const states = Object.entries(definition.States);
  const waitTimeOverrides = timings.waitMs === undefined ? undefined : Object.fromEntries(states.filter(([, s]) => s.Type === 'Wait').map(([n]) => [n, timings.waitMs as number]));
  const retryIntervalOverrides = timings.retryMs === undefined ? undefined : Object.fromEntries(states.filter(([, s]) => s.Retry).map(([n]) => [n, timings.retryMs as number]));
  const machine = new StateMachine(definition as never, { validationOptions: { checkArn: true, checkPaths: true } });

  const stateMachineArn = template.ref(machineId);
  const sfn = await FakeStepFunctions.start({ teardown: options.teardown }, stateMachineArn);
  sfn.runner = (execution: FakeExecution) => {
    const run = machine.run(JSON.parse(execution.input) as never, {
      overrides: { taskResourceLocalHandlers: handlers as never, ...(waitTimeOverrides && { waitTimeOverrides }), ...(retryIntervalOverrides && { retryIntervalOverrides }) },
      context: { Execution: { Id: execution.executionArn, Name: execution.name, RoleArn: roleArn }, StateMachine: { Id: stateMachineArn, Name: template.attribute(machineId, 'Name') } } as never,
    });
    run.result.then(
      (output: unknown) => {
        if (execution.status === 'RUNNING') sfn.succeed(execution.name, output);
      },
      (err: unknown) => {
        if (execution.status !== 'RUNNING' || err instanceof ExecutionAbortedError) return;
        if (err instanceof ExecutionTimeoutError) return sfn.finish(execution.name, 'TIMED_OUT', { error: 'States.Timeout' });
        const cause = err instanceof ExecutionError ? (err.cause as Error) : (err as Error);
        sfn.finish(execution.name, 'FAILED', { error: cause?.name ?? 'States.Runtime', cause: cause?.message ?? String(err) });
      },
    );
    return { abort: () => run.abort() };
  };
  return { sfn, stateMachineArn, definition };
}
