// Minimal declaration of @npmcli/run-script@10 (no @types package): the part envstacks uses.
declare module "@npmcli/run-script" {
  export interface RunScriptOptions {
    /** Lifecycle event: `preinstall`, `install`, `postinstall`, … */
    event: string;
    /** The package directory (its package.json is read when `pkg` is not given). */
    path: string;
    /** Directories put first in the script's PATH. */
    binPaths?: string[];
    env?: Record<string, string>;
    stdio?: "pipe" | "inherit";
    stdioString?: boolean;
    scriptShell?: string;
  }
  export interface RunScriptResult {
    code: number | null;
    signal: NodeJS.Signals | null;
    stdout: string;
    stderr: string;
  }
  /** Resolves on success; rejects with an error carrying `code`, `signal`, `stdout`, `stderr`. */
  function runScript(options: RunScriptOptions): Promise<RunScriptResult>;
  export default runScript;
}
