// The optional backends the build registers: the kernel-style .S and .c files (src/codegen/c/).
// Kept in one place so that the driver itself depends only on the TypeScript variants.
export {};
