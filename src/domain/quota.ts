// The monthly job quota. A period is a UTC calendar month, written "YYYY-MM".

export interface Quota {
  used: number;
  limit: number;
  remaining: number;
  period: string;
  resetsAt: string;
}

export function periodOf(at: Date): string {
  return at.toISOString().slice(0, 7);
}

/** The first instant of the month after `period`, in UTC. */
export function periodEnd(period: string): Date {
  const [year, month] = period.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(year, month, 1));
}

export function quotaOf(used: number, limit: number, at: Date): Quota {
  const period = periodOf(at);
  return {
    used,
    limit,
    remaining: Math.max(0, limit - used),
    period,
    resetsAt: periodEnd(period).toISOString(),
  };
}
