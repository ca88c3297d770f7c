/**
 * Workspace-trust gate. Linting, hovers, completion and links are static and work in Restricted
 * Mode; anything that runs the user's connector code (conformance runs, F5) must call
 * {@link TrustGate.require} first and stop when it returns false.
 */
import * as vscode from "vscode";

/** Whether the workspace is trusted, and a way to ask for trust with a reason. */
export class TrustGate implements vscode.Disposable {
  private readonly listeners: Array<() => void> = [];
  private readonly subscription: vscode.Disposable;

  constructor(private readonly log: vscode.LogOutputChannel) {
    this.subscription = vscode.workspace.onDidGrantWorkspaceTrust(() => {
      this.log.info("workspace trusted: features that run connector code are available");
      for (const listener of this.listeners) listener();
    });
  }

  /** True when the workspace is trusted (code may run). */
  get isTrusted(): boolean {
    return vscode.workspace.isTrusted;
  }

  /** Calls `listener` when the user grants trust. */
  onDidGrant(listener: () => void): vscode.Disposable {
    this.listeners.push(listener);
    return new vscode.Disposable(() => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    });
  }

  /**
   * Returns true when the workspace is trusted. Otherwise says why `feature` cannot run, offers
   * the trust dialog, and returns false (the caller must not run code).
   */
  async require(feature: string): Promise<boolean> {
    if (this.isTrusted) return true;
    this.log.warn(`refused in Restricted Mode: ${feature}`);
    const manage = "Manage Workspace Trust";
    const choice = await vscode.window.showWarningMessage(
      `${feature} runs this workspace's connector code, so it needs a trusted workspace. Linting keeps working in Restricted Mode.`,
      manage,
    );
    if (choice === manage) await vscode.commands.executeCommand("workbench.trust.manage");
    return false;
  }

  dispose(): void {
    this.listeners.length = 0;
    this.subscription.dispose();
  }
}
