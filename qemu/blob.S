// SPDX-License-Identifier: GPL-2.0-only
// The input of one harness run, written by src/oracle (cases.bin in the build directory, found
// through the assembler's include path).
	.section .rodata.blob, "a"
	.balign	8
	.global oracle_blob
oracle_blob:
	.incbin	"cases.bin"
	.balign	8
	.global oracle_blob_end
oracle_blob_end:
