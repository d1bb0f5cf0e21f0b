/**
 * Bounds on hyperparameters shared by the models, written once.
 *
 * MAX_FACTORS is the native bindings' own bound (kMaxFactors in
 * native/bindings/common.h, checked again by every binding): the ALS solvers
 * keep factors² floats per thread, and every family shares the one bound so
 * that a model the options accept is one the kernels accept.
 */
export const MAX_FACTORS = 65536;

/** Iterations (epochs, sweeps) of every model. */
export const MAX_ITERATIONS = 100_000;

/** Threads of every model; 0 means all hardware threads. */
export const MAX_THREADS = 256;
