/**
 * Calls back when a file is replaced or changed. It watches the file's
 * FOLDER, not the file: save() writes a temporary file and renames it over
 * the target, which ends a watch on the old file's inode. Bursts of events
 * (a temporary file, the rename, a copy written in pieces) are debounced
 * into one call.
 */
import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';

export interface FileWatch {
  close(): void;
}

export function watchFile(file: string, debounceMs: number, onChange: () => void, onError: (e: Error) => void): FileWatch {
  const name = basename(file);
  let timer: NodeJS.Timeout | undefined;
  const watcher: FSWatcher = watch(dirname(file), { persistent: false }, (_event, changed) => {
    // Some platforms give no file name: then any change in the folder may be ours.
    if (changed !== null && changed !== name) return;
    clearTimeout(timer);
    timer = setTimeout(onChange, debounceMs);
  });
  watcher.on('error', onError);
  return {
    close() {
      clearTimeout(timer);
      watcher.close();
    },
  };
}
