/**
 * Bounds on hyperparameters shared by the models, written once.
 *
 * MAX_FACTORS is the native kernels' own bound (the C++ MAX_FACTORS,
 * checked again by the ALS binding): the ALS solvers keep factors² floats per
 * thread, and BPR shares the bound. ExplicitMF's SGD keeps no such buffer, so
 * only memory bounds its vectors (checked before allocating); its
 * documented limit is MAX_EXPLICIT_FACTORS.
 */
export const MAX_FACTORS = 65536;
export const MAX_EXPLICIT_FACTORS = 1_000_000;

/** Iterations (epochs, sweeps) of every model. */
export const MAX_ITERATIONS = 100_000;

/** Threads of every model; 0 means all hardware threads. */
export const MAX_THREADS = 256;
