#ifndef FUZZ_DRIVER_H
#define FUZZ_DRIVER_H
#include <stddef.h>
#include <stdint.h>

/// libFuzzer's own driver (compiler-rt, linked by -sanitize=fuzzer). SwiftPM links every
/// executable with `--defsym main=<module>_main`, so libFuzzer's `main` is never pulled
/// in: each fuzzer defines `<module>_main` and hands its arguments to this.
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*UserCb)(const uint8_t *Data, size_t Size));

#endif
