/**
 * Turns one connector's runner events into TestRun updates: case-started → started,
 * case-finished → passed / failed (a TestMessage with diff, op sequence and location) / skipped
 * (a pass with an advisory finding stays a pass, with the finding in the case's test output),
 * load-error and runner-crashed → errored (only a user's cancel skips the rest), log → test output
 * and the LMCache log, connector-output → the case's test output.
 */
import * as vscode from "vscode";
import type { RunnerEvent } from "../../runtime/src/runner/protocol.js";
import { crashText } from "../../runtime/src/runner/verdict.js";
import { advisoryText, failureMessage, locationOf } from "./failure-message";

/** What one case ended with (the status item's score and "Debug this failure" read it). */
export interface CaseOutcome {
  status: "passed" | "failed" | "skipped" | "errored";
  /** Seed and replay path that reproduce the run of this case. */
  seed?: number;
  replayPath?: string;
  /** A pass that carried an advisory finding (LMCache does not rely on it; the score counts it apart). */
  advisory?: boolean;
}

/** Reports one runner's events on `run`, for the case items of one connector. */
export class RunReporter {
  private seed: number | undefined;
  private readonly finished = new Set<string>();
  private running: string | undefined;
  /** Outcome per case id, in this run. */
  readonly outcomes = new Map<string, CaseOutcome>();

  constructor(
    private readonly run: vscode.TestRun,
    private readonly connectorItem: vscode.TestItem,
    /** The case items selected for this run, by case id. */
    private readonly cases: ReadonlyMap<string, vscode.TestItem>,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  /** Marks every selected case enqueued. */
  enqueueAll(): void {
    for (const item of this.cases.values()) this.run.enqueued(item);
  }

  private classLocation(): vscode.Location | undefined {
    const { uri, range } = this.connectorItem;
    return uri ? new vscode.Location(uri, range ?? new vscode.Position(0, 0)) : undefined;
  }

  private output(text: string, item?: vscode.TestItem): void {
    this.run.appendOutput(text.replace(/\r?\n/g, "\r\n") + "\r\n", undefined, item);
  }

  /** Handles one event. */
  handle(event: RunnerEvent): void {
    switch (event.type) {
      case "run-started":
        this.seed = event.seed;
        this.output(`conformance ${event.url} (seed ${event.seed}, ${event.cases.length} case(s))`);
        this.log.info(`conformance run ${event.runId}: ${event.url}, seed ${event.seed}`);
        break;
      case "case-started": {
        const item = this.cases.get(event.id);
        this.running = event.id;
        if (item) this.run.started(item);
        break;
      }
      case "case-finished": {
        const item = this.cases.get(event.id);
        this.finished.add(event.id);
        if (this.running === event.id) this.running = undefined;
        const seed = event.replay?.seed ?? this.seed;
        if (!item) break;
        if (event.status === "passed") {
          this.run.passed(item, event.ms);
          if (event.advisory) {
            // VS Code has no "passed with a warning" state: the finding goes to the case's output, at its location.
            const text = advisoryText(event);
            this.run.appendOutput(text.replace(/\r?\n/g, "\r\n") + "\r\n", locationOf(event) ?? this.classLocation(), item);
            this.log.info(`${this.connectorItem.label} ${event.id} passed with an advisory: ${event.advisory.message}`);
          }
          this.outcomes.set(event.id, { status: "passed", seed, ...(event.advisory ? { advisory: true } : {}) });
        } else if (event.status === "skipped") {
          this.run.skipped(item);
          if (event.skip) this.output(`${event.id} skipped: ${event.skip.detail}`, item);
          this.outcomes.set(event.id, { status: "skipped", seed });
        } else {
          this.run.failed(item, failureMessage(event, seed, this.classLocation()), event.ms);
          this.outcomes.set(event.id, { status: "failed", seed, replayPath: event.replay?.path });
          this.log.info(`${this.connectorItem.label} ${event.id} failed: ${event.message ?? ""}`);
        }
        break;
      }
      case "log":
        this.output(`[${event.level}] ${event.message}`);
        if (event.level === "error") this.log.error(event.message);
        else if (event.level === "warning") this.log.warn(event.message);
        else this.log.debug(event.message);
        break;
      case "load-error": {
        const text = `${event.errorName}: ${event.message}`;
        this.log.error(`${this.connectorItem.label} could not be loaded: ${text}`);
        this.errorRemaining(text);
        break;
      }
      case "runner-crashed": {
        // Only the user's cancel skips; a signal death, an exit or a hang is the connector's error.
        const text = crashText(event);
        this.log.error(`${this.connectorItem.label}: ${text}`);
        if (event.reason === "cancelled") {
          this.skipRemaining();
        } else {
          this.errorRemaining(text, event.caseId);
        }
        break;
      }
      case "connector-output": {
        const item = event.caseId ? this.cases.get(event.caseId) : undefined;
        const where = event.caseId ? ` during ${event.caseId}` : "";
        this.output(`[connector ${event.stream}${where}]\n${event.text.replace(/\n$/, "")}`, item);
        break;
      }
      case "job-error":
      case "job-failed":
        this.errorRemaining(`${event.errorName}: ${event.message}`);
        break;
      case "progress":
      case "result":
      case "run-finished":
      case "heartbeat":
      case "fatal":
        break;
    }
  }

  private errorRemaining(text: string, inFlight = this.running): void {
    if (inFlight) this.running = inFlight;
    const order = this.running ? [this.running, ...[...this.cases.keys()].filter((id) => id !== this.running)] : [...this.cases.keys()];
    for (const id of order) {
      if (this.finished.has(id)) continue;
      const item = this.cases.get(id)!;
      const message = new vscode.TestMessage(id === this.running || this.running === undefined ? text : `Not run: ${text}`);
      const location = this.classLocation();
      if (location) message.location = location;
      this.run.errored(item, message);
      this.finished.add(id);
      this.outcomes.set(id, { status: "errored", seed: this.seed });
    }
  }

  /** Cases that never finished (cancelled, or the runner ended early) are skipped. */
  skipRemaining(): void {
    for (const [id, item] of this.cases) {
      if (this.finished.has(id)) continue;
      this.run.skipped(item);
      this.finished.add(id);
    }
  }
}
