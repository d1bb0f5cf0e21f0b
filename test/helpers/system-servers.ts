/**
 * Tests that need a server or a browser from the system's packages
 * (PostgreSQL, Chromium) run when it is installed and are skipped otherwise,
 * so `npm test` works on a machine with only Node and a compiler. CI installs
 * them and sets MFREC_REQUIRE_SERVERS=1: there a missing one fails the run
 * instead of skipping its tests.
 */
export const serversRequired = process.env.MFREC_REQUIRE_SERVERS === '1';

/** Whether tests that need `what` (installed when `installed`) are skipped. */
export function skipWithout(installed: boolean): boolean {
  return !installed && !serversRequired;
}
