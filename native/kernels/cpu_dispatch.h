// Hot loops compiled twice, for the baseline CPU and for AVX2, with the copy
// picked at load time: prebuilt binaries must run on CPUs without AVX2. GCC's
// target_clones does this on x86-64 Linux; elsewhere the plain loop is built.
// Not under a sanitizer: the load-time resolver runs before the sanitizer's
// runtime is set up, and an instrumented resolver crashes there.
#pragma once

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__) && \
    !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
#define MFREC_AVX2_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define MFREC_AVX2_CLONES
#endif
