/**
 * Text from files or connectors made safe for a terminal (ours): control bytes (ESC, BEL, CR,
 * backspace, the C1 controls such as CSI 0x9b, DEL) are shown as `\xNN` instead of being sent, so
 * a file cannot recolour, retitle, rewrite or clear the user's terminal through the kit's output.
 */

/** Control characters other than those in `keep` (default newline and tab) → `\xNN`. */
export function escapeControls(text: string, keep = "\n\t"): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => (keep.includes(c) ? c : `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`));
}
