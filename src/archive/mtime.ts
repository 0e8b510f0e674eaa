import { EnvstacksError } from "../errors.js";

/** Latest time tar headers can hold here (tar-stream stores seconds as a signed 32-bit int). */
const LATEST_SECONDS = 2 ** 31 - 1;

/**
 * The modification time every member of a layer's archive carries: `SOURCE_DATE_EPOCH`
 * (seconds since 1970, the reproducible-builds convention) when set, else the layer's
 * `locked_at`, so rebuilding an unchanged lock gives the same bytes. Whole seconds: tar
 * headers hold no more.
 */
export function archiveMtime(lockedAt: string | Date, env: NodeJS.ProcessEnv = process.env): Date {
  const epoch = env.SOURCE_DATE_EPOCH?.trim();
  if (epoch) {
    if (!/^\d+$/.test(epoch) || Number(epoch) > LATEST_SECONDS) {
      throw new EnvstacksError(
        `SOURCE_DATE_EPOCH must be whole seconds since 1970 up to ${LATEST_SECONDS}, got "${epoch}"`,
      );
    }
    return new Date(Number(epoch) * 1000);
  }
  const time = new Date(lockedAt).getTime();
  if (Number.isNaN(time))
    throw new EnvstacksError(`locked_at is not a date: "${String(lockedAt)}"`);
  return new Date(Math.floor(time / 1000) * 1000);
}

/**
 * `mtime` cut to whole seconds (what tar headers hold), or an error when the archive formats
 * cannot store it the same way everywhere.
 */
export function wholeSecondsMtime(mtime: Date): Date {
  const seconds = Math.floor(mtime.getTime() / 1000);
  if (!(seconds >= 0 && seconds <= LATEST_SECONDS)) {
    throw new EnvstacksError(
      `archive member time must lie between 1970 and 2038, got ${String(mtime)}`,
    );
  }
  return new Date(seconds * 1000);
}
