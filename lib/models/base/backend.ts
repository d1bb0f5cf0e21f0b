/**
 * Where a model does its arithmetic: 'native' (the C++ kernels through
 * lib/addon/, threads, off the event loop) or 'js' (their pure-TypeScript
 * twins in lib/twins/, one thread on the event loop, yielding a turn between
 * pieces of work). Each family writes its operations once as an interface
 * with one implementation per backend, and its model picks one by name.
 */
export type BackendName = 'native' | 'js';

export const BACKENDS: readonly BackendName[] = ['native', 'js'];

/** One implementation of a family's operations per backend. */
export type Backends<T> = Readonly<Record<BackendName, T>>;
