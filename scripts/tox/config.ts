/** The shape of `tox-equivalent.config.ts`: test environments declared the way tox.ini does. */

/** Token in a command's argv replaced by the positional args (tox's `{posargs}`). */
export const POSARGS = "{posargs}";

export interface ToxEnvironment {
  /** One line shown by `tox -l`. */
  description: string;
  /** Labels selecting this environment with `-m LABEL`. */
  labels: string[];
  /**
   * Commands run in order from the repository root, stopping at the first failure. Each is an
   * argv array, never a shell line; tools are found in `node_modules/.bin`, `node` is the
   * running Node. A `{posargs}` element expands to the positional args.
   */
  commands: string[][];
  /** Positional args used when the command line gives none after `--`. */
  defaultPosargs?: string[];
  /** Extra variables (names or `PREFIX_*`) passed through beyond the config-wide `passEnv`. */
  passEnv?: string[];
  /** Variables set for this environment's commands. */
  setEnv?: Record<string, string>;
}

export interface ToxConfig {
  /** Variables passed from the caller to every environment (names or `PREFIX_*`); others are dropped. */
  passEnv: string[];
  /** Environments in their default run order. */
  envs: Record<string, ToxEnvironment>;
}
