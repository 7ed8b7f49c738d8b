// A solver process spoken to in SMT-LIB 2 through a pipe: commands are written as they come, and
// each request ends with an `(echo ...)` whose line marks where its answer ends. The process never
// keeps node alive while idle; an error the solver prints, its death, or an answer that does not
// come in time fails the request (and every later one) with a SolverFailure naming the solver.
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { appendFileSync } from "node:fs";

/** FAULTC_SMT_LOG=PREFIX: what each solver process is sent, in PREFIX.N.smt2 (for replaying a session by hand). */
const LOG = process.env.FAULTC_SMT_LOG;
let logs = 0;

export class SolverFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SolverFailure";
  }
}

interface Request {
  id: number;
  resolve: (answer: string) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
  /** The caller reads the solver's errors in the answer itself (a get-value after a check that may not be sat). */
  errorExpected: boolean;
}

export class SmtProcess {
  private readonly child: ChildProcessWithoutNullStreams;
  private buffer = "";
  private stderr = "";
  private readonly queue: Request[] = [];
  private next = 0;
  private failure: SolverFailure | undefined;
  private readonly log = LOG ? `${LOG}.${logs++}.smt2` : undefined;
  /** Commands sent but not yet written: written with the next request, in one write. */
  private pending = "";

  /** `watchdogMs`: how long an answer may take before the process is killed (the solver's own limit is shorter). */
  constructor(
    readonly label: string,
    command: string,
    args: readonly string[],
    private readonly watchdogMs: number,
  ) {
    this.child = spawn(command, args, { stdio: ["pipe", "pipe", "pipe"] });
    this.child.stdout.setEncoding("utf8");
    this.child.stderr.setEncoding("utf8");
    this.child.stdout.on("data", (s: string) => this.read(s));
    this.child.stderr.on("data", (s: string) => {
      this.stderr = (this.stderr + s).slice(-2000);
    });
    this.child.on("error", (e) => this.fail(`${label} could not be run: ${e.message}`));
    this.child.on("exit", (code, signal) => {
      const why = signal !== null ? `signal ${signal}` : `exit status ${code}`;
      this.fail(`${label} ended (${why})${this.stderr.trim() ? `: ${this.stderr.trim().split("\n").slice(-3).join(" | ")}` : ""}`);
    });
    // A closed pipe shows as the exit above; the write error itself says nothing more.
    this.child.stdin.on("error", () => undefined);
    this.idle();
  }

  /** Whether the process still answers: not failed, ended or closed. */
  get alive(): boolean {
    return this.failure === undefined;
  }

  /** Writes commands that print nothing (declarations, assertions); an error they cause fails the next request. */
  send(text: string): void {
    if (this.failure === undefined) this.pending += text.endsWith("\n") ? text : `${text}\n`;
  }

  /**
   * Writes `text` and resolves with everything the solver prints for it. An error the solver
   * prints fails it (and the process) unless `errorExpected`: then the answer holds it.
   */
  request(text: string, options: { errorExpected?: boolean } = {}): Promise<string> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    const id = this.next++;
    if (this.queue.length === 0) this.busy();
    return new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.fail(`${this.label} did not answer within ${Math.round(this.watchdogMs / 1000)} s`);
        this.child.kill("SIGKILL");
      }, this.watchdogMs);
      this.queue.push({ id, resolve, reject, timer, errorExpected: options.errorExpected === true });
      this.write(`${this.pending}${text}\n(echo "faultc-${id}")\n`);
      this.pending = "";
    });
  }

  private write(text: string): void {
    if (this.log) appendFileSync(this.log, text);
    this.child.stdin.write(text);
  }

  close(): void {
    this.fail(`${this.label} was closed`);
    this.child.stdin.end();
    this.child.kill();
  }

  private read(s: string): void {
    this.buffer += s;
    while (this.queue.length > 0) {
      const r = this.queue[0];
      const mark = `faultc-${r.id}`;
      const at = this.buffer.indexOf(mark);
      if (at < 0) return;
      const eol = this.buffer.indexOf("\n", at);
      if (eol < 0) return;
      const lineStart = this.buffer.lastIndexOf("\n", at) + 1;
      const answer = this.buffer.slice(0, lineStart);
      this.buffer = this.buffer.slice(eol + 1);
      this.queue.shift();
      clearTimeout(r.timer);
      if (this.queue.length === 0) this.idle();
      const error = r.errorExpected ? null : /\(error "([^"]*)"\)/.exec(answer);
      if (error) {
        this.fail(`${this.label} rejected faultc's input: ${error[1].trim()}`);
        r.reject(this.failure!);
      } else r.resolve(answer);
    }
  }

  private fail(message: string): void {
    this.failure ??= new SolverFailure(message);
    for (const r of this.queue.splice(0)) {
      clearTimeout(r.timer);
      r.reject(this.failure);
    }
    this.idle();
  }

  /** While an answer is awaited the process keeps node alive; otherwise not. */
  private busy(): void {
    this.child.ref();
    (this.child.stdout as unknown as { ref?: () => void }).ref?.();
  }

  private idle(): void {
    this.child.unref();
    for (const s of [this.child.stdout, this.child.stderr, this.child.stdin]) (s as unknown as { unref?: () => void }).unref?.();
  }
}
