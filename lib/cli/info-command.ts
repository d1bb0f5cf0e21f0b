/** `mfrec info [MODEL | --model-file MODEL]`: the library and its BLAS, or what a model file holds. */
import type { Command } from 'commander';
import { ErrorCodes, MfrecError } from '../errors.js';
import { libraryInfo } from '../info.js';
import { printJson, printTable } from './output.js';

export function registerInfo(program: Command): void {
  program
    .command('info')
    .description('show the library version, BLAS and threads; with MODEL, what the model is and was trained on')
    .argument('[model]', 'a model file written by mfrec train')
    .option('--model-file <file>', 'the model file, as in recommend, similar, predict and report')
    .option('--json', 'machine-readable output')
    .action(async (positional: string | undefined, opts: { json?: boolean; modelFile?: string }) => {
      if (positional !== undefined && opts.modelFile !== undefined) {
        throw new MfrecError(ErrorCodes.INVALID_ARGUMENT, 'give the model file once: as MODEL or as --model-file');
      }
      const model = positional ?? opts.modelFile;
      if (model === undefined) {
        const info = libraryInfo();
        if (opts.json) return printJson(info);
        printTable([
          ['mfrec', info.version],
          ['blas', info.blas],
          ['threads', `${info.hardwareThreads} (hardware)`],
          ['simd', info.simd],
          ['node', `${info.node} (N-API ${info.napiVersion})`],
          ['platform', info.platform],
        ]);
        return;
      }
      const { describeModelFile } = await import('./describe-model.js');
      const description = await describeModelFile(model);
      if (opts.json) return printJson(description);
      printTable(Object.entries(description).map(([k, v]) => [k, typeof v === 'object' ? JSON.stringify(v) : String(v)]));
    });
}
