export interface SoakOptions {
  base: string;
  users: number;
  durationMs: number;
  concurrency?: number;
  rss: () => number | Promise<number>;
  sampleMs?: number;
  log?: (line: string) => void;
  maxRequests?: number;
  /** Numbers in [0, 1) that pick users and operations (default Math.random; seededRandom for a fixed sequence). */
  random?: () => number;
}
export interface SoakResult {
  users: number;
  requests: number;
  seconds: number;
  rps: number;
  statuses: Record<string, number>;
  fivexx: number;
  networkErrors: string[];
  serverErrors: string[];
  accepted: number;
  owners: number;
  lost: string[];
  rssFirstMiB: number;
  rssLastMiB: number;
  rssPeakMiB: number;
  samples: number;
}
export function seededRandom(seed: number): () => number;
export function assertLoopback(base: string): void;
export function soak(options: SoakOptions): Promise<SoakResult>;
export function violations(result: SoakResult, options?: { maxRssGrowth?: number; perJobKiB?: number }): string[];
