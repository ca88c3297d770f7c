/**
 * A failed conformance case as a `TestMessage`: a diff of expected and actual when both exist, the
 * recorded op sequence that produced it, and a location at the connector method involved.
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
  const ops = formatOps(event.ops);
  if (ops) parts.push(ops);
  return parts.join("\n\n");
}

/** Builds the TestMessage of a failed case. */
export function failureMessage(event: CaseFinished, seed: number | undefined, fallback?: vscode.Location): vscode.TestMessage {
  const text = failureText(event, seed);
  const useDiff = event.expected !== undefined && event.actual !== undefined && event.expected !== event.actual;
  const message = useDiff ? vscode.TestMessage.diff(text, event.expected!, event.actual!) : new vscode.TestMessage(text);
  if (!useDiff && (event.expected !== undefined || event.actual !== undefined)) {
    message.message = `${text}\n\nExpected: ${event.expected ?? "—"}\nActual: ${event.actual ?? "—"}`;
  }
  if (event.location) {
    const pos = new vscode.Position(Math.max(0, event.location.line - 1), Math.max(0, event.location.column - 1));
    message.location = new vscode.Location(vscode.Uri.file(event.location.file), pos);
  } else if (fallback) {
    message.location = fallback;
  }
  message.contextValue = FAILURE_CONTEXT_VALUE;
  return message;
}
