/*
 * afterburn run: boot a guest in QEMU, bare or on the hypervisor
 * (docs/run.md).
 */
#ifndef AB_RUN_CMD_H
#define AB_RUN_CMD_H

#include <stdio.h>

int ab_run_main(int argc, char **argv);

/* run_dump.c: the trap dump (docs/abi/trap-dump.md) in a console log,
 * read by the profiler's reader (profiles/prof.h) in its lenient mode. */
struct ab_trapdump {
	const char *begin, *end;   /* the block, markers included; NULL if absent or incomplete */
	unsigned entries, lost;    /* from the "# entries N lost M" comment */
	unsigned lines;            /* entry lines */
	unsigned bad;              /* lines skipped: not EIP KIND COUNT, or an (EIP, KIND) again */
};

/* Find and check the dump in text (NUL-terminated); 0 if found complete. */
int ab_trapdump_find(const char *text, struct ab_trapdump *d);
/* A per-kind summary of d to f. */
void ab_trapdump_summary(FILE *f, const struct ab_trapdump *d);

/* run_strip.c: bytes of .debug_* sections in guest (0: none, or not an
 * ELF); and a copy of guest without them at out (objcopy --strip-debug),
 * dbg being that count, for the message: 0, or -1 with a message. */
unsigned long ab_run_debug_bytes(const char *guest);
int ab_run_strip_debug(const char *guest, const char *out, unsigned long dbg);

#endif
