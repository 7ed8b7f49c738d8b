// The shape every benchmark module has, and the side-by-side timing loop they share.

/** One measured figure: printed as one JSON line by `npm run bench`. */
export interface Figure {
  /** The benchmark's name, e.g. `parse-check`. */
  bench: string;
  /** What was measured, e.g. `dsl/kvm-2016.fault`. */
  subject: string;
  /** The unit, e.g. `ms_per_run`, `mb_per_s`, `walks_per_s`. */
  metric: string;
  value: number;
  /** Timed repetitions the median was taken over (warm-up not counted). */
  runs: number;
  /** More fields of the JSON line, after those above (bench/table.ts: the yardstick, ratio, goal). */
  extra?: Record<string, unknown>;
}

/** What `npm run bench` was asked for, passed to every benchmark. */
export interface BenchOptions {
  /** `--quick`: fewer repetitions and subjects, for a run in a minute or two. */
  quick?: boolean;
}

/** A benchmark module: `bench/index.ts` runs each of these, or only the one named by `--only`. */
export interface Benchmark {
  name: string;
  /** One line on what it measures, for the `--only` error message. */
  description: string;
  run(options?: BenchOptions): Promise<Figure[]>;
}

export interface Subject {
  name: string;
  /** One run of the measured work. Its result is kept, so the work cannot be optimised away. */
  run(): unknown;
}

export interface TimingOptions {
  warmup: number;
  runs: number;
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

let sink: unknown;

/**
 * Times subjects side by side: every subject is warmed up first, then each repetition runs every
 * subject once, in turn, so that drift (GC, frequency scaling, other processes) touches all
 * subjects alike. Returns each subject's run times in milliseconds.
 */
export function timeSideBySide(subjects: readonly Subject[], opts: TimingOptions): Map<string, number[]> {
  for (let i = 0; i < opts.warmup; i++) for (const s of subjects) sink = s.run();
  const times = new Map<string, number[]>(subjects.map((s) => [s.name, []]));
  for (let i = 0; i < opts.runs; i++) {
    for (const s of subjects) {
      const t0 = performance.now();
      sink = s.run();
      times.get(s.name)?.push(performance.now() - t0);
    }
  }
  if (sink === timeSideBySide) throw new Error("unreachable");
  return times;
}

/** Rounds for printing: three significant decimals are plenty for a median. */
export function round(x: number): number {
  if (!Number.isFinite(x)) return x;
  const digits = Math.abs(x) >= 100 ? 1 : Math.abs(x) >= 1 ? 3 : 4;
  return Number(x.toFixed(digits));
}
