# The wasm-opt flags of the release build, sourced by scripts/build.sh and scripts/size.sh (its named
# twin must be optimized exactly like the shipped .wasm).
#
# Rust's wasm32 target emits these post-MVP features by default; wasm-opt must be told.
WASM_FEATURES="--enable-bulk-memory --enable-mutable-globals --enable-sign-ext \
--enable-nontrapping-float-to-int --enable-reference-types --enable-multivalue"
# -Oz until nothing shrinks (--converge: -150 B gzip). --low-memory-unused (-270 B gzip): binaryen
# may fold constant offsets into loads and stores, assuming addresses below 1024 are never used;
# Rust's wasm32 layout puts the 1 MiB stack first, so only a stack within 1 KiB of overflowing
# would reach them. Measured and not taken (docs/size-notes.md): -Os (10-20 B smaller with
# --converge), --zero-filled-memory (0 B), --gufa, --monomorphize, --flatten --rereloop (< 100 B each).
WASM_OPT_PASSES="-Oz --converge --low-memory-unused"
# scripts/minify-names.mjs runs the passes once more after renaming (it reads them from here).
