import type { Clock } from '../../src/application/ports/clock.ts';

/** A clock the test moves by hand. */
export class FakeClock implements Clock {
  private ms: number;
  constructor(start = '2026-11-27T10:00:00.000Z') {
    this.ms = Date.parse(start);
  }
  now(): Date {
    return new Date(this.ms);
  }
  nowMs = (): number => this.ms;
  advance(ms: number): void {
    this.ms += ms;
  }
  set(iso: string): void {
    this.ms = Date.parse(iso);
  }
}
