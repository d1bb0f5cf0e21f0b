/**
 * `--model-file FILE`: the saved model that recommend, similar, predict and
 * report read. `--model` names a model type in train, evaluate and tune, so
 * the file has a flag of its own; the old spelling `--model FILE` still works
 * in these commands, with a one-line deprecation note on stderr.
 */
import { Option, type Command } from 'commander';

export interface ModelFileFlags {
  /** The model file, resolved from either spelling before the action runs. */
  modelFile: string;
}

export function addModelFileFlag(cmd: Command, description: string): Command {
  cmd.option('--model-file <file>', description).addOption(new Option('--model <file>', 'deprecated spelling of --model-file').hideHelp());
  return cmd.hook('preAction', (command) => {
    const opts = command.opts<{ modelFile?: string; model?: string }>();
    const old = opts.model;
    if (old !== undefined && opts.modelFile !== undefined) {
      command.error('error: give the model file once, as --model-file (--model is its deprecated spelling)');
    }
    if (old !== undefined) {
      process.stderr.write(
        `mfrec: --model FILE is deprecated in ${command.name()}: use --model-file FILE (--model names a model type in train, evaluate and tune)\n`,
      );
      command.setOptionValue('modelFile', old);
    }
    if (command.getOptionValue('modelFile') === undefined) command.error("error: required option '--model-file <file>' not specified");
  });
}
