/** The event did not carry what the step needs: a definition or deployment bug, never retried. */
export class InvalidEvent extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidEvent';
  }
}

/** The string `name` of a step's event (the state machine passes `{ jobId, … }` as the Lambda's payload). */
export function field(event: unknown, name: string): string {
  const value = (event as Record<string, unknown> | null)?.[name];
  if (typeof value !== 'string' || value === '') throw new InvalidEvent(`event has no "${name}"`);
  return value;
}
