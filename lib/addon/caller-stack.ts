/**
 * A native call that fails on a worker thread rejects from a libuv callback,
 * where no JavaScript frame is on the stack: its error would point nowhere.
 * Each asynchronous binding goes through {@link withCallerStack}, which
 * records the JavaScript call site when the call is made and gives a
 * rejection that stack, so the error names the line that asked for the work.
 */

/** Wraps an asynchronous binding: same arguments and result, rejections carry the caller's stack. */
export function withCallerStack<A extends unknown[], R>(call: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
  return function callerStacked(...args: A): Promise<R> {
    const site: { stack?: string } = {};
    Error.captureStackTrace(site, callerStacked);
    // A synchronous throw (bad argument types, checked before the work is queued) already has the caller's stack.
    return call(...args).catch((e: unknown) => {
      if (e instanceof Error && site.stack !== undefined) {
        const frames = site.stack.slice(site.stack.indexOf('\n') + 1);
        e.stack = `${e.name}: ${e.message}\n${frames}`;
      }
      throw e;
    });
  };
}
