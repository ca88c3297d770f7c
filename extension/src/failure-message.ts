/**
 * A failed conformance case as a `TestMessage`: a diff of expected and actual when both exist, the
 * recorded op sequence that produced it, and a location at the connector method involved. Also the
 * text of an advisory finding on a passing case, worded as the CLI's text report words it.
 */
import * as vscode from "vscode";
import type { RecordedOp, RunnerEvent } from "../../runtime/src/runner/protocol.js";
import { FAILURE_CONTEXT_VALUE } from "./ids";

/** The `case-finished` event. */
export type CaseFinished = Extract<RunnerEvent, { type: "case-finished" }>;

/** The op sequence, one call per line (`1. put(key, 4096 B) → ok  0.1 ms`). */
export function formatOps(ops: readonly RecordedOp[] | undefined): string {
  if (!ops || ops.length === 0) return "";
  const lines = ops.map((op, i) => `${i + 1}. ${op.op}(${op.args.map((a) => (typeof a === "string" ? a : JSON.stringify(a))).join(", ")}) → ${op.result}`);
  return `Operations:\n${lines.join("\n")}`;
}

/** The message text: the failure, the replay seed, and the op sequence. */
export function failureText(event: CaseFinished, seed: number | undefined): string {
  const parts = [event.message ?? `${event.id} failed`];
  const replay = event.replay ?? (seed !== undefined ? { seed } : undefined);
  if (replay) parts.push(`Replay: seed ${replay.seed}${replay.path ? `, path ${replay.path}` : ""} ("Debug this failure" re-runs exactly this case).`);
  if (event.lmcacheToo) parts.push(event.lmcacheToo);
  const ops = formatOps(event.ops);
  if (ops) parts.push(ops);
  return parts.join("\n\n");
}

/**
 * The output text of a passing case with an advisory finding (ours, as in the text report's
 * "Advisories" section): that it is an advisory, what was found, why LMCache does not rely on it,
 * and `lmcacheToo` when LMCache's own connector behaves the same way. Empty without a finding.
 */
export function advisoryText(event: CaseFinished): string {
  const a = event.advisory;
  if (!a) return "";
  const lines = [`Advisory (${event.id} passed; LMCache does not rely on this, --strict fails it): ${a.message}${a.count > 1 ? ` (and ${a.count - 1} more)` : ""}`];
  if (a.expected !== undefined) lines.push(`  expected: ${a.expected}`);
  if (a.actual !== undefined) lines.push(`  actual:   ${a.actual}`);
  lines.push(`  why it is advisory: ${a.why}`);
  if (event.lmcacheToo) lines.push(`  ${event.lmcacheToo}`);
  return lines.join("\n");
}

/** The event's source location as a `Location` (undefined without one). */
export function locationOf(event: CaseFinished): vscode.Location | undefined {
  if (!event.location) return undefined;
  const pos = new vscode.Position(Math.max(0, event.location.line - 1), Math.max(0, event.location.column - 1));
  return new vscode.Location(vscode.Uri.file(event.location.file), pos);
}

/** Builds the TestMessage of a failed case. */
export function failureMessage(event: CaseFinished, seed: number | undefined, fallback?: vscode.Location): vscode.TestMessage {
  const text = failureText(event, seed);
  const useDiff = event.expected !== undefined && event.actual !== undefined && event.expected !== event.actual;
  const message = useDiff ? vscode.TestMessage.diff(text, event.expected!, event.actual!) : new vscode.TestMessage(text);
  if (!useDiff && (event.expected !== undefined || event.actual !== undefined)) {
    message.message = `${text}\n\nExpected: ${event.expected ?? "—"}\nActual: ${event.actual ?? "—"}`;
  }
  const location = locationOf(event) ?? fallback;
  if (location) message.location = location;
  message.contextValue = FAILURE_CONTEXT_VALUE;
  return message;
}
