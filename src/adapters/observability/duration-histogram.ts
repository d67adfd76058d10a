// A bounded histogram of durations, written as the value object CloudWatch accepts in an EMF
// document: { Values, Counts, Count, Sum, Min, Max }. CloudWatch computes percentiles from
// Values/Counts, so p99 alarms work although we send one line per minute instead of one per request.
// EMF rejects a metric with more than 100 values:
// https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html

export const MAX_VALUES = 100;

/** Buckets start 5 % wide, so a reported percentile is within about 2.5 % of the true one. */
const GROWTH = Math.log(1.05);
/** Durations at or below this share one bucket (log of 0 is undefined). */
const FLOOR_MS = 0.01;
const ZERO_KEY = Number.MIN_SAFE_INTEGER;

export interface HistogramValue {
  Values: number[];
  Counts: number[];
  Count: number;
  Sum: number;
  Min: number;
  Max: number;
}

interface Bucket {
  count: number;
  sum: number;
}

export class DurationHistogram {
  private readonly buckets = new Map<number, Bucket>();
  private count = 0;
  private sum = 0;
  private min = Infinity;
  private max = -Infinity;

  /** Each coarsening doubles the bucket width: 5 %, 10 %, 21 %, … */
  private scale = 0;

  add(durationMs: number): void {
    const value = Number.isFinite(durationMs) && durationMs > 0 ? durationMs : 0;
    this.count += 1;
    this.sum += value;
    this.min = Math.min(this.min, value);
    this.max = Math.max(this.max, value);
    this.addToBucket(this.keyOf(value), 1, value);
    // A spread wider than 100 buckets costs resolution, never the EMF limit or the totals.
    while (this.buckets.size > MAX_VALUES) this.coarsen();
  }

  /** Each bucket is represented by the mean of its samples, so Values never drift far from reality. */
  toEmf(): HistogramValue {
    const values: number[] = [];
    const counts: number[] = [];
    for (const key of [...this.buckets.keys()].sort((a, b) => a - b)) {
      const bucket = this.buckets.get(key) as Bucket;
      values.push(round(bucket.sum / bucket.count));
      counts.push(bucket.count);
    }
    return { Values: values, Counts: counts, Count: this.count, Sum: round(this.sum), Min: round(this.min), Max: round(this.max) };
  }

  private keyOf(value: number): number {
    return value <= FLOOR_MS ? ZERO_KEY : Math.round(Math.log(value) / (GROWTH * 2 ** this.scale));
  }

  private addToBucket(key: number, count: number, sum: number): void {
    const bucket = this.buckets.get(key);
    if (bucket) {
      bucket.count += count;
      bucket.sum += sum;
    } else {
      this.buckets.set(key, { count, sum });
    }
  }

  /** Re-buckets every bucket by its mean at twice the width; counts and sums carry over exactly. */
  private coarsen(): void {
    this.scale += 1;
    const old = [...this.buckets.values()];
    this.buckets.clear();
    for (const b of old) this.addToBucket(this.keyOf(b.sum / b.count), b.count, b.sum);
  }
}

/** Microsecond precision is plenty for request durations and keeps the lines short. */
function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
