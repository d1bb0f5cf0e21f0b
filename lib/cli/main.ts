/**
 * The `mfrec` command line. Every command prints a one-line message and exits
 * non-zero on error; --json switches results to machine-readable output.
 */
import { Command, CommanderError } from 'commander';
import { MfrecError } from '../errors.js';
import { packageVersion } from '../version.js';
import { registerCommands } from './commands.js';
import { printable } from '../text/printable.js';
import { redactPasswords } from '../db/connection.js';
import { inCliWords } from './read-flags.js';

export async function main(argv: string[]): Promise<number> {
  // `mfrec predict ... | head`: a reader that stops early is not an error.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
  const program = new Command();
  program
    .name('mfrec')
    .description('Matrix-factorization recommenders: train, evaluate, predict, recommend')
    .version(packageVersion(), '-V, --version', 'print the mfrec version')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) })
    .showHelpAfterError('(run mfrec --help for usage)');
  // argv: node, the script, then the command's name (the program has no options of its own before it).
  await registerCommands(program, argv[2]);
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      // Commander already printed its message (usage errors, --help, --version).
      return e.exitCode === 0 ? 0 : 2;
    }
    // Library messages name options as the API spells them; a CLI user reads flags.
    const message = inCliWords(e instanceof Error ? e.message : String(e));
    const code = e instanceof MfrecError ? ` [${e.code}]` : '';
    // Messages quote ids, types and paths from files: their control characters (line breaks too) are shown, not obeyed.
    // A postgres:// URL given where a file was expected is quoted by file errors: never with its password.
    process.stderr.write(`mfrec: ${printable(redactPasswords(message))}${code}\n`);
    return 1;
  }
}
