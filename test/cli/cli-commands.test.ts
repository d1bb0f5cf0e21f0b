import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { registerCommands } from '../../lib/cli/commands.js';

const ALL = ['demo', 'split', 'train', 'import', 'predict', 'evaluate', 'info', 'recommend', 'similar', 'report', 'tune', 'serve', 'batch', 'worker'];

async function registered(name?: string): Promise<string[]> {
  const program = new Command();
  await registerCommands(program, name);
  return program.commands.map((c) => c.name());
}

describe('mfrec subcommand registration', () => {
  it('registers only the command a run names, so a run loads only that command’s modules', async () => {
    expect(await registered('train')).toEqual(['train']);
    expect(await registered('serve')).toEqual(['serve']);
  });

  it('registers every command, in help order, for help, --version, no command or a mistyped one', async () => {
    for (const name of [undefined, '--help', '-V', 'help', 'trian', 'constructor', '__proto__']) expect(await registered(name)).toEqual(ALL);
  });
});
