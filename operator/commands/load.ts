import { readFileSync, writeFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { type LoadReport, buildReport, formatReport } from '../load/report';
import { type Progress, runLoad } from '../load/run';
import { type ScenarioFile, ScenarioError, parseScenarioFile, readScenarioFile } from '../load/scenario-file';
import type { Arrival } from '../load/open';
import { parseAccessLog, replayOf } from '../load/replay';
import { type WorkerResult, WorkerResultSchema, mergeResults } from '../load/stats';
import { RESULT_PREFIX } from '../load/result-line';
import { errorMessage } from '../runtime/error-message';

// `understudy load`: the generator from a laptop or CI against any URL, and the
// worker a LoadTest's Job runs. Exit codes: 0 thresholds passed, 1 a threshold
// failed, 2 bad input or an error.

export const EXIT_PASSED = 0;
export const EXIT_FAILED = 1;
export const EXIT_ERROR = 2;

export interface LoadCommandOptions {
  file?: string;
  url?: string;
  rate?: string;
  vus?: string;
  duration?: string;
  path?: string;
  method?: string;
  connections?: string;
  maxInFlight?: string;
  thinkTime?: string;
  worker?: string;
  seed?: string;
  save?: string;
  output?: 'text' | 'json';
  progress?: boolean;
  /** A LoadTest Job's worker: the plan (scenarios with resolved URLs) from this env var. */
  planEnv?: string;
  /** Print the mergeable result as the last stdout line, for the controller to read from the log. */
  resultLine?: boolean;
  /** Replay a JSON access log (nginx or Envoy) with its original timing. */
  replay?: string;
  speedup?: string;
}

const positive = (flag: string, text: string | undefined): number | undefined => {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0)
    throw new ScenarioError(`${flag} ${JSON.stringify(text)}: must be a positive number`);
  return value;
};

/** --seed: an integer (Number("abc") is NaN, which the generator would quietly read as seed 0). */
export function parseSeed(text: string): number {
  const seed = Number(text);
  if (!/^-?\d+$/.test(text.trim()) || !Number.isSafeInteger(seed))
    throw new ScenarioError(`--seed ${JSON.stringify(text)}: must be an integer`);
  return seed;
}

/** `i/N`: this process is worker i (from 0) of N. */
export function parseWorker(text: string | undefined): { index: number; count: number } {
  if (text === undefined) return { index: 0, count: 1 };
  const match = /^(\d+)\/(\d+)$/.exec(text);
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (!match || count < 1 || index >= count)
    throw new ScenarioError(`--worker ${JSON.stringify(text)}: expected i/N with 0 <= i < N, for example 0/4`);
  return { index, count };
}

/** The test from -f, or one scenario built from flags (--rate for an open model, --vus for a closed one). */
export function scenarioFromOptions(options: LoadCommandOptions): ScenarioFile & { replays?: Map<string, Arrival[]> } {
  if (options.planEnv) {
    const text = process.env[options.planEnv];
    if (!text) throw new ScenarioError(`--plan-env ${options.planEnv}: the variable is not set`);
    let document: { replays?: Array<[string, Arrival[]]> } & Record<string, unknown>;
    try {
      document = JSON.parse(text) as typeof document;
    } catch (err) {
      throw new ScenarioError(`--plan-env ${options.planEnv}: not JSON (${(err as Error).message})`);
    }
    const { replays, ...rest } = document;
    return { ...parseScenarioFile(rest, `$${options.planEnv}`), ...(replays ? { replays: new Map(replays) } : {}) };
  }
  if (options.file) {
    const file = readScenarioFile(options.file);
    // --url overrides every target of the file: a scenario naming one of them would otherwise still send to the
    // file's URL (production's, say) while the command line says where the load goes.
    if (options.url)
      return {
        ...file,
        targets: { default: options.url },
        scenarios: file.scenarios.map((s) => ({ ...s, target: 'default' })),
      };
    return file;
  }
  if (!options.url) throw new ScenarioError('give a scenario file (-f test.yaml) or a --url to send to');
  if (options.replay) {
    let text: string;
    try {
      text = readFileSync(options.replay, 'utf8');
    } catch (err) {
      throw new ScenarioError(
        `--replay ${options.replay}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`,
      );
    }
    let replay;
    try {
      replay = replayOf(parseAccessLog(text), {
        speedup: positive('--speedup', options.speedup ?? '1') ?? 1,
        target: 'default',
      });
    } catch (err) {
      throw new ScenarioError(`--replay ${options.replay}: ${(err as Error).message}`);
    }
    return {
      targets: { default: options.url },
      scenarios: [replay.scenario],
      thresholds: [],
      replays: new Map([[replay.scenario.name, replay.arrivals]]),
    };
  }
  if ((options.rate === undefined) === (options.vus === undefined))
    throw new ScenarioError(
      'give either --rate (open model: requests per second) or --vus (closed model: virtual users)',
    );
  const open = options.rate !== undefined;
  return parseScenarioFile(
    {
      targets: { default: options.url },
      scenarios: [
        {
          name: 'default',
          executor: open ? 'constant-arrival-rate' : 'constant-vus',
          ...(open ? { rate: positive('--rate', options.rate) } : { vus: positive('--vus', options.vus) }),
          duration: options.duration ?? '10s',
          ...(options.connections ? { connections: positive('--connections', options.connections) } : {}),
          ...(options.maxInFlight ? { maxInFlight: positive('--max-in-flight', options.maxInFlight) } : {}),
          ...(options.thinkTime && !open ? { thinkTime: options.thinkTime } : {}),
          requests: [{ method: options.method ?? 'GET', path: options.path ?? '/' }],
        },
      ],
    },
    'flags',
  );
}

export function formatProgress(progress: Progress): string {
  const seconds = Math.round(progress.elapsedMs / 1000);
  return progress.scenarios
    .map(
      (s) =>
        `[${String(seconds).padStart(4)}s] ${s.name}: ${s.sent} sent, ${s.completed} done, ${s.errors} errors, ${s.dropped} dropped, p99 ${s.p99Ms.toFixed(1)} ms`,
    )
    .join('\n');
}

function emit(report: LoadReport, options: LoadCommandOptions): void {
  process.stdout.write(
    options.output === 'json' ? `${JSON.stringify(report, null, 2)}\n` : `${formatReport(report)}\n`,
  );
}

export async function runLoadCommand(options: LoadCommandOptions): Promise<number> {
  try {
    const file = scenarioFromOptions(options);
    const segment = parseWorker(options.worker);
    const controller = new AbortController();
    // Ctrl-C stops scheduling and reports what was measured; a second one kills.
    process.once('SIGINT', () => controller.abort());
    process.once('SIGTERM', () => controller.abort());
    const result = await runLoad({
      scenarios: file.scenarios,
      targets: file.targets ?? {},
      values: file.values ?? {},
      segment,
      ...(options.seed !== undefined ? { seed: parseSeed(options.seed) } : {}),
      signal: controller.signal,
      ...(file.replays ? { replays: file.replays } : {}),
      ...(options.progress !== false
        ? { onProgress: (p: Progress) => process.stderr.write(`${formatProgress(p)}\n`) }
        : {}),
    });
    if (options.save) writeFileSync(options.save, JSON.stringify(result));
    const report = buildReport(mergeResults([result]), file.thresholds);
    emit(report, options);
    if (options.resultLine) {
      process.stdout.write(`${RESULT_PREFIX}${JSON.stringify(result)}\n`);
      // A LoadTest Job's worker: the verdict is the controller's, on the merged result. Failing the pod over its own
      // share would fail the Job (backoffLimit 0) and lose every worker's result and the verdict naming the route.
      return EXIT_PASSED;
    }
    return report.passed ? EXIT_PASSED : EXIT_FAILED;
  } catch (err) {
    process.stderr.write(`${errorMessage(err)}\n`);
    return EXIT_ERROR;
  }
}

/** `understudy load merge a.json b.json`: one report from workers' saved results. */
export function runMergeCommand(paths: string[], options: { file?: string; output?: 'text' | 'json' }): number {
  try {
    const results: WorkerResult[] = paths.map((path) => {
      const parsed = WorkerResultSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
      if (!parsed.success)
        throw new ScenarioError(`${path}: not a saved worker result (${parsed.error.issues[0]?.message ?? 'invalid'})`);
      return parsed.data;
    });
    const thresholds = options.file ? readScenarioFile(options.file).thresholds : [];
    const report = buildReport(mergeResults(results), thresholds);
    emit(report, options);
    return report.passed ? EXIT_PASSED : EXIT_FAILED;
  } catch (err) {
    process.stderr.write(`${errorMessage(err)}\n`);
    return EXIT_ERROR;
  }
}

export function register(program: Command): void {
  program
    .command('load')
    .description(
      'Sends load: open models on schedule (latency from the intended time, no coordinated omission) or closed-model virtual users; exit 0 passed, 1 a threshold failed, 2 error',
    )
    .option('-f, --file <path>', 'scenario file (YAML or JSON): targets, values, scenarios, thresholds')
    .option('--url <url>', "base URL to send to (overrides the file's targets)")
    .option('--rate <n>', 'without -f: requests per second (constant-arrival-rate)')
    .option('--vus <n>', 'without -f: virtual users (constant-vus)')
    .option('--duration <d>', 'without -f: how long, e.g. 30s', '10s')
    .option('--path <path>', 'without -f: the path template', '/')
    .option('--method <method>', 'without -f: the HTTP method', 'GET')
    .option('--connections <n>', 'without -f: keep-alive connections')
    .option(
      '--max-in-flight <n>',
      'without -f: open model in-flight limit; iterations beyond it are dropped and counted',
    )
    .option('--think-time <d>', 'without -f: closed model pause between iterations')
    .option('--worker <i/N>', 'run worker i of N: its share of every rate (merge the saved results with --merge)')
    .option('--seed <n>', "seed of the request mix's random draws")
    .option('--save <path>', "write this worker's result (mergeable histograms) as JSON")
    .option('--merge <results...>', 'send nothing: merge saved worker results into one report (thresholds from -f)')
    .option(
      '--replay <access-log>',
      'replay a JSON access log (nginx escape=json or Envoy json_format) to --url with its original timing',
    )
    .option('--speedup <n>', 'with --replay: how much faster than recorded', '1')
    .option('--plan-env <name>', 'a LoadTest Job worker: read the plan from this environment variable')
    .option('--result-line', 'end stdout with the mergeable result on one line (for the LoadTest controller)')
    .option('--no-progress', 'no progress lines on stderr')
    .addOption(new Option('-o, --output <format>', 'text or json').choices(['text', 'json']).default('text'))
    .action(async (options: LoadCommandOptions & { merge?: string[] }) => {
      process.exitCode = options.merge ? runMergeCommand(options.merge, options) : await runLoadCommand(options);
    });
}
