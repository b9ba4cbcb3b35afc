import type { Clock } from '../../src/ca/index.js';

/** A clock a test moves by hand: forward by a duration, or to a moment. */
export class ManualClock implements Clock {
  constructor(private at: number = Date.now()) {}

  now(): Date {
    return new Date(this.at);
  }

  advance(ms: number): void {
    this.at += ms;
  }

  set(to: Date): void {
    this.at = to.getTime();
  }
}
