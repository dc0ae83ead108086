/*
 * The C interface to the LLVM MC layer.  Everything behind it is C++ because
 * LLVM's API is; everything in front of it (options, policy, rules, records)
 * is C.
 */
#ifndef AB_MC_BRIDGE_H
#define AB_MC_BRIDGE_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

struct ab_annotator;

struct ab_mc_config {
	int bits;                    /* 32 or 64: the initial code mode */
	const char *cpu;             /* -march=, or NULL */
	const char *output;          /* object file path; NULL: assemble and discard */
	const char *const *include_dirs;
	size_t n_include_dirs;
	const char *const *defsyms;  /* "name=value" */
	size_t n_defsyms;
	int gen_dwarf;               /* -g / --gdwarf-N on assembly without its own .file/.loc */
	int dwarf_version;           /* 2..5, 0 = default */
	int noexecstack;
	int fatal_warnings;
	int no_warnings;
	const char *debug_prefix_map; /* OLD=NEW, or NULL */
	struct ab_annotator *ann;
};

/*
 * Assemble text[0..len) (named `name` in diagnostics) into cfg->output.
 * Returns 0 on success.  On failure the diagnostics, with file:line, have
 * gone to stderr and no output file is left behind.
 */
int ab_mc_assemble(const struct ab_mc_config *cfg, const char *text, size_t len,
		   const char *name);

/* Print "file:line: error: what" for where the parser is now (or just the
 * message outside ab_mc_assemble).  For fatal errors and signal handlers. */
void ab_mc_report_position(const char *what);

/* "14.0.6": the LLVM this was built with. */
const char *ab_mc_llvm_version(void);

#ifdef __cplusplus
}
#endif

#endif
